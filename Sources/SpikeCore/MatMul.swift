/// Dense matrix products on row-major float32 buffers.
///
/// The kernel is the i-k-j order over cache blocks (`kBlock` rows of B by `nBlock` columns, sized for the
/// L2 cache), with the innermost loop over a contiguous row of B and C in 8-wide SIMD (`c += a * b`, no
/// fused multiply-add call: see PERF-NOTES). Rows of C are split into fixed chunks computed in parallel;
/// every element of C is summed in the same order whatever the thread count, so results are bitwise
/// reproducible. A zero in A skips its whole row of B, which makes spike (0/1) inputs cheaper.
public enum GEMM {
    static let kBlock = 128
    static let nBlock = 1024
    static let rowChunk = 8

    /// C[M, N] (+)= A[M, K] * B[K, N], all row-major and contiguous.
    public static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                                m: Int, n: Int, k: Int, accumulate: Bool) {
        if !accumulate { c.update(repeating: 0, count: m * n) }
        if m == 0 || n == 0 || k == 0 { return }
        let chunks = (m + rowChunk - 1) / rowChunk
        let work = m * n * k
        let pa = UncheckedSendable(a), pb = UncheckedSendable(b), pc = UncheckedSendable(c)
        let body: (Int) -> Void = { chunk in
            let r0 = chunk * rowChunk, r1 = min(m, r0 + rowChunk)
            kernel(pa.value, pb.value, pc.value, rows: r0..<r1, n: n, k: k)
        }
        if work < 1 << 16 { for ch in 0..<chunks { body(ch) } } else { Parallel.forEach(chunks: chunks, body) }
    }

    @inline(__always)
    static func kernel(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                       rows: Range<Int>, n: Int, k: Int) {
        var k0 = 0
        while k0 < k {
            let k1 = min(k, k0 + kBlock)
            var n0 = 0
            while n0 < n {
                let n1 = min(n, n0 + nBlock)
                let width = n1 - n0
                let vec = width & ~7
                for i in rows {
                    let crow = c + i * n + n0
                    let arow = a + i * k
                    for kk in k0..<k1 {
                        let av = arow[kk]
                        if av == 0 { continue }
                        let brow = b + kk * n + n0
                        let a8 = SIMD8<Float>(repeating: av)
                        var j = 0
                        while j < vec {
                            let bv = UnsafeRawPointer(brow + j).loadUnaligned(as: SIMD8<Float>.self)
                            let cv = UnsafeRawPointer(crow + j).loadUnaligned(as: SIMD8<Float>.self)
                            UnsafeMutableRawPointer(crow + j).storeBytes(of: cv + a8 * bv, as: SIMD8<Float>.self)
                            j += 8
                        }
                        while j < width { crow[j] += av * brow[j]; j += 1 }
                    }
                }
                n0 = n1
            }
            k0 = k1
        }
    }
}

extension Tensor {
    /// Matrix product of rank-2 tensors, optionally transposing either operand first:
    /// `op(a)[M, K] * op(b)[K, N]`.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2, "matmul: needs rank-2 operands, got \(a.shape) and \(b.shape)")
        let aa = transposeA ? a.transposed() : a
        let bb = transposeB ? b.transposed() : b
        let (m, k) = (aa.shape[0], aa.shape[1])
        precondition(bb.shape[0] == k, "matmul: inner extents differ: \(aa.shape) x \(bb.shape)")
        let n = bb.shape[1]
        if m == 0 || n == 0 || k == 0 { return .zeros([m, n]) }
        var out = [Float](repeating: 0, count: m * n)
        aa.scalars.withUnsafeBufferPointer { pa in
            bb.scalars.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { pc in
                    GEMM.multiply(pa.baseAddress!, pb.baseAddress!, pc.baseAddress!, m: m, n: n, k: k, accumulate: false)
                }
            }
        }
        return Tensor(shape: [m, n], scalars: out)
    }
}
