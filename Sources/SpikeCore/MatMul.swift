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
    /// Rows per parallel chunk of the spike-driven product.
    static let sparseRowChunk = 32

    /// C[M, N] (+)= A[M, K] * B[K, N], all row-major and contiguous.
    public static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                                m: Int, n: Int, k: Int, accumulate: Bool) {
        if m == 0 || n == 0 || k == 0 {
            if !accumulate { c.update(repeating: 0, count: m * n) }
            return
        }
        let chunks = (m + rowChunk - 1) / rowChunk
        let work = m * n * k
        // Spike-driven path: when A is mostly zeros (spikes, sparse activity), A is compressed by rows once and
        // each row of C is the sum of the rows of B at A's nonzero columns (`sk_csr_spmm_rows`). Otherwise the
        // dense register-blocked kernel (`sk_gemm_rows`). Both are C with AVX versions chosen at run time. The
        // crossover was measured with `spike bench sweep` (docs/PERFORMANCE.md).
        let nonzeros = sk_count_nonzero(a, m * k)
        if Float(nonzeros) < sparseCrossover * Float(m * k) {
            CompressedRows(a, rows: m, columns: k, nonzeros: nonzeros).multiply(b, into: c, n: n, accumulate: accumulate)
            return
        }
        if !accumulate { c.update(repeating: 0, count: m * n) }
        let pa = UncheckedSendable(a), pb = UncheckedSendable(b), pc = UncheckedSendable(c)
        if sk_gemm_packed_available() != 0 {
            // B packed once into contiguous 32-column panels (AVX-512 kernel, the same bits as sk_gemm_rows).
            let packedCount = sk_packed_size(k, n)
            let raw = UnsafeMutableRawPointer.allocate(byteCount: packedCount * 4, alignment: 64)   // cache-line aligned panels
            defer { raw.deallocate() }
            let packed = raw.bindMemory(to: Float.self, capacity: packedCount)
            sk_pack_b(b, k, n, packed)
            let pp = UncheckedSendable(UnsafePointer(packed))
            let body: (Int) -> Void = { chunk in
                let r0 = chunk * rowChunk, r1 = min(m, r0 + rowChunk)
                sk_gemm_packed_rows(pa.value, pp.value, pc.value, r0, r1, n, k)
            }
            if work < 1 << 16 { for ch in 0..<chunks { body(ch) } } else { Parallel.forEach(chunks: chunks, body) }
            return
        }
        let body: (Int) -> Void = { chunk in
            let r0 = chunk * rowChunk, r1 = min(m, r0 + rowChunk)
            sk_gemm_rows(pa.value, pb.value, pc.value, r0, r1, n, k)
        }
        if work < 1 << 16 { for ch in 0..<chunks { body(ch) } } else { Parallel.forEach(chunks: chunks, body) }
    }

    /// Density of A below which the spike-driven kernel is used (`SPIKEKIT_SPARSE_CROSSOVER` overrides): 0.5,
    /// measured with `spike bench sweep` and `spike bench lif-layer --rate` forced sparse and forced dense
    /// (docs/PERFORMANCE.md: the spike-driven forward+backward wins up to 0.5, the dense one at 0.7).
    nonisolated(unsafe) public static var sparseCrossover: Float = {
        if let s = ProcessInfo.processInfo.environment["SPIKEKIT_SPARSE_CROSSOVER"], let v = Float(s) { return v }
        return 0.5
    }()

    /// Fraction of nonzero elements of `a` (an exact count, vectorised).
    static func density(_ a: UnsafePointer<Float>, count: Int) -> Float {
        if count == 0 { return 0 }
        return Float(sk_count_nonzero(a, count)) / Float(count)
    }
}

extension Tensor {
    /// `a^T g` for a sparse `a` `[R, K]` and dense `g` `[R, N]`: `[K, N]`, accumulated only over the nonzero
    /// entries of `a` (the weight gradient of a spike-driven layer), via `CompressedRows.transposedTimes`.
    public static func sparseTransposedProduct(_ a: Tensor, _ g: Tensor) -> Tensor {
        precondition(a.rank == 2 && g.rank == 2 && a.shape[0] == g.shape[0],
                     "sparseTransposedProduct: \(a.shape) and \(g.shape) do not share their leading extent")
        return CompressedRows(a).transposedTimes(g)
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
        // `accumulate: false` writes every element (zeroing first where the kernel accumulates).
        let out = [Float](unsafeUninitializedCapacity: m * n) { pc, count in
            aa.scalars.withUnsafeBufferPointer { pa in
                bb.scalars.withUnsafeBufferPointer { pb in
                    GEMM.multiply(pa.baseAddress!, pb.baseAddress!, pc.baseAddress!, m: m, n: n, k: k, accumulate: false)
                }
            }
            count = m * n
        }
        return Tensor(shape: [m, n], scalars: out)
    }
}

/// A matrix in compressed rows (CSR): for each row, the columns and values of its nonzero entries in
/// increasing column order. Built once from a dense (spike) matrix in one vectorised pass, it carries the
/// active inputs of a layer from the forward product to the weight gradient without scanning the dense
/// matrix again.
public struct CompressedRows: Sendable {
    /// Number of rows and columns of the dense matrix.
    public let rows: Int, columns: Int
    /// `rows + 1` offsets: row i's entries are `rowStart[i]..<rowStart[i + 1]`.
    public let rowStart: [Int32]
    /// Column of each entry (16 elements of slack at the end, written by the vector kernel).
    public let columnIndex: [Int32]
    /// Value of each entry (with the same slack).
    public let values: [Float]

    /// Number of nonzero entries.
    public var nonzeros: Int { Int(rowStart[rows]) }

    /// Whether every entry is exactly 1 (spikes): the products then add rows without multiplying (checked
    /// once, when the rows are compressed).
    public let isBinary: Bool

    /// Size of g (bytes) above which `transposedTimes` packs it into 128-column panels and walks them in tiles
    /// of rows (measured, packing included: 1.3-1.6x on g of 6400 x 256 and 6400 x 512, 4x on 8000 x 1024,
    /// about even on 1600 x 512; no gain below about 1 MiB).
    nonisolated(unsafe) static var blockedGradientBytes = 2 << 20
    /// Whether `timesTransposed` uses the 32-column panels where AVX-512 is available (the tests switch it
    /// off to compare with the direct kernel).
    nonisolated(unsafe) static var usePanels = true
    /// Rows of g per tile of the blocked weight gradient.
    static let gradientRowTile = 512
    /// Elements per parallel chunk of the compression (matrices with fewer run in one pass).
    nonisolated(unsafe) static var compressChunkElements = 1 << 17

    /// Compresses the row-major `[rows, columns]` matrix at `a` (`nonzeros` when already counted).
    public init(_ a: UnsafePointer<Float>, rows: Int, columns: Int, nonzeros: Int? = nil) {
        self.init(a, rows: rows, columns: columns, limit: nonzeros ?? sk_count_nonzero(a, rows * columns))!
    }

    /// Compresses `a`, or returns nil when it has more than `limit` nonzeros. Small matrices: one pass that
    /// stops early. Large ones: fixed chunks of rows in parallel (count, then compress each chunk into its
    /// own buffer and copy it into place), the same result.
    init?(_ a: UnsafePointer<Float>, rows: Int, columns: Int, limit: Int) {
        precondition(rows * columns < Int(Int32.max), "CompressedRows: \(rows) x \(columns) is too large for 32-bit indices")
        self.rows = rows; self.columns = columns
        let chunkRows = Swift.max(1, CompressedRows.compressChunkElements / Swift.max(1, columns))
        let chunks = (rows + chunkRows - 1) / chunkRows
        if chunks < 2 || Parallel.threadCount < 2 {
            var rp = [Int32](repeating: 0, count: rows + 1)
            var ci = [Int32](unsafeUninitializedCapacity: limit + 16) { _, n in n = limit + 16 }
            var va = [Float](unsafeUninitializedCapacity: limit + 16) { _, n in n = limit + 16 }
            let nnz = rp.withUnsafeMutableBufferPointer { r in ci.withUnsafeMutableBufferPointer { c in va.withUnsafeMutableBufferPointer { v in
                sk_compress_rows(a, rows, columns, r.baseAddress!, c.baseAddress!, v.baseAddress!, limit)
            } } }
            if nnz < 0 { return nil }
            rowStart = rp; columnIndex = ci; values = va
            isBinary = sk_all_ones(va, nnz) != 0
            return
        }
        let pa = UncheckedSendable(a)
        var counts = [Int](repeating: 0, count: chunks)
        counts.withUnsafeMutableBufferPointer { cp in
            let c = UncheckedSendable(cp.baseAddress!)
            Parallel.forEach(chunks: chunks) { ch in
                let r0 = ch * chunkRows, r1 = Swift.min(rows, r0 + chunkRows)
                c.value[ch] = sk_count_nonzero(pa.value + r0 * columns, (r1 - r0) * columns)
            }
        }
        let total = counts.reduce(0, +)
        if total > limit { return nil }
        var offsets = [Int](repeating: 0, count: chunks + 1)
        for ch in 0..<chunks { offsets[ch + 1] = offsets[ch] + counts[ch] }
        var rp = [Int32](repeating: 0, count: rows + 1)
        var ci = [Int32](unsafeUninitializedCapacity: total + 16) { _, n in n = total + 16 }
        var va = [Float](unsafeUninitializedCapacity: total + 16) { _, n in n = total + 16 }
        rp.withUnsafeMutableBufferPointer { r in ci.withUnsafeMutableBufferPointer { c in va.withUnsafeMutableBufferPointer { v in
            let p = UncheckedSendable((r.baseAddress!, c.baseAddress!, v.baseAddress!))
            offsets.withUnsafeBufferPointer { ob in
                let off = UncheckedSendable(ob.baseAddress!)
                Parallel.forEach(chunks: chunks) { ch in
                    let r0 = ch * chunkRows, r1 = Swift.min(rows, r0 + chunkRows), n = off.value[ch + 1] - off.value[ch]
                    let localRows = UnsafeMutablePointer<Int32>.allocate(capacity: r1 - r0 + 1)
                    let localCols = UnsafeMutablePointer<Int32>.allocate(capacity: n + 16)
                    let localVals = UnsafeMutablePointer<Float>.allocate(capacity: n + 16)
                    defer { localRows.deallocate(); localCols.deallocate(); localVals.deallocate() }
                    _ = sk_compress_rows(pa.value + r0 * columns, r1 - r0, columns, localRows, localCols, localVals, n)
                    let base = off.value[ch]
                    (p.value.1 + base).update(from: localCols, count: n)
                    (p.value.2 + base).update(from: localVals, count: n)
                    for i in 1...(r1 - r0) { p.value.0[r0 + i] = Int32(base) + localRows[i] }
                }
            }
        } } }
        rowStart = rp; columnIndex = ci; values = va
        isBinary = sk_all_ones(va, total) != 0
    }

    /// Compresses a rank-2 tensor.
    public init(_ t: Tensor) {
        precondition(t.rank == 2, "CompressedRows: needs a rank-2 tensor, got \(t.shape)")
        let (r, c) = (t.shape[0], t.shape[1])
        if t.count == 0 {
            self.rows = r; self.columns = c
            rowStart = [Int32](repeating: 0, count: r + 1); columnIndex = []; values = []; isBinary = true
            return
        }
        self = t.scalars.withUnsafeBufferPointer { CompressedRows($0.baseAddress!, rows: r, columns: c) }
    }

    /// The compressed rows of `t` when its density (fraction of nonzeros) is below `density`, else nil.
    public static func ifSparse(_ t: Tensor, below density: Float) -> CompressedRows? {
        guard t.rank == 2, t.count > 0 else { return nil }
        // Fewer than density x count nonzeros: one pass that stops as soon as there are more.
        let limit = Int((Double(density) * Double(t.count)).rounded(.up)) - 1
        guard limit >= 0 else { return nil }
        return t.scalars.withUnsafeBufferPointer { CompressedRows($0.baseAddress!, rows: t.shape[0], columns: t.shape[1], limit: Swift.min(limit, t.count)) }
    }

    /// `c[rows, n] += self * b` for row-major `b` `[columns, n]` (`c = self * b` without reading `c` unless
    /// `accumulate`): fixed chunks of rows in parallel.
    public func multiply(_ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>, n: Int, accumulate: Bool = true) {
        if rows == 0 || n == 0 { return }
        if nonzeros == 0 {
            if !accumulate { c.update(repeating: 0, count: rows * n) }
            return
        }
        let chunk = GEMM.sparseRowChunk
        let chunks = (rows + chunk - 1) / chunk
        rowStart.withUnsafeBufferPointer { rp in columnIndex.withUnsafeBufferPointer { cp in values.withUnsafeBufferPointer { vp in
            let p = UncheckedSendable((rp.baseAddress!, cp.baseAddress!, vp.baseAddress!, b, c))
            let body: (Int) -> Void = { ch in
                let r0 = ch * chunk, r1 = Swift.min(rows, r0 + chunk)
                sk_csr_spmm_rows(p.value.0, p.value.1, p.value.2, p.value.3, p.value.4, r0, r1, n, accumulate ? 0 : 1)
            }
            if nonzeros * n < 1 << 15 { for ch in 0..<chunks { body(ch) } } else { Parallel.forEach(chunks: chunks, body) }
        } } }
    }

    /// `self * b` for `b` `[columns, n]`: `[rows, n]`.
    public func times(_ b: Tensor) -> Tensor {
        precondition(b.rank == 2 && b.shape[0] == columns, "CompressedRows.times: [\(rows), \(columns)] x \(b.shape)")
        let n = b.shape[1]
        if rows * n == 0 || b.count == 0 { return .zeros([rows, n]) }
        let out = [Float](unsafeUninitializedCapacity: rows * n) { pc, count in
            b.scalars.withUnsafeBufferPointer { pb in multiply(pb.baseAddress!, into: pc.baseAddress!, n: n, accumulate: false) }
            count = rows * n
        }
        return Tensor(shape: [rows, n], scalars: out)
    }

    /// `self * w^T` for `w` `[n, columns]` (a Linear layer's weight): with AVX-512, `w` is transposed into
    /// 32-column panels (`WeightPanels`) and each task sums rows of one panel for a chunk of rows
    /// (`times(_: WeightPanels)`); otherwise `w` is transposed into a cache-line aligned buffer (each
    /// 64-byte load of a row of `w^T` then touches one cache line, not two) and multiplied as `times`.
    /// The same bits as `times(w.transposed())` either way.
    public func timesTransposed(_ w: Tensor) -> Tensor {
        precondition(w.rank == 2 && w.shape[1] == columns, "CompressedRows.timesTransposed: [\(rows), \(columns)] x \(w.shape)^T")
        let n = w.shape[0]
        if rows * n == 0 || columns == 0 { return .zeros([rows, n]) }
        if CompressedRows.usePanels && sk_sparse_blocked_available() != 0 && nonzeros > 0 { return times(WeightPanels(w)) }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: columns * n * 4, alignment: 64)
        defer { raw.deallocate() }
        let wt = raw.bindMemory(to: Float.self, capacity: columns * n)
        w.scalars.withUnsafeBufferPointer { pw in
            let p = UncheckedSendable((pw.baseAddress!, wt))
            let chunk = 64, chunks = (n + chunk - 1) / chunk   // fixed chunks of w's rows (disjoint columns of w^T)
            Parallel.forEach(chunks: n * columns < 1 << 16 ? 1 : chunks) { c in
                let r0 = n * columns < 1 << 16 ? 0 : c * chunk, r1 = n * columns < 1 << 16 ? n : Swift.min(n, r0 + chunk)
                sk_transpose(p.value.0, p.value.1, n, columns, r0, r1)
            }
        }
        let out = [Float](unsafeUninitializedCapacity: rows * n) { pc, count in
            multiply(wt, into: pc.baseAddress!, n: n, accumulate: false)
            count = rows * n
        }
        return Tensor(shape: [rows, n], scalars: out)
    }

    /// `self * w^T` for `w` given as its panels (`WeightPanels`, e.g. kept across calls): fixed tasks of
    /// (panel, 512 rows), panel-major, so a panel stays in a core's L2 across its row chunks and the bits do
    /// not depend on the thread count. The same bits as `timesTransposed(w)`. Needs
    /// `sk_sparse_blocked_available()` (AVX-512); elsewhere use `timesTransposed`.
    public func times(_ panels: WeightPanels) -> Tensor {
        precondition(panels.inputs == columns, "CompressedRows.times: [\(rows), \(columns)] x panels of \(panels.inputs) inputs")
        precondition(sk_sparse_blocked_available() != 0, "CompressedRows.times(panels): needs AVX-512")
        let n = panels.outputs
        if rows * n == 0 { return .zeros([rows, n]) }
        let rowChunk = 512, rowChunks = (rows + rowChunk - 1) / rowChunk
        let panelCount = (n + WeightPanels.width - 1) / WeightPanels.width
        let out = [Float](unsafeUninitializedCapacity: rows * n) { pc, count in
            rowStart.withUnsafeBufferPointer { rp in columnIndex.withUnsafeBufferPointer { cp in values.withUnsafeBufferPointer { vp in
                let p = UncheckedSendable((rp.baseAddress!, cp.baseAddress!, vp.baseAddress!, UnsafePointer(panels.pointer), pc.baseAddress!))
                let (rows, columns) = (self.rows, self.columns), binary: Int32 = isBinary ? 1 : 0
                Parallel.forEach(chunks: panelCount * rowChunks) { t in
                    let r0 = (t % rowChunks) * rowChunk, r1 = Swift.min(rows, r0 + rowChunk)
                    sk_csr_spmm_panel(p.value.0, p.value.1, p.value.2, p.value.3, p.value.4, r0, r1, n, columns, t / rowChunks, binary)
                }
            } } }
            count = rows * n
        }
        return Tensor(shape: [rows, n], scalars: out)
    }

    /// Rows of entries per chunk of the parallel regrouping by column.
    static let regroupRowChunk = 256

    /// Density of g below which `transposedTimes` reads g compressed (`transposedTimes(sparse:)`, only its
    /// nonzeros; `SPIKEKIT_SPARSE_GRAD_CROSSOVER` overrides, 0 switches it off). 0.1 is a conservative
    /// choice, not yet measured: the compressed path adds scalar gathers where the dense one adds vectors.
    nonisolated(unsafe) public static var sparseGradientCrossover: Float = {
        if let s = ProcessInfo.processInfo.environment["SPIKEKIT_SPARSE_GRAD_CROSSOVER"], let v = Float(s) { return v }
        return 0.1
    }()

    /// `self^T g` for `g` `[rows, n]` given in compressed rows: `[columns, n]`, adding only g's nonzero
    /// entries (`sk_csc_tn_sparse_rows`). Each output element gets its terms in the same order and with the
    /// same operations as `transposedTimes` on the dense g, and a skipped term is an exact zero, so the bits
    /// are the same (finite values). The sparse weight gradient of Perez-Nieves & Goodman (NeurIPS 2021):
    /// the work is the sum over rows of (nonzeros of self's row) x (nonzeros of g's row). Fixed chunks of
    /// output rows run in parallel, so the bits do not depend on the thread count.
    public func transposedTimes(sparse g: CompressedRows) -> Tensor {
        precondition(g.rows == rows, "CompressedRows.transposedTimes(sparse:): [\(rows), \(columns)]^T x [\(g.rows), \(g.columns)]")
        let (k, n, nnz) = (columns, g.columns, nonzeros)
        var out = [Float](repeating: 0, count: k * n)
        if k == 0 || n == 0 || nnz == 0 || g.nonzeros == 0 { return Tensor(shape: [k, n], scalars: out) }
        var colStart = [Int32](repeating: 0, count: k + 1)
        var rowIndex = [Int32](unsafeUninitializedCapacity: nnz) { _, c in c = nnz }
        let withValues = !isBinary
        var tval = withValues ? [Float](unsafeUninitializedCapacity: nnz) { _, c in c = nnz } : []
        regroupByColumn(colStart: &colStart, rowIndex: &rowIndex, values: &tval, withValues: withValues)
        let chunk = Swift.max(4, (k + 31) / 32), kChunks = (k + chunk - 1) / chunk
        colStart.withUnsafeBufferPointer { cs in rowIndex.withUnsafeBufferPointer { ri in tval.withUnsafeBufferPointer { tv in
            g.rowStart.withUnsafeBufferPointer { gp in g.columnIndex.withUnsafeBufferPointer { gcol in g.values.withUnsafeBufferPointer { gv in
                out.withUnsafeMutableBufferPointer { op in
                    let p = UncheckedSendable((cs.baseAddress!, ri.baseAddress!, withValues ? tv.baseAddress : nil,
                                               gp.baseAddress!, gcol.baseAddress!, gv.baseAddress!, op.baseAddress!))
                    Parallel.forEach(chunks: kChunks) { c in
                        let k0 = c * chunk, k1 = Swift.min(k, k0 + chunk)
                        let (cs, ri, tv, gp, gcol, gv, o) = p.value
                        sk_csc_tn_sparse_rows(cs, ri, tv, gp, gcol, gv, o, n, k0, k1)
                    }
                }
            } } }
        } } }
        return Tensor(shape: [k, n], scalars: out)
    }

    /// The entries regrouped by column (compressed columns: `colStart` [columns + 1], and per entry its row
    /// and value, rows increasing within a column), as `sk_csr_transpose`. Fixed chunks of rows count
    /// their entries per column, the counts give every chunk its own cursors, and the chunks scatter in
    /// parallel: the same result as the serial counting sort. Without `withValues` only the rows are
    /// scattered (`tval` is not touched: spikes, whose values are all 1).
    func regroupByColumn(colStart: inout [Int32], rowIndex: inout [Int32], values tval: inout [Float], withValues: Bool = true) {
        let k = columns, chunks = (rows + CompressedRows.regroupRowChunk - 1) / CompressedRows.regroupRowChunk
        var cursors = [Int32](repeating: 0, count: chunks * k)
        rowStart.withUnsafeBufferPointer { rp in columnIndex.withUnsafeBufferPointer { cp in values.withUnsafeBufferPointer { vp in
            cursors.withUnsafeMutableBufferPointer { cu in
                let p = UncheckedSendable((rp.baseAddress!, cp.baseAddress!, vp.baseAddress!, cu.baseAddress!))
                let rows = self.rows, chunk = CompressedRows.regroupRowChunk
                Parallel.forEach(chunks: chunks) { c in
                    sk_csr_count_columns(p.value.0, p.value.1, c * chunk, Swift.min(rows, (c + 1) * chunk), p.value.3 + c * k)
                }
                // Column starts, then each chunk's cursor: the column start plus the entries of earlier chunks.
                colStart.withUnsafeMutableBufferPointer { cs in
                    var total: Int32 = 0
                    for kk in 0..<k {
                        cs[kk] = total
                        for c in 0..<chunks {
                            let n = cu[c * k + kk]
                            cu[c * k + kk] = total
                            total += n
                        }
                    }
                    cs[k] = total
                }
                rowIndex.withUnsafeMutableBufferPointer { ri in tval.withUnsafeMutableBufferPointer { tv in
                    let q = UncheckedSendable((ri.baseAddress!, withValues ? tv.baseAddress : nil))
                    Parallel.forEach(chunks: chunks) { c in
                        sk_csr_scatter(p.value.0, p.value.1, p.value.2, c * chunk, Swift.min(rows, (c + 1) * chunk),
                                       p.value.3 + c * k, q.value.0, q.value.1)
                    }
                } }
            }
        } } }
    }

    /// `self^T g` for `g` `[rows, n]`: `[columns, n]`. The entries are regrouped by column (a counting sort,
    /// rows increasing), then each output row sums its rows of `g` in registers; fixed chunks of output rows
    /// run in parallel, so the bits do not depend on the thread count.
    public func transposedTimes(_ g: Tensor) -> Tensor {
        precondition(g.rank == 2 && g.shape[0] == rows, "CompressedRows.transposedTimes: [\(rows), \(columns)]^T x \(g.shape)")
        // A mostly-zero g (the gradient through neurons whose surrogate has compact support): only its nonzeros.
        if g.count > 0, nonzeros > 0, let gc = CompressedRows.ifSparse(g, below: CompressedRows.sparseGradientCrossover) {
            return transposedTimes(sparse: gc)
        }
        let (k, n, nnz) = (columns, g.shape[1], nonzeros)
        var out = [Float](repeating: 0, count: k * n)
        if k == 0 || n == 0 || nnz == 0 { return Tensor(shape: [k, n], scalars: out) }
        var colStart = [Int32](repeating: 0, count: k + 1)
        var rowIndex = [Int32](unsafeUninitializedCapacity: nnz) { _, c in c = nnz }
        // The blocked kernel (large g) reads g from contiguous 128-column panels (copied once; its tiles then
        // do not alias in the caches the way rows 4 KiB apart do). The direct kernel reads g in place, its
        // column blocks starting at g's first cache-line aligned column. For spikes (all values 1) the
        // blocked kernel adds rows of g without values, so the regrouping scatters only the rows.
        let blocked = sk_sparse_blocked_available() != 0 && rows * n * 4 > CompressedRows.blockedGradientBytes
        let withValues = !(blocked && isBinary)
        var tval = withValues ? [Float](unsafeUninitializedCapacity: nnz) { _, c in c = nnz } : []
        regroupByColumn(colStart: &colStart, rowIndex: &rowIndex, values: &tval, withValues: withValues)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: blocked ? rows * n * 4 : 64, alignment: 64)
        defer { raw.deallocate() }
        let ga = raw.bindMemory(to: Float.self, capacity: blocked ? rows * n : 16)
        let panels = (n + 127) / 128
        if blocked {
            g.scalars.withUnsafeBufferPointer { pg in
                let p = UncheckedSendable((pg.baseAddress!, ga))
                let rowChunk = 1024, rowChunks = (rows + rowChunk - 1) / rowChunk
                Parallel.forEach(chunks: panels * rowChunks) { c in
                    let r0 = (c / panels) * rowChunk, pp = c % panels
                    sk_pack_columns(p.value.0, rows, n, p.value.1, pp, pp + 1, r0, Swift.min(rows, r0 + rowChunk))
                }
            }
        }
        // A g of more than 2 MiB is walked in tiles of rows per 128-column block of the output
        // (`sk_csc_tn_block`); otherwise each output row sums its rows of g directly (`sk_csc_tn_rows`).
        let chunk = blocked ? 256 : Swift.max(4, (k + 31) / 32)
        let kChunks = (k + chunk - 1) / chunk, jBlocks = blocked ? (n + 127) / 128 : 1
        colStart.withUnsafeBufferPointer { cs in rowIndex.withUnsafeBufferPointer { ri in tval.withUnsafeBufferPointer { tv in
            g.scalars.withUnsafeBufferPointer { pg in out.withUnsafeMutableBufferPointer { op in
                let p = UncheckedSendable((cs.baseAddress!, ri.baseAddress!, withValues ? tv.baseAddress : nil,
                                           blocked ? UnsafePointer(ga) : pg.baseAddress!, op.baseAddress!))
                Parallel.forEach(chunks: kChunks * jBlocks) { c in
                    let k0 = (c % kChunks) * chunk, k1 = Swift.min(k, k0 + chunk)
                    if blocked {
                        let j0 = (c / kChunks) * 128, j1 = Swift.min(n, j0 + 128)
                        let cursor = UnsafeMutablePointer<Int32>.allocate(capacity: k1 - k0)
                        defer { cursor.deallocate() }
                        sk_csc_tn_block(p.value.0, p.value.1, p.value.2, p.value.3 + j0 * rows, j1 - j0, p.value.4, n, k0, k1, j0, j1,
                                        rows, CompressedRows.gradientRowTile, cursor)
                    } else {
                        sk_csc_tn_rows(p.value.0, p.value.1, p.value.2!, p.value.3, p.value.4, n, k0, k1)
                    }
                }
            } }
        } } }
        return Tensor(shape: [k, n], scalars: out)
    }
}

/// A weight W `[outputs, inputs]` transposed into the column panels that the spike-driven products read
/// (`CompressedRows.timesTransposed` on AVX-512, the fused Linear + neuron inference) (`sk_transpose_panels_width` with `width` columns): panel p holds columns p * width ..< (p + 1) *
/// width of W^T as an `[inputs, panel width]` row-major block, in one 64-byte aligned buffer.
public final class WeightPanels: @unchecked Sendable {
    /// Columns per panel (`SK_PANEL_WIDTH`).
    public static let width = Int(SK_PANEL_WIDTH)
    public let outputs: Int, inputs: Int
    /// The panels (`outputs * inputs` floats, 64-byte aligned).
    public let pointer: UnsafeMutablePointer<Float>

    /// The panels of `w` `[outputs, inputs]`.
    public init(_ w: Tensor) {
        precondition(w.rank == 2, "WeightPanels: needs [outputs, inputs], got \(w.shape)")
        (outputs, inputs) = (w.shape[0], w.shape[1])
        let count = Swift.max(1, outputs * inputs)
        pointer = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64).bindMemory(to: Float.self, capacity: count)
        let (n, k, width) = (outputs, inputs, WeightPanels.width)
        if n * k == 0 { return }
        w.scalars.withUnsafeBufferPointer { pw in
            let p = UncheckedSendable((pw.baseAddress!, pointer))
            Parallel.forEach(chunks: (n + width - 1) / width) { c in sk_transpose_panels_width(p.value.0, p.value.1, n, k, width, c, c + 1) }
        }
    }

    deinit { pointer.deallocate() }
}
