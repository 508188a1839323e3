import Foundation
import SpikeCKernels

/// Matrix products on row-major float32 buffers.
///
/// The kernels are C (target SpikeCKernels): a register-blocked dense kernel (4 rows x 16 columns of C in
/// AVX2 registers, fused multiply-add) and a spike-driven kernel that sums the rows of B at the nonzero
/// columns of each row of A; each has a portable version, and the AVX2 + FMA one is chosen at run time.
/// Rows of C are split into fixed chunks computed in parallel; every element of C is summed in the same order
/// whatever the thread count, so results are bitwise reproducible.
public enum GEMM {
    static let rowChunk = 16

    /// C[M, N] (+)= A[M, K] * B[K, N], all row-major and contiguous.
    public static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                                m: Int, n: Int, k: Int, accumulate: Bool) {
        if !accumulate { c.update(repeating: 0, count: m * n) }
        if m == 0 || n == 0 || k == 0 { return }
        let chunks = (m + rowChunk - 1) / rowChunk
        let work = m * n * k
        let pa = UncheckedSendable(a), pb = UncheckedSendable(b), pc = UncheckedSendable(c)
        // Spike-driven path: when A is mostly zeros (spikes, sparse activity), each row of C is the sum of the
        // rows of B at A's nonzero columns (`sk_spmm_rows`). Otherwise the dense register-blocked kernel
        // (`sk_gemm_rows`). Both are C with an AVX2 + FMA version chosen at run time. The crossover was
        // measured with `spike bench sweep` (docs/PERFORMANCE.md).
        let sparse = density(a, count: m * k) < sparseCrossover
        let body: (Int) -> Void = { chunk in
            let r0 = chunk * rowChunk, r1 = min(m, r0 + rowChunk)
            if sparse {
                let idx = UnsafeMutablePointer<Int32>.allocate(capacity: k)
                let val = UnsafeMutablePointer<Float>.allocate(capacity: k)
                sk_spmm_rows(pa.value, pb.value, pc.value, r0, r1, n, k, idx, val)
                idx.deallocate(); val.deallocate()
            } else {
                sk_gemm_rows(pa.value, pb.value, pc.value, r0, r1, n, k)
            }
        }
        if work < 1 << 16 { for ch in 0..<chunks { body(ch) } } else { Parallel.forEach(chunks: chunks, body) }
    }

    /// Density of A below which the spike-driven kernel is used (`SPIKEKIT_SPARSE_CROSSOVER` overrides).
    nonisolated(unsafe) public static var sparseCrossover: Float = {
        if let s = ProcessInfo.processInfo.environment["SPIKEKIT_SPARSE_CROSSOVER"], let v = Float(s) { return v }
        return 0.3
    }()

    /// Fraction of nonzero elements of `a` (every 7th element on large inputs).
    static func density(_ a: UnsafePointer<Float>, count: Int) -> Float {
        if count == 0 { return 0 }
        let stride = count > 1 << 16 ? 7 : 1
        var nz = 0, seen = 0, i = 0
        while i < count { if a[i] != 0 { nz += 1 }; seen += 1; i += stride }
        return Float(nz) / Float(seen)
    }
}

extension Tensor {
    /// `a^T g` for a sparse `a` `[R, K]` and dense `g` `[R, N]`: `[K, N]`, accumulated only over the nonzero
    /// entries of `a` (the weight gradient of a spike-driven layer). `a` is compressed by rows once; fixed
    /// chunks of output rows run in parallel, each reading the rows of `g` in order.
    public static func sparseTransposedProduct(_ a: Tensor, _ g: Tensor) -> Tensor {
        precondition(a.rank == 2 && g.rank == 2 && a.shape[0] == g.shape[0],
                     "sparseTransposedProduct: \(a.shape) and \(g.shape) do not share their leading extent")
        let (r, k, n) = (a.shape[0], a.shape[1], g.shape[1])
        var rowPtr = [Int32](repeating: 0, count: r + 1)
        var col: [Int32] = [], val: [Float] = []
        col.reserveCapacity(r * k / 4); val.reserveCapacity(r * k / 4)
        a.scalars.withUnsafeBufferPointer { p in
            for i in 0..<r {
                let row = p.baseAddress! + i * k
                for j in 0..<k where row[j] != 0 { col.append(Int32(j)); val.append(row[j]) }
                rowPtr[i + 1] = Int32(col.count)
            }
        }
        var out = [Float](repeating: 0, count: k * n)
        if r == 0 || k == 0 || n == 0 || col.isEmpty { return Tensor(shape: [k, n], scalars: out) }
        let chunk = Swift.max(8, (k + 15) / 16)
        let chunks = (k + chunk - 1) / chunk
        rowPtr.withUnsafeBufferPointer { rp in col.withUnsafeBufferPointer { cp in val.withUnsafeBufferPointer { vp in
            g.scalars.withUnsafeBufferPointer { gp in out.withUnsafeMutableBufferPointer { op in
                let ptrs = UncheckedSendable((rp.baseAddress!, cp.baseAddress!, vp.baseAddress!, gp.baseAddress!, op.baseAddress!))
                Parallel.forEach(chunks: chunks) { c in
                    let k0 = c * chunk, k1 = Swift.min(k, k0 + chunk)
                    sk_spmm_tn_rows(ptrs.value.0, ptrs.value.1, ptrs.value.2, r, ptrs.value.3, ptrs.value.4, n, k0, k1)
                }
            } }
        } } }
        return Tensor(shape: [k, n], scalars: out)
    }

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
