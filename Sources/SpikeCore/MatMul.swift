import Foundation

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
        // Spike-driven path: when A is mostly zeros (spikes, sparse activity), each row of C is the sum of the
        // rows of B at A's nonzero columns, accumulated in registers (`sparseKernel`). Otherwise the dense
        // cache-blocked kernel. The crossover was measured with `spike bench sweep` (see docs/PERFORMANCE.md).
        let sparse = density(a, count: m * k) < sparseCrossover
        let body: (Int) -> Void = { chunk in
            let r0 = chunk * rowChunk, r1 = min(m, r0 + rowChunk)
            if sparse { sparseKernel(pa.value, pb.value, pc.value, rows: r0..<r1, n: n, k: k) }
            else { kernel(pa.value, pb.value, pc.value, rows: r0..<r1, n: n, k: k) }
        }
        if work < 1 << 16 { for ch in 0..<chunks { body(ch) } } else { Parallel.forEach(chunks: chunks, body) }
    }

    /// Density of A below which the spike-driven kernel is used.
    nonisolated(unsafe) public static var sparseCrossover: Float = {
        if let s = ProcessInfo.processInfo.environment["SPIKEKIT_SPARSE_CROSSOVER"], let v = Float(s) { return v }
        return 0.3
    }()

    /// Fraction of nonzero elements among the first `count` of `a` (sampled on large inputs).
    static func density(_ a: UnsafePointer<Float>, count: Int) -> Float {
        if count == 0 { return 0 }
        let stride = count > 1 << 16 ? 7 : 1
        var nz = 0, seen = 0, i = 0
        while i < count { if a[i] != 0 { nz += 1 }; seen += 1; i += stride }
        return Float(nz) / Float(seen)
    }

    /// C[rows] += A[rows] B using only A's nonzero entries: for each row, the active column indices are
    /// gathered once, then 32-column tiles of C are accumulated in registers over the active rows of B.
    static func sparseKernel(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                             rows: Range<Int>, n: Int, k: Int) {
        let idx = UnsafeMutablePointer<Int>.allocate(capacity: k)
        let val = UnsafeMutablePointer<Float>.allocate(capacity: k)
        defer { idx.deallocate(); val.deallocate() }
        for i in rows {
            let arow = a + i * k
            var nnz = 0
            for kk in 0..<k where arow[kk] != 0 { idx[nnz] = kk; val[nnz] = arow[kk]; nnz += 1 }
            if nnz == 0 { continue }
            let crow = c + i * n
            var j = 0
            while j + 32 <= n {
                var c0 = UnsafeRawPointer(crow + j).loadUnaligned(as: SIMD8<Float>.self)
                var c1 = UnsafeRawPointer(crow + j + 8).loadUnaligned(as: SIMD8<Float>.self)
                var c2 = UnsafeRawPointer(crow + j + 16).loadUnaligned(as: SIMD8<Float>.self)
                var c3 = UnsafeRawPointer(crow + j + 24).loadUnaligned(as: SIMD8<Float>.self)
                for q in 0..<nnz {
                    let brow = UnsafeRawPointer(b + idx[q] * n + j)
                    let v = SIMD8<Float>(repeating: val[q])
                    c0 = c0 + v * brow.loadUnaligned(as: SIMD8<Float>.self)
                    c1 = c1 + v * brow.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                    c2 = c2 + v * brow.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
                    c3 = c3 + v * brow.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
                }
                UnsafeMutableRawPointer(crow + j).storeBytes(of: c0, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(crow + j + 8).storeBytes(of: c1, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(crow + j + 16).storeBytes(of: c2, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(crow + j + 24).storeBytes(of: c3, as: SIMD8<Float>.self)
                j += 32
            }
            while j < n {
                var acc = crow[j]
                for q in 0..<nnz { acc += val[q] * b[idx[q] * n + j] }
                crow[j] = acc
                j += 1
            }
        }
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
