import SpikeCKernels
import Foundation

/// Elementwise functions, reductions and shape operations on plain tensors (no gradient). The
/// differentiable versions live on `Variable` and call these.
extension Tensor {
    /// e^x elementwise.
    public func exp() -> Tensor { map { Foundation.exp($0) } }
    /// Natural logarithm elementwise.
    public func log() -> Tensor { map { Foundation.log($0) } }
    /// 1 / (1 + e^-x) elementwise.
    public func sigmoid() -> Tensor { map { stableSigmoid($0) } }
    /// Hyperbolic tangent elementwise.
    public func tanh() -> Tensor { map { Foundation.tanh($0) } }
    /// max(x, 0) elementwise.
    public func relu() -> Tensor { map { Swift.max($0, 0) } }
    /// Square root elementwise.
    public func sqrt() -> Tensor { map { $0.squareRoot() } }
    /// |x| elementwise.
    public func abs() -> Tensor { map { Swift.abs($0) } }

    /// Normalised axis (negative counts from the end).
    @inline(__always) func axisIndex(_ axis: Int) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "axis \(axis) out of range for shape \(shape)")
        return a
    }

    /// (outer, n, inner) sizes around `axis`.
    @inline(__always) func split(_ axis: Int) -> (Int, Int, Int) {
        let a = axisIndex(axis)
        return (shape[..<a].reduce(1, *), shape[a], shape[(a + 1)...].reduce(1, *))
    }

    /// Reduces along `axis` with `f` starting from `initial`; the axis is removed unless `keepDims`.
    func reduce(axis: Int, keepDims: Bool, initial: Float, _ f: (Float, Float) -> Float) -> Tensor {
        let (outer, n, inner) = split(axis)
        var out = [Float](repeating: initial, count: outer * inner)
        scalars.withUnsafeBufferPointer { p in
            for o in 0..<outer { for k in 0..<n { let base = (o * n + k) * inner
                for i in 0..<inner { out[o * inner + i] = f(out[o * inner + i], p[base + i]) } } }
        }
        var s = shape
        if keepDims { s[axisIndex(axis)] = 1 } else { s.remove(at: axisIndex(axis)) }
        return Tensor(shape: s, scalars: out)
    }

    /// Fraction of nonzero elements (sampled every 7th element on large tensors, as the GEMM's kernel choice
    /// does): the activity of a spike tensor.
    public var density: Float {
        scalars.withUnsafeBufferPointer { p in p.baseAddress.map { GEMM.density($0, count: p.count) } ?? 0 }
    }

    /// Sum of all elements: in order below 256 elements, else in the fixed order of `sk_sum` (64 partial sums
    /// combined pairwise), which depends only on the count.
    public func sum() -> Float {
        // 64 partial sums in a fixed order (vectorised, `sk_sum`); in order for small tensors.
        if count < 256 { return scalars.reduce(0, +) }
        return scalars.withUnsafeBufferPointer { sk_sum($0.baseAddress!, $0.count) }
    }
    /// Sum along `axis`.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { reduce(axis: axis, keepDims: keepDims, initial: 0, +) }
    /// Mean along `axis`.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor {
        let n = Float(shape[axisIndex(axis)])
        return sum(axis: axis, keepDims: keepDims) / n
    }
    /// Mean of all elements.
    public func mean() -> Float { count == 0 ? 0 : sum() / Float(count) }
    /// Maximum along `axis`.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor {
        reduce(axis: axis, keepDims: keepDims, initial: -.infinity) { Swift.max($0, $1) }
    }
    /// Index of the first maximum along `axis` (as Float), axis removed.
    public func argmax(axis: Int) -> Tensor {
        let (outer, n, inner) = split(axis)
        var out = [Float](repeating: 0, count: outer * inner)
        for o in 0..<outer { for i in 0..<inner {
            var best = -Float.infinity, bi = 0
            for k in 0..<n { let v = scalars[(o * n + k) * inner + i]; if v > best || k == 0 { if k == 0 || v > best { best = v; bi = k } } }
            out[o * inner + i] = Float(bi)
        } }
        var s = shape; s.remove(at: axisIndex(axis))
        return Tensor(shape: s, scalars: out)
    }

    /// Softmax along `axis` (max-subtracted for stability).
    public func softmax(axis: Int = -1) -> Tensor {
        let (outer, n, inner) = split(axis)
        var out = scalars
        for o in 0..<outer { for i in 0..<inner {
            var m = -Float.infinity
            for k in 0..<n { m = Swift.max(m, out[(o * n + k) * inner + i]) }
            var s: Float = 0
            for k in 0..<n { let j = (o * n + k) * inner + i; out[j] = Foundation.exp(out[j] - m); s += out[j] }
            for k in 0..<n { out[(o * n + k) * inner + i] /= s }
        } }
        return Tensor(shape: shape, scalars: out)
    }

    /// log(softmax(x)) along `axis`, computed as x - max - log(sum(exp(x - max))).
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let (outer, n, inner) = split(axis)
        var out = scalars
        for o in 0..<outer { for i in 0..<inner {
            var m = -Float.infinity
            for k in 0..<n { m = Swift.max(m, out[(o * n + k) * inner + i]) }
            var s: Float = 0
            for k in 0..<n { s += Foundation.exp(out[(o * n + k) * inner + i] - m) }
            let lse = m + Foundation.log(s)
            for k in 0..<n { out[(o * n + k) * inner + i] -= lse }
        } }
        return Tensor(shape: shape, scalars: out)
    }

    /// Swaps two axes (a copy with permuted layout); `transposed()` swaps the last two.
    public func transposed(_ a0: Int = -2, _ a1: Int = -1) -> Tensor {
        if rank == 2 && axisIndex(a0) != axisIndex(a1) { return transposed2D() }
        var perm = Array(0..<rank)
        perm.swapAt(axisIndex(a0), axisIndex(a1))
        return permuted(perm)
    }

    /// Matrix transpose in cache-sized tiles (C, `sk_transpose`).
    func transposed2D() -> Tensor {
        let (r, c) = (shape[0], shape[1])
        if count == 0 { return Tensor(shape: [c, r], scalars: []) }
        let out = [Float](unsafeUninitializedCapacity: count) { dst, n in
            scalars.withUnsafeBufferPointer { src in
                sk_transpose(src.baseAddress!, dst.baseAddress!, r, c, 0, r)
            }
            n = count
        }
        return Tensor(shape: [c, r], scalars: out)
    }

    /// Reorders the axes: output axis i is input axis `perm[i]`.
    public func permuted(_ perm: [Int]) -> Tensor {
        precondition(perm.sorted() == Array(0..<rank), "permute: \(perm) is not a permutation of the axes of \(shape)")
        let newShape = perm.map { shape[$0] }
        let inStrides = Tensor.strides(of: shape)
        let srcStrides = perm.map { inStrides[$0] }
        var out = [Float](repeating: 0, count: count)
        if count == 0 { return Tensor(shape: newShape, scalars: out) }
        var idx = [Int](repeating: 0, count: rank)
        var flat = 0
        for i in 0..<count {
            out[i] = scalars[flat]
            var ax = rank - 1
            while ax >= 0 {
                idx[ax] += 1; flat += srcStrides[ax]
                if idx[ax] < newShape[ax] { break }
                flat -= srcStrides[ax] * idx[ax]; idx[ax] = 0; ax -= 1
            }
        }
        return Tensor(shape: newShape, scalars: out)
    }

    /// Elements `range` along the leading (time) axis.
    public func slice(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0],
                     "slice: \(range) out of range for shape \(shape)")
        let inner = shape.dropFirst().reduce(1, *)
        var s = shape; s[0] = range.count
        return Tensor(shape: s, scalars: Array(scalars[(range.lowerBound * inner)..<(range.upperBound * inner)]))
    }

    /// Element `t` of the leading axis (the axis removed).
    public subscript(time t: Int) -> Tensor {
        let r = slice(t..<(t + 1))
        return Tensor(shape: Array(r.shape.dropFirst()), scalars: r.scalars)
    }

    /// Stacks tensors of equal shape along a new leading axis.
    public static func stack(_ ts: [Tensor]) -> Tensor {
        precondition(!ts.isEmpty, "stack: no tensors")
        let s = ts[0].shape
        precondition(ts.allSatisfy { $0.shape == s }, "stack: shapes differ: \(ts.map(\.shape))")
        return Tensor(shape: [ts.count] + s, scalars: ts.flatMap(\.scalars))
    }

    /// Concatenates along `axis`; other extents must match.
    public static func concatenate(_ ts: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!ts.isEmpty, "concatenate: no tensors")
        let a = ts[0].axisIndex(axis)
        for t in ts { precondition(t.rank == ts[0].rank && t.shape.enumerated().allSatisfy { $0.offset == a || $0.element == ts[0].shape[$0.offset] },
                                   "concatenate: shapes \(ts.map(\.shape)) differ off axis \(axis)") }
        let outer = ts[0].shape[..<a].reduce(1, *)
        var out: [Float] = []
        out.reserveCapacity(ts.reduce(0) { $0 + $1.count })
        for o in 0..<outer { for t in ts { let blk = t.shape[a...].reduce(1, *); out += t.scalars[(o * blk)..<((o + 1) * blk)] } }
        var s = ts[0].shape; s[a] = ts.reduce(0) { $0 + $1.shape[a] }
        return Tensor(shape: s, scalars: out)
    }
}

/// 1 / (1 + e^-x), without overflow for large |x|.
@inline(__always) public func stableSigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
    let e = Foundation.exp(x); return e / (1 + e)
}
