import XCTest
@testable import SpikeCore
import SpikeCKernels

final class TensorTests: XCTestCase {
    func testCreationAndIndexing() {
        let a = Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(a[1, 2], 5)
        XCTAssertEqual(Tensor.arange(0, 5).scalars, [0, 1, 2, 3, 4])
        XCTAssertEqual(Tensor.arange(1, 2, step: 0.25).count, 4)
        XCTAssertEqual(Tensor.full([2], 3).scalars, [3, 3])
        XCTAssertEqual(Tensor.ones([2, 2]).sum(), 4)
        XCTAssertEqual(Tensor([[1, 2], [3, 4]]).shape, [2, 2])
    }

    func testCopyOnWrite() {
        let a = Tensor([1, 2, 3])
        var b = a
        b[0] = 9
        XCTAssertEqual(a.scalars, [1, 2, 3])
        XCTAssertEqual(b.scalars, [9, 2, 3])
    }

    func testBroadcasting() {
        let a = Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5])
        XCTAssertEqual((a + Tensor([10, 20, 30])).scalars, [10, 21, 32, 13, 24, 35])
        XCTAssertEqual((a * Tensor(shape: [2, 1], scalars: [1, -1])).scalars, [0, 1, 2, -3, -4, -5])
        XCTAssertEqual(broadcastShape([4, 1, 3], [5, 1]), [4, 5, 3])
        XCTAssertEqual(Tensor.greater(a, Tensor(2)).scalars, [0, 0, 0, 1, 1, 1])
        XCTAssertEqual(Tensor.less(a, Tensor(2)).scalars, [1, 1, 0, 0, 0, 0])
        XCTAssertEqual(Tensor.equal(a, Tensor(2)).scalars, [0, 0, 1, 0, 0, 0])
        XCTAssertEqual(Tensor.ones([2, 3]).sumToShape([3]).scalars, [2, 2, 2])
    }

    func testReductionsAndArgmax() {
        let a = Tensor(shape: [2, 3], scalars: [0, 5, 2, 3, 4, 1])
        XCTAssertEqual(a.sum(axis: 0).scalars, [3, 9, 3])
        XCTAssertEqual(a.sum(axis: 1).scalars, [7, 8])
        XCTAssertEqual(a.mean(axis: 1).scalars, [7.0 / 3, 8.0 / 3])
        XCTAssertEqual(a.max(axis: 1).scalars, [5, 4])
        XCTAssertEqual(a.argmax(axis: 1).scalars, [1, 1])
        XCTAssertEqual(a.argmax(axis: 0).scalars, [1, 0, 0])
    }

    func testSoftmaxIsStableAndNormalised() {
        let s = Tensor([1000, 1001, 1002]).softmax()
        XCTAssertEqual(s.sum(), 1, accuracy: 1e-6)
        for (a, b) in zip(Tensor([1000, 1001, 1002]).logSoftmax().exp().scalars, s.scalars) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        XCTAssertTrue(Tensor([-10, 0, 10]).sigmoid().scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    func testShapeOperations() {
        let a = Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(a.transposed().scalars, [0, 3, 1, 4, 2, 5])
        XCTAssertEqual(a.reshaped([3, -1]).shape, [3, 2])
        XCTAssertEqual(a.slice(1..<2).scalars, [3, 4, 5])
        XCTAssertEqual(a[time: 0].scalars, [0, 1, 2])
        XCTAssertEqual(Tensor.stack([a, a]).shape, [2, 2, 3])
        XCTAssertEqual(Tensor.concatenate([a, a], axis: 1).scalars, [0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5])
        XCTAssertEqual(Tensor.concatenate([a, a], axis: 0).shape, [4, 3])
    }

    func testMatmulAgainstNaiveProduct() {
        var rng = SeededRandom(seed: 3)
        for (m, k, n) in [(1, 1, 1), (3, 5, 7), (17, 130, 33), (9, 300, 1030)] {
            let a = Tensor.uniform([m, k], low: -1, high: 1, rng: &rng)
            let b = Tensor.uniform([k, n], low: -1, high: 1, rng: &rng)
            let c = Tensor.matmul(a, b)
            for i in [0, m - 1] { for j in [0, n / 2, n - 1] {
                var s: Double = 0
                for kk in 0..<k { s += Double(a[i, kk]) * Double(b[kk, j]) }
                XCTAssertEqual(Double(c[i, j]), s, accuracy: 1e-4 * Double(k))
            } }
        }
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(Tensor.matmul(a, a, transposeB: true).scalars, [14, 32, 32, 77])
        XCTAssertEqual(Tensor.matmul(a, a, transposeA: true).shape, [3, 3])
        XCTAssertEqual(Tensor.matmul(Tensor.zeros([0, 3]), a, transposeB: true).shape, [0, 2])
    }

    func testMatmulIsBitwiseIndependentOfThreadCount() {
        var rng = SeededRandom(seed: 4)
        let a = Tensor.uniform([64, 200], rng: &rng), b = Tensor.uniform([200, 96], rng: &rng)
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        Parallel.threadCount = 1
        let one = Tensor.matmul(a, b)
        Parallel.threadCount = 2
        let two = Tensor.matmul(a, b)
        Parallel.threadCount = 5
        XCTAssertEqual(one.scalars, two.scalars)
        XCTAssertEqual(one.scalars, Tensor.matmul(a, b).scalars)
    }
}

final class SparseGEMMTests: XCTestCase {
    /// The spike-driven kernel (sparse left operand) against the dense kernel and a double-precision product.
    func testSparseAndDenseKernelsAgree() {
        var rng = SeededRandom(seed: 11)
        for (m, k, n, p) in [(40, 300, 70, Float(0.05)), (33, 64, 32, 0.2), (8, 16, 5, 0.1)] {
            let a = Tensor.bernoulli([m, k], p: p, rng: &rng) * Tensor.uniform([m, k], low: 0.5, high: 1.5, rng: &rng)
            let b = Tensor.uniform([k, n], low: -1, high: 1, rng: &rng)
            let saved = GEMM.sparseCrossover
            defer { GEMM.sparseCrossover = saved }
            GEMM.sparseCrossover = 1.1
            let sparse = Tensor.matmul(a, b)
            GEMM.sparseCrossover = 0
            let dense = Tensor.matmul(a, b)
            for i in 0..<m { for j in 0..<n {
                var s = 0.0
                for kk in 0..<k { s += Double(a[i, kk]) * Double(b[kk, j]) }
                XCTAssertEqual(Double(sparse[i, j]), s, accuracy: 1e-4)
                XCTAssertEqual(sparse[i, j], dense[i, j], accuracy: 1e-4)
            } }
        }
    }

    func testSparseKernelIsIndependentOfThreadCount() {
        var rng = SeededRandom(seed: 12)
        let a = Tensor.bernoulli([200, 256], p: 0.1, rng: &rng), b = Tensor.uniform([256, 96], rng: &rng)
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        Parallel.threadCount = 1
        let one = Tensor.matmul(a, b)
        Parallel.threadCount = 2
        XCTAssertEqual(one.scalars, Tensor.matmul(a, b).scalars)
    }
}

final class SparseTransposedProductTests: XCTestCase {
    func testEqualsTheDenseTransposedProductAndIgnoresThreadCount() {
        var rng = SeededRandom(seed: 21)
        let a = Tensor.bernoulli([50, 37], p: 0.1, rng: &rng) * 1.5, g = Tensor.uniform([50, 19], low: -1, high: 1, rng: &rng)
        let dense = Tensor.matmul(a, g, transposeA: true)
        let sparse = Tensor.sparseTransposedProduct(a, g)
        XCTAssertEqual(sparse.shape, [37, 19])
        for (x, y) in zip(sparse.scalars, dense.scalars) { XCTAssertEqual(x, y, accuracy: 1e-5) }
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        Parallel.threadCount = 1
        let one = Tensor.sparseTransposedProduct(a, g)
        Parallel.threadCount = 2
        XCTAssertEqual(one.scalars, Tensor.sparseTransposedProduct(a, g).scalars)
        XCTAssertEqual(Tensor.sparseTransposedProduct(Tensor.zeros([4, 3]), Tensor.ones([4, 2])).scalars, [Float](repeating: 0, count: 6))
    }
}

/// The compressed-rows kernels: the forward product and the weight gradient equal the gather kernels
/// (`sk_spmm_rows`, `sk_spmm_tn_rows`) bit for bit and a double-precision product within rounding, on edge
/// shapes (widths that are not multiples of 16, 32 or 128; empty, all-zero and all-one rows), whatever the
/// number of threads.
final class CompressedRowsTests: XCTestCase {
    func spikes(_ m: Int, _ k: Int, p: Float, rng: inout SeededRandom) -> Tensor {
        var a = Tensor.bernoulli([m, k], p: p, rng: &rng)
        if m > 2 {
            for j in 0..<k { a[1, j] = 1 }                          // an all-one row
            for j in 0..<k { a[2, j] = 0 }                          // an all-zero row
        }
        return a
    }

    func testProductEqualsTheGatherKernelAndADoubleProduct() {
        var rng = SeededRandom(seed: 41)
        for (m, k, n, p) in [(5, 17, 1, Float(0.3)), (40, 130, 70, 0.05), (33, 64, 129, 0.2), (9, 40, 256, 0.5), (3, 5, 31, 1)] {
            let a = spikes(m, k, p: p, rng: &rng) * Tensor.uniform([m, k], low: 0.5, high: 1.5, rng: &rng)
            let b = Tensor.uniform([k, n], low: -1, high: 1, rng: &rng)
            let csr = CompressedRows(a)
            XCTAssertEqual(csr.nonzeros, a.scalars.filter { $0 != 0 }.count)
            let fast = csr.times(b)
            var gather = [Float](repeating: 0, count: m * n)
            var idx = [Int32](repeating: 0, count: k), val = [Float](repeating: 0, count: k)
            a.scalars.withUnsafeBufferPointer { pa in b.scalars.withUnsafeBufferPointer { pb in
                sk_spmm_rows(pa.baseAddress!, pb.baseAddress!, &gather, 0, m, n, k, &idx, &val)
            } }
            XCTAssertEqual(fast.scalars, gather, "\(m)x\(k)x\(n)")
            let (av, bv, fv) = (a.scalars, b.scalars, fast.scalars)
            var worst = 0.0
            for i in 0..<m { for j in 0..<n {
                var s = 0.0
                for kk in 0..<k where av[i * k + kk] != 0 { s += Double(av[i * k + kk]) * Double(bv[kk * n + j]) }
                worst = max(worst, abs(Double(fv[i * n + j]) - s))
            } }
            XCTAssertLessThan(worst, 1e-4 * Double(k))
        }
    }

    func testTransposedProductEqualsTheScatterKernel() {
        var rng = SeededRandom(seed: 42)
        for (r, k, n, p) in [(50, 37, 19, Float(0.1)), (64, 130, 129, 0.05), (7, 3, 300, 0.6), (4, 9, 16, 0), (30, 20, 160, 0.2), (40, 12, 256, 0.3)] {
            let a = spikes(r, k, p: p, rng: &rng), g = Tensor.uniform([r, n], low: -1, high: 1, rng: &rng)
            let fast = CompressedRows(a).transposedTimes(g)
            XCTAssertEqual(fast.shape, [k, n])
            // The scatter kernel over the same compressed rows.
            var rowPtr: [Int32] = [0], col: [Int32] = [], val: [Float] = []
            for i in 0..<r { for j in 0..<k where a[i, j] != 0 { col.append(Int32(j)); val.append(a[i, j]) }; rowPtr.append(Int32(col.count)) }
            var scatter = [Float](repeating: 0, count: k * n)
            if !col.isEmpty {
                g.scalars.withUnsafeBufferPointer { pg in sk_spmm_tn_rows(rowPtr, col, val, r, pg.baseAddress!, &scatter, n, 0, k) }
            }
            XCTAssertEqual(fast.scalars, scatter, "\(r)x\(k)x\(n)")
            let dense = Tensor.matmul(a, g, transposeA: true)
            for (x, y) in zip(fast.scalars, dense.scalars) { XCTAssertEqual(x, y, accuracy: 1e-4) }
        }
    }

    func testLinearOnSpikesTakesTheCompressedPathWithTheSameNumbersAsTheDensePath() {
        var rng = SeededRandom(seed: 43)
        let x = Tensor.bernoulli([24, 70], p: 0.1, rng: &rng), w = Tensor.uniform([33, 70], low: -1, high: 1, rng: &rng)
        let g = Tensor.uniform([24, 33], low: -1, high: 1, rng: &rng)
        func run(crossover: Float) -> (Tensor, Tensor, Tensor) {
            let saved = GEMM.sparseCrossover
            defer { GEMM.sparseCrossover = saved }
            GEMM.sparseCrossover = crossover
            let xv = Variable(x, requiresGrad: true), wv = Variable(w, requiresGrad: true)
            let y = Variable.matmul(xv, wv, transposeB: true)
            (y * Variable(g)).sum().backward()
            return (y.value, xv.grad!, wv.grad!)
        }
        let sparse = run(crossover: 1.1), dense = run(crossover: 0)
        for (s, d) in [(sparse.0, dense.0), (sparse.1, dense.1), (sparse.2, dense.2)] {
            XCTAssertEqual(s.shape, d.shape)
            for (p, q) in zip(s.scalars, d.scalars) { XCTAssertEqual(p, q, accuracy: 1e-5) }
        }
    }

    func testOverwritingProductIgnoresWhatTheOutputHeld() {
        var rng = SeededRandom(seed: 46)
        let a = spikes(20, 50, p: 0.1, rng: &rng), b = Tensor.uniform([50, 150], rng: &rng)
        let csr = CompressedRows(a)
        var c = [Float](repeating: .nan, count: 20 * 150), acc = [Float](repeating: 0, count: 20 * 150)
        b.scalars.withUnsafeBufferPointer { pb in
            csr.multiply(pb.baseAddress!, into: &c, n: 150, accumulate: false)
            csr.multiply(pb.baseAddress!, into: &acc, n: 150)
        }
        XCTAssertEqual(c, acc)
        XCTAssertEqual(csr.times(b).scalars, acc)
        XCTAssertEqual(csr.timesTransposed(b.transposed()).scalars, acc)
        XCTAssertEqual(CompressedRows(Tensor.zeros([3, 4])).times(Tensor.ones([4, 2])).scalars, [Float](repeating: 0, count: 6))
    }

    func testCompressedKernelsAreIndependentOfThreadCount() {
        var rng = SeededRandom(seed: 44)
        let a = Tensor.bernoulli([300, 200], p: 0.1, rng: &rng), b = Tensor.uniform([200, 150], rng: &rng)
        let g = Tensor.uniform([300, 150], rng: &rng)
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        var results: [[Float]] = []
        for threads in [1, 2, 3] {
            Parallel.threadCount = threads
            let csr = CompressedRows(a)
            results.append(csr.times(b).scalars + csr.transposedTimes(g).scalars)
        }
        XCTAssertEqual(results[0], results[1])
        XCTAssertEqual(results[0], results[2])
    }

    func testParallelRegroupingByColumnEqualsTheSerialCountingSort() {
        var rng = SeededRandom(seed: 47)
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        // 1000 rows: three full chunks of 256 and a partial one; empty columns at p 0.01; an empty matrix.
        for (r, k, p) in [(1000, 70, Float(0.1)), (257, 300, 0.01), (3, 5, 0.5), (600, 4, 0.0)] {
            let a = Tensor.bernoulli([r, k], p: p, rng: &rng) * Tensor.uniform([r, k], low: 0.5, high: 2, rng: &rng)
            let csr = CompressedRows(a), nnz = csr.nonzeros
            var cs0 = [Int32](repeating: 0, count: k + 1), ri0 = [Int32](repeating: 0, count: nnz), tv0 = [Float](repeating: 0, count: nnz)
            var scratch = [Int32](repeating: 0, count: k)
            sk_csr_transpose(csr.rowStart, csr.columnIndex, csr.values, r, k, &cs0, &ri0, &tv0, &scratch)
            for threads in [1, 2, 3] {
                Parallel.threadCount = threads
                var cs = [Int32](repeating: -1, count: k + 1), ri = [Int32](repeating: -1, count: nnz), tv = [Float](repeating: .nan, count: nnz)
                csr.regroupByColumn(colStart: &cs, rowIndex: &ri, values: &tv)
                XCTAssertEqual(cs, cs0, "\(r)x\(k) threads \(threads)")
                XCTAssertEqual(ri, ri0, "\(r)x\(k) threads \(threads)")
                XCTAssertEqual(tv.map(\.bitPattern), tv0.map(\.bitPattern), "\(r)x\(k) threads \(threads)")
                var cs2 = [Int32](repeating: -1, count: k + 1), ri2 = [Int32](repeating: -1, count: nnz), none: [Float] = []
                csr.regroupByColumn(colStart: &cs2, rowIndex: &ri2, values: &none, withValues: false)
                XCTAssertEqual(cs2, cs0)
                XCTAssertEqual(ri2, ri0, "rows only, \(r)x\(k) threads \(threads)")
            }
        }
    }

    func testTransposeOfOddShapes() {
        var rng = SeededRandom(seed: 45)
        for (r, c) in [(1, 1), (17, 33), (40, 3), (0, 5), (40, 72)] {
            let a = Tensor.uniform([r, c], rng: &rng)
            let t = a.transposed()
            XCTAssertEqual(t.shape, [c, r])
            for i in 0..<r { for j in 0..<c { XCTAssertEqual(t[j, i], a[i, j]) } }
        }
    }
}

/// The packed AVX-512 dense kernel gives the bits of the unpacked kernel (both sum over k in order with
/// fused multiply-adds) on shapes that are not multiples of its 8 x 32 tile.
final class PackedGEMMTests: XCTestCase {
    func testPackedKernelEqualsTheUnpackedKernel() throws {
        try XCTSkipIf(sk_gemm_packed_available() == 0, "no AVX-512 on this CPU")
        var rng = SeededRandom(seed: 51)
        for (m, k, n) in [(1, 1, 1), (9, 5, 31), (17, 40, 33), (8, 64, 64), (23, 3, 70)] {
            let a = Tensor.uniform([m, k], low: -1, high: 1, rng: &rng), b = Tensor.uniform([k, n], low: -1, high: 1, rng: &rng)
            var packed = [Float](repeating: .nan, count: sk_packed_size(k, n))
            var plain = [Float](repeating: 0.5, count: m * n), fast = plain
            a.scalars.withUnsafeBufferPointer { pa in b.scalars.withUnsafeBufferPointer { pb in
                sk_pack_b(pb.baseAddress!, k, n, &packed)
                sk_gemm_rows(pa.baseAddress!, pb.baseAddress!, &plain, 0, m, n, k)
                sk_gemm_packed_rows(pa.baseAddress!, packed, &fast, 0, m, n, k)
            } }
            XCTAssertEqual(fast, plain, "\(m)x\(k)x\(n)")
        }
    }
}

/// The weight gradient walked in tiles of rows (the path for large g) gives the bits of the direct one.
final class BlockedGradientTests: XCTestCase {
    func testPanelledForwardEqualsTheDirectOne() throws {
        try XCTSkipIf(sk_sparse_blocked_available() == 0, "no AVX-512 on this CPU")
        var rng = SeededRandom(seed: 62)
        let saved = CompressedRows.usePanels
        defer { CompressedRows.usePanels = saved }
        // 300 outputs: nine full 32-column panels and a partial one of 12; 2100 rows: four full row chunks
        // and a partial one; 20 outputs: one partial panel; 48: a full and a partial one of 16.
        for (r, k, n, p) in [(2100, 40, 300, Float(0.1)), (30, 7, 20, 0.5), (5, 3, 129, 0.0), (70, 90, 48, 0.2)] {
            var a = Tensor.bernoulli([r, k], p: p, rng: &rng)
            for j in 0..<k { a[0, j] = 1 }
            let w = Tensor.uniform([n, k], low: -1, high: 1, rng: &rng)
            for values in [a, a * Tensor.uniform([r, k], low: 0.3, high: 2, rng: &rng)] {
                let csr = CompressedRows(values)
                CompressedRows.usePanels = false
                let direct = csr.timesTransposed(w)
                CompressedRows.usePanels = true
                XCTAssertEqual(csr.timesTransposed(w).scalars, direct.scalars, "\(r)x\(k)x\(n)")
                XCTAssertEqual(csr.times(WeightPanels(w)).scalars, direct.scalars, "\(r)x\(k)x\(n)")
                XCTAssertEqual(direct.scalars, csr.times(w.transposed()).scalars)
            }
        }
    }

    func testTiledWeightGradientEqualsTheDirectOne() {
        var rng = SeededRandom(seed: 61)
        let saved = CompressedRows.blockedGradientBytes
        defer { CompressedRows.blockedGradientBytes = saved }
        // 1200 rows: tiles of 512 and a partial one; 300 columns: two full 128-column blocks and a masked one.
        for (r, k, n, p) in [(1200, 70, 300, Float(0.05)), (600, 33, 20, 0.3), (515, 9, 129, 0.0)] {
            let a = Tensor.bernoulli([r, k], p: p, rng: &rng), g = Tensor.uniform([r, n], low: -1, high: 1, rng: &rng)
            // Spikes (the blocked kernel adds without values) and graded values (it multiplies).
            for values in [a, a * Tensor.uniform([r, k], low: 0.3, high: 2, rng: &rng)] {
                let csr = CompressedRows(values)
                CompressedRows.blockedGradientBytes = Int.max
                let direct = csr.transposedTimes(g)
                CompressedRows.blockedGradientBytes = 0
                XCTAssertEqual(csr.transposedTimes(g).scalars, direct.scalars, "\(r)x\(k)x\(n) binary \(csr.isBinary)")
            }
        }
    }

    /// The weight gradient on a mostly-zero g (`transposedTimes(sparse:)`, chosen below
    /// `sparseGradientCrossover`) has the bits of the dense-g kernels (direct and blocked), on 1 and 2 threads,
    /// with exact zeros of both signs, whole zero rows of g, and spike or valued inputs.
    func testWeightGradientOnASparseGradientEqualsTheDenseKernelsBitForBit() {
        var rng = SeededRandom(seed: 49)
        let savedThreads = Parallel.threadCount, savedBytes = CompressedRows.blockedGradientBytes
        let savedCrossover = CompressedRows.sparseGradientCrossover
        defer {
            Parallel.threadCount = savedThreads; CompressedRows.blockedGradientBytes = savedBytes
            CompressedRows.sparseGradientCrossover = savedCrossover
        }
        for (r, k, n, pa, pg) in [(60, 37, 19, Float(0.1), Float(0.05)), (300, 70, 130, 0.2, 0.02), (1100, 64, 512, 0.05, 0.08),
                                  (40, 12, 256, 0.3, 0.3), (16, 9, 16, 0.0, 0.1), (20, 8, 33, 0.5, 0.0)] {
            let spikes = Tensor.bernoulli([r, k], p: pa, rng: &rng)
            let mask = Tensor.bernoulli([r, n], p: pg, rng: &rng)
            var gs = (mask * Tensor.uniform([r, n], low: -1, high: 1, rng: &rng)).scalars
            for q in stride(from: 0, to: gs.count, by: 7) where gs[q] == 0 { gs[q] = -0.0 }    // negative zeros
            for j in 0..<n { gs[min(3, r - 1) * n + j] = 0 }                                    // a zero row
            let g = Tensor(shape: [r, n], scalars: gs)
            for a in [spikes, spikes * Tensor.uniform([r, k], low: 0.3, high: 2, rng: &rng)] {
                let csr = CompressedRows(a)
                CompressedRows.sparseGradientCrossover = 0
                var dense: [[Float]] = []
                for bytes in [Int.max, 0] {
                    CompressedRows.blockedGradientBytes = bytes
                    dense.append(csr.transposedTimes(g).scalars)
                }
                CompressedRows.blockedGradientBytes = savedBytes
                if sk_sparse_blocked_available() != 0 { XCTAssertEqual(dense[0].map(\.bitPattern), dense[1].map(\.bitPattern)) }
                let gc = CompressedRows(g)
                XCTAssertEqual(gc.nonzeros, gs.filter { $0 != 0 }.count)
                for threads in [1, 2] {
                    Parallel.threadCount = threads
                    let sparse = csr.transposedTimes(sparse: gc)
                    XCTAssertEqual(sparse.shape, [k, n])
                    XCTAssertEqual(sparse.scalars.map(\.bitPattern), dense[0].map(\.bitPattern),
                                   "\(r)x\(k)x\(n) binary \(csr.isBinary) threads \(threads)")
                    // Chosen by transposedTimes itself below the crossover.
                    CompressedRows.sparseGradientCrossover = 0.5
                    XCTAssertEqual(csr.transposedTimes(g).scalars.map(\.bitPattern), dense[0].map(\.bitPattern))
                    CompressedRows.sparseGradientCrossover = 0
                }
                Parallel.threadCount = savedThreads
                // And it is the product itself.
                let reference = Tensor.matmul(a, g, transposeA: true)
                for (x, y) in zip(dense[0], reference.scalars) { XCTAssertEqual(x, y, accuracy: 1e-4) }
            }
        }
    }
}

/// The vectorised sum follows its documented order exactly (64 partial sums, pairwise, then the tail).
final class FixedOrderSumTests: XCTestCase {
    func testSumFollowsTheDocumentedOrder() {
        var rng = SeededRandom(seed: 71)
        for count in [255, 256, 1000, 4099] {
            let t = Tensor.uniform([count], low: -1, high: 1, rng: &rng)
            let x = t.scalars
            var acc = [Float](repeating: 0, count: 64)
            var i = 0
            while i + 64 <= count { for j in 0..<64 { acc[j] += x[i + j] }; i += 64 }
            var w = 32
            while w >= 1 { for j in 0..<w { acc[j] += acc[j + w] }; w /= 2 }
            var s = acc[0]
            while i < count { s += x[i]; i += 1 }
            XCTAssertEqual(t.sum(), count < 256 ? x.reduce(0, +) : s, "\(count)")
            XCTAssertEqual(Double(t.sum()), x.reduce(0.0) { $0 + Double($1) }, accuracy: 1e-3)
        }
    }
}

/// Compression in parallel chunks gives the compressed rows of the one-pass compression, and refuses a
/// matrix above the limit.
final class ChunkedCompressionTests: XCTestCase {
    func testChunkedCompressionEqualsOnePass() {
        var rng = SeededRandom(seed: 81)
        let saved = CompressedRows.compressChunkElements, threads = Parallel.threadCount
        defer { CompressedRows.compressChunkElements = saved; Parallel.threadCount = threads }
        Parallel.threadCount = 2
        for (m, k, p) in [(50, 37, Float(0.1)), (7, 300, 0.5), (33, 16, 0)] {
            var a = Tensor.bernoulli([m, k], p: p, rng: &rng) * Tensor.uniform([m, k], low: 0.5, high: 1.5, rng: &rng)
            for j in 0..<k { a[1, j] = 1 }
            CompressedRows.compressChunkElements = Int.max
            let one = CompressedRows(a)
            CompressedRows.compressChunkElements = 3 * k + 5   // chunks of 3 rows
            let chunked = CompressedRows(a)
            XCTAssertEqual(chunked.rowStart, one.rowStart)
            XCTAssertEqual(Array(chunked.columnIndex.prefix(one.nonzeros)), Array(one.columnIndex.prefix(one.nonzeros)))
            XCTAssertEqual(Array(chunked.values.prefix(one.nonzeros)), Array(one.values.prefix(one.nonzeros)))
            XCTAssertNil(CompressedRows.ifSparse(a, below: Float(one.nonzeros) / Float(m * k) * 0.999))
            XCTAssertEqual(CompressedRows.ifSparse(a, below: 1.1)?.rowStart, one.rowStart)
        }
    }
}
