/// NumPy broadcasting of two shapes: axes aligned from the right, extents equal or 1.
public func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int] {
    let n = max(a.count, b.count)
    var out = [Int](repeating: 1, count: n)
    for i in 0..<n {
        let x = i < n - a.count ? 1 : a[i - (n - a.count)]
        let y = i < n - b.count ? 1 : b[i - (n - b.count)]
        precondition(x == y || x == 1 || y == 1, "broadcast: shapes \(a) and \(b) do not broadcast")
        out[i] = x == 1 ? y : x
    }
    return out
}

extension Tensor {
    /// Applies `f` elementwise to two tensors after broadcasting them to a common shape.
    @inlinable
    public static func zipWith(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        if a.shape == b.shape {
            var out = [Float](repeating: 0, count: a.count)
            a.scalars.withUnsafeBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { po in
                        for i in 0..<po.count { po[i] = f(pa[i], pb[i]) }
                    }
                }
            }
            return Tensor(shape: a.shape, scalars: out)
        }
        if b.count == 1 { let y = b.scalars[0]; return Tensor(shape: broadcastShape(a.shape, b.shape), scalars: a.scalars.map { f($0, y) }) }
        if a.count == 1 { let x = a.scalars[0]; return Tensor(shape: broadcastShape(a.shape, b.shape), scalars: b.scalars.map { f(x, $0) }) }
        // Fast path: b's shape is a trailing part of a's (a bias added to every row).
        if b.rank <= a.rank, Array(a.shape.suffix(b.rank)) == b.shape, b.count > 0 {
            let n = b.count
            var out = [Float](repeating: 0, count: a.count)
            a.scalars.withUnsafeBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { po in
                        var i = 0
                        while i < po.count { for j in 0..<n { po[i + j] = f(pa[i + j], pb[j]) }; i += n }
                    }
                }
            }
            return Tensor(shape: a.shape, scalars: out)
        }
        let shape = broadcastShape(a.shape, b.shape)
        let ia = broadcastIndex(from: a.shape, to: shape)
        let ib = broadcastIndex(from: b.shape, to: shape)
        var out = [Float](repeating: 0, count: ia.count)
        for i in 0..<out.count { out[i] = f(a.scalars[ia[i]], b.scalars[ib[i]]) }
        return Tensor(shape: shape, scalars: out)
    }

    /// For every element of `target` (row-major), the flat index of the element of a tensor of `source`
    /// shape that broadcasting maps onto it.
    public static func broadcastIndex(from source: [Int], to target: [Int]) -> [Int] {
        let n = target.count
        let padded = [Int](repeating: 1, count: n - source.count) + source
        let srcStrides = Tensor.strides(of: padded).enumerated().map { padded[$0.offset] == 1 ? 0 : $0.element }
        let total = target.reduce(1, *)
        var out = [Int](repeating: 0, count: total)
        var idx = [Int](repeating: 0, count: n)
        var flat = 0
        for i in 0..<total {
            out[i] = flat
            var ax = n - 1
            while ax >= 0 {
                idx[ax] += 1; flat += srcStrides[ax]
                if idx[ax] < target[ax] { break }
                flat -= srcStrides[ax] * idx[ax]; idx[ax] = 0; ax -= 1
            }
        }
        return out
    }

    /// Sums this tensor down to `shape` (the reverse of broadcasting `shape` up to this tensor's shape).
    public func sumToShape(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        // Fast path: summing leading axes away (the gradient of a bias added to every row).
        if target.count <= rank, Array(shape.suffix(target.count)) == target || target.allSatisfy({ $0 == 1 }) && target.reduce(1, *) == 1 {
            let n = target.reduce(1, *)
            if n > 0 {
                var out = [Float](repeating: 0, count: n)
                scalars.withUnsafeBufferPointer { p in
                    var i = 0
                    while i < p.count { for j in 0..<n { out[j] += p[i + j] }; i += n }
                }
                return Tensor(shape: target, scalars: out)
            }
        }
        let idx = Tensor.broadcastIndex(from: target, to: shape)
        var out = [Float](repeating: 0, count: target.reduce(1, *))
        for i in 0..<count { out[idx[i]] += scalars[i] }
        return Tensor(shape: target, scalars: out)
    }

    /// Applies `f` to every element.
    @inlinable public func map(_ f: (Float) -> Float) -> Tensor { Tensor(shape: shape, scalars: scalars.map(f)) }
}

// MARK: - Elementwise arithmetic (broadcasting)
extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor { zipWith(a, b, +) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { zipWith(a, b, -) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { zipWith(a, b, *) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { zipWith(a, b, /) }
    public static func + (a: Tensor, b: Float) -> Tensor { a.map { $0 + b } }
    public static func - (a: Tensor, b: Float) -> Tensor { a.map { $0 - b } }
    public static func * (a: Tensor, b: Float) -> Tensor { a.map { $0 * b } }
    public static func / (a: Tensor, b: Float) -> Tensor { a.map { $0 / b } }
    public static func * (a: Float, b: Tensor) -> Tensor { b.map { a * $0 } }
    public static prefix func - (a: Tensor) -> Tensor { a.map { -$0 } }
    public static func += (a: inout Tensor, b: Tensor) {
        if a.shape == b.shape {
            a.scalars.withUnsafeMutableBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in for i in 0..<pa.count { pa[i] += pb[i] } }
            }
        } else { a = a + b }
    }

    /// 1 where `a > b` else 0 (broadcasting).
    public static func greater(_ a: Tensor, _ b: Tensor) -> Tensor { zipWith(a, b) { $0 > $1 ? 1 : 0 } }
    /// 1 where `a >= b` else 0 (broadcasting).
    public static func greaterEqual(_ a: Tensor, _ b: Tensor) -> Tensor { zipWith(a, b) { $0 >= $1 ? 1 : 0 } }
    /// 1 where `a < b` else 0 (broadcasting).
    public static func less(_ a: Tensor, _ b: Tensor) -> Tensor { zipWith(a, b) { $0 < $1 ? 1 : 0 } }
    /// 1 where `a == b` else 0 (broadcasting).
    public static func equal(_ a: Tensor, _ b: Tensor) -> Tensor { zipWith(a, b) { $0 == $1 ? 1 : 0 } }
    /// Elementwise maximum (broadcasting).
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor { zipWith(a, b) { Swift.max($0, $1) } }
}
