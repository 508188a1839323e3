import Foundation

/// Differentiable operations on `Variable`s. Each states its VJP next to the forward.
extension Variable {
    // MARK: Arithmetic (broadcasting; the VJP sums the gradient back to each operand's shape)

    /// a + b. VJP: (g, g).
    public static func + (a: Variable, b: Variable) -> Variable {
        let (sa, sb) = (a.shape, b.shape)
        return record(a.value + b.value, parents: [a, b]) { g in [g.sumToShape(sa), g.sumToShape(sb)] }
    }
    /// a - b. VJP: (g, -g).
    public static func - (a: Variable, b: Variable) -> Variable {
        let (sa, sb) = (a.shape, b.shape)
        return record(a.value - b.value, parents: [a, b]) { g in [g.sumToShape(sa), (-g).sumToShape(sb)] }
    }
    /// a * b. VJP: (g b, g a).
    public static func * (a: Variable, b: Variable) -> Variable {
        let (va, vb) = (a.value, b.value)
        return record(va * vb, parents: [a, b]) { g in [(g * vb).sumToShape(va.shape), (g * va).sumToShape(vb.shape)] }
    }
    /// a / b. VJP: (g / b, -g a / b^2).
    public static func / (a: Variable, b: Variable) -> Variable {
        let (va, vb) = (a.value, b.value)
        return record(va / vb, parents: [a, b]) { g in
            [(g / vb).sumToShape(va.shape), (-(g * va) / (vb * vb)).sumToShape(vb.shape)]
        }
    }
    /// -a.
    public static prefix func - (a: Variable) -> Variable { record(-a.value, parents: [a]) { g in [-g] } }
    /// a + c for a constant c.
    public static func + (a: Variable, c: Float) -> Variable { record(a.value + c, parents: [a]) { g in [g] } }
    /// a - c for a constant c.
    public static func - (a: Variable, c: Float) -> Variable { record(a.value - c, parents: [a]) { g in [g] } }
    /// a * c for a constant c.
    public static func * (a: Variable, c: Float) -> Variable { record(a.value * c, parents: [a]) { g in [g * c] } }
    /// c * a for a constant c.
    public static func * (c: Float, a: Variable) -> Variable { a * c }
    /// a / c for a constant c.
    public static func / (a: Variable, c: Float) -> Variable { a * (1 / c) }

    // MARK: Elementwise functions

    /// e^x. VJP: g e^x.
    public func exp() -> Variable { let y = value.exp(); return Variable.record(y, parents: [self]) { g in [g * y] } }
    /// log x. VJP: g / x.
    public func log() -> Variable { let x = value; return Variable.record(x.log(), parents: [self]) { g in [g / x] } }
    /// sigmoid(x). VJP: g s (1 - s).
    public func sigmoid() -> Variable {
        let s = value.sigmoid()
        return Variable.record(s, parents: [self]) { g in [Tensor.zipWith(g, s) { $0 * $1 * (1 - $1) }] }
    }
    /// tanh(x). VJP: g (1 - t^2).
    public func tanh() -> Variable {
        let t = value.tanh()
        return Variable.record(t, parents: [self]) { g in [Tensor.zipWith(g, t) { $0 * (1 - $1 * $1) }] }
    }
    /// max(x, 0). VJP: g where x > 0.
    public func relu() -> Variable {
        let x = value
        return Variable.record(x.relu(), parents: [self]) { g in [Tensor.zipWith(g, x) { $1 > 0 ? $0 : 0 }] }
    }
    /// x^2. VJP: 2 g x.
    public func squared() -> Variable { let x = value; return Variable.record(x * x, parents: [self]) { g in [g * x * 2] } }

    /// softmax along `axis`. VJP: s (g - sum(g s)).
    public func softmax(axis: Int = -1) -> Variable {
        let s = value.softmax(axis: axis)
        return Variable.record(s, parents: [self]) { g in
            let gs = g * s
            return [s * (g - gs.sum(axis: axis, keepDims: true))]
        }
    }
    /// log softmax along `axis`. VJP: g - softmax * sum(g).
    public func logSoftmax(axis: Int = -1) -> Variable {
        let y = value.logSoftmax(axis: axis)
        return Variable.record(y, parents: [self]) { g in
            [g - y.exp() * g.sum(axis: axis, keepDims: true)]
        }
    }

    // MARK: Reductions

    /// Sum of all elements (a scalar). VJP: g broadcast.
    public func sum() -> Variable {
        let s = shape
        return Variable.record(Tensor(value.sum()), parents: [self]) { g in [Tensor(repeating: g.scalar, shape: s)] }
    }
    /// Mean of all elements (a scalar).
    public func mean() -> Variable { sum() / Float(Swift.max(1, value.count)) }
    /// Sum along `axis`. VJP: g broadcast back along the axis.
    public func sum(axis: Int, keepDims: Bool = false) -> Variable {
        let s = shape
        let a = value.axisIndex(axis)
        return Variable.record(value.sum(axis: axis, keepDims: keepDims), parents: [self]) { g in
            var ks = s; ks[a] = 1
            return [Tensor.zeros(s) + g.reshaped(ks)]
        }
    }
    /// Mean along `axis`.
    public func mean(axis: Int, keepDims: Bool = false) -> Variable {
        sum(axis: axis, keepDims: keepDims) / Float(shape[value.axisIndex(axis)])
    }
    /// Maximum along `axis`. VJP: the gradient goes to the first maximal element.
    public func max(axis: Int, keepDims: Bool = false) -> Variable {
        let x = value
        let (outer, n, inner) = x.split(axis)
        let arg = x.argmax(axis: axis)
        return Variable.record(x.max(axis: axis, keepDims: keepDims), parents: [self]) { g in
            var out = [Float](repeating: 0, count: x.count)
            for o in 0..<outer { for i in 0..<inner {
                let k = Int(arg.scalars[o * inner + i])
                out[(o * n + k) * inner + i] = g.scalars[o * inner + i]
            } }
            return [Tensor(shape: x.shape, scalars: out)]
        }
    }

    // MARK: Linear algebra and shapes

    /// op(a) x op(b) for rank-2 operands. VJP: dA = g op(b)^T, dB = op(a)^T g (with the transposes undone).
    public static func matmul(_ a: Variable, _ b: Variable, transposeA: Bool = false, transposeB: Bool = false) -> Variable {
        let (va, vb) = (a.value, b.value)
        // `x W^T` with sparse x (a Linear layer on spikes): x is compressed by rows once; the forward sums the
        // rows of W^T at the active inputs and the weight gradient `g^T x = (x^T g)^T` reuses the same
        // compressed rows (no rescan of x). Same bits as the general path below.
        if !transposeA && transposeB && va.rank == 2 && vb.rank == 2 && va.shape[1] == vb.shape[1],
           let rows = CompressedRows.ifSparse(va, below: GEMM.sparseCrossover) {
            let y = rows.timesTransposed(vb)
            return record(y, parents: [a, b]) { g in
                [a.requiresGrad ? Tensor.matmul(g, vb) : nil,
                 b.requiresGrad ? rows.transposedTimes(g).transposed() : nil]
            }
        }
        let y = Tensor.matmul(va, vb, transposeA: transposeA, transposeB: transposeB)
        return record(y, parents: [a, b]) { g in
            var ga: Tensor?, gb: Tensor?
            if a.requiresGrad {
                ga = transposeA ? Tensor.matmul(vb, g, transposeA: transposeB, transposeB: true)
                                : Tensor.matmul(g, vb, transposeB: !transposeB)
            }
            if b.requiresGrad {
                if transposeB {
                    // dB = g^T op(a). The GEMM skips zeros of its left operand, so when op(a) is sparse (spikes)
                    // compute (op(a)^T g)^T: only the rows of active inputs are accumulated.
                    gb = !transposeA && va.density < GEMM.sparseCrossover
                        ? Tensor.sparseTransposedProduct(va, g).transposed()
                        : Tensor.matmul(g, va, transposeA: true, transposeB: transposeA)
                } else {
                    gb = Tensor.matmul(va, g, transposeA: !transposeA)
                }
            }
            return [ga, gb]
        }
    }
    /// Swaps two axes (default: the last two).
    public func transposed(_ a0: Int = -2, _ a1: Int = -1) -> Variable {
        Variable.record(value.transposed(a0, a1), parents: [self]) { g in [g.transposed(a0, a1)] }
    }
    /// The same elements in another shape.
    public func reshaped(_ newShape: [Int]) -> Variable {
        let s = shape
        return Variable.record(value.reshaped(newShape), parents: [self]) { g in [g.reshaped(s)] }
    }
    /// Steps `range` of the leading (time) axis. VJP: g placed back into zeros.
    public func slice(_ range: Range<Int>) -> Variable {
        let s = shape
        return Variable.record(value.slice(range), parents: [self]) { g in
            let inner = s.dropFirst().reduce(1, *)
            var out = [Float](repeating: 0, count: s.reduce(1, *))
            out.replaceSubrange((range.lowerBound * inner)..<(range.upperBound * inner), with: g.scalars)
            return [Tensor(shape: s, scalars: out)]
        }
    }
    /// Stacks variables of one shape along a new leading axis. VJP: the slices of g.
    public static func stack(_ vs: [Variable]) -> Variable {
        record(Tensor.stack(vs.map(\.value)), parents: vs) { g in (0..<vs.count).map { g[time: $0] } }
    }
    /// Concatenates along `axis`. VJP: g split back into the pieces.
    public static func concatenate(_ vs: [Variable], axis: Int = 0) -> Variable {
        let y = Tensor.concatenate(vs.map(\.value), axis: axis)
        let a = y.axisIndex(axis)
        let sizes = vs.map { $0.shape[a] }
        return record(y, parents: vs) { g in
            let outer = g.shape[..<a].reduce(1, *), inner = g.shape[(a + 1)...].reduce(1, *)
            let total = g.shape[a]
            var pieces: [Tensor] = []
            var off = 0
            for (v, n) in zip(vs, sizes) {
                var out = [Float](); out.reserveCapacity(v.value.count)
                for o in 0..<outer { out += g.scalars[((o * total + off) * inner)..<((o * total + off + n) * inner)] }
                pieces.append(Tensor(shape: v.shape, scalars: out)); off += n
            }
            return pieces
        }
    }
}
