import XCTest
import SpikeCore
import SpikeNN
import SpikeCoding

final class EncoderLatencyTests: XCTestCase {
    typealias Kit = EncoderTestKit

    /// snnTorch's docstring example: latency([0.02, 0.5, 1], num_steps=5, normalize=True, linear=True) gives
    /// times [3.92, 2, 0] and spikes at steps 4, 2, 0. (All expected values in these tests were also checked
    /// against snnTorch 1.0.0's `spikegen.latency_code` / `spikegen.latency` in Python.)
    func testSnnTorchDocstringExample() throws {
        let x = Tensor([0.02, 0.5, 1])
        let (t, below) = try Encode.latencyTimes(x, steps: 5, normalize: true, linear: true)
        Kit.assertClose(t.scalars, [3.92, 2, 0], tol: 1e-5)
        XCTAssertEqual(below, [false, false, false])
        let s = try Encode.latency(x, steps: 5, normalize: true, linear: true)
        XCTAssertEqual(s.shape, [5, 3])
        XCTAssertEqual(s.scalars, [0, 0, 1,
                                   0, 0, 0,
                                   0, 1, 0,
                                   0, 0, 0,
                                   1, 0, 0])
    }

    /// Logarithmic code, t = tau ln(x / (x - thr)), hand-computed: tau 5, thr 0.01:
    /// 0.5 -> 0.1010, 0.1 -> 0.5268, 0.02 -> 5 ln 2 = 3.4657; 0.005 < thr saturates at 5 ln(100001) = 57.54,
    /// beyond the window: an error, or no spike with bypass.
    func testLogarithmicHandCasesAndBypass() throws {
        let x = Tensor([0.5, 0.1, 0.02, 0.005])
        let (t, below) = try Encode.latencyTimes(x, steps: 5, tau: 5)
        Kit.assertClose(Array(t.scalars[0..<3]), [0.1010135, 0.5268023, 3.4657359], tol: 1e-5)
        XCTAssertEqual(t.scalars[3], 57.535622, accuracy: 1e-3)
        XCTAssertEqual(below, [false, false, false, true])
        Kit.assertCodingError(["latency", "spike time 58.0", "beyond the window [0, 4]", "bypass"]) {
            try Encode.latency(x, steps: 5, tau: 5)
        }
        XCTAssertEqual(Kit.spikeSteps(try Encode.latency(x, steps: 5, tau: 5, bypass: true)), [0, 1, 3, nil])
        // Clipped elements are not checked against the window (snnTorch would raise here).
        XCTAssertEqual(Kit.spikeSteps(try Encode.latency(x, steps: 5, tau: 5, clip: true)), [0, 1, 3, nil])
    }

    /// normalize: t (T - 1) / max t. x = [1, 0.5, 0.02, 0.011]: t = [0.01005, 0.02020, 0.69315, 2.39790] ->
    /// [0.0168, 0.0337, 1.1563, 4] -> steps 0, 0, 1, 4. With a value below the threshold the saturated time is
    /// the maximum and lands on the last step unless clip.
    func testLogarithmicNormalizeAndClip() throws {
        let x = Tensor([1, 0.5, 0.02, 0.011])
        let (t, _) = try Encode.latencyTimes(x, steps: 5, normalize: true)
        Kit.assertClose(t.scalars, [0.016765181, 0.03370072, 1.1562594, 4], tol: 1e-5)
        XCTAssertEqual(Kit.spikeSteps(try Encode.latency(x, steps: 5, normalize: true)), [0, 0, 1, 4])
        let y = Tensor([1, 0.02, 0.005])
        XCTAssertEqual(Kit.spikeSteps(try Encode.latency(y, steps: 5, normalize: true)), [0, 0, 4])
        XCTAssertEqual(Kit.spikeSteps(try Encode.latency(y, steps: 5, clip: true, normalize: true)), [0, 0, nil])
    }

    /// first_spike_time t0 shifts the log code: t + t0 = [1.01005, 1.69315, 3.39790] -> steps 1, 2, 3; with
    /// normalize and t0 = 2 over 6 steps: (t - 2) * 3 / max(t - 2) + 2 = [2.01257, 2.86719, 5] -> 2, 3, 5.
    func testFirstSpikeTime() throws {
        let x = Tensor([1, 0.02, 0.011])
        let (t, _) = try Encode.latencyTimes(x, steps: 6, firstSpikeTime: 1)
        Kit.assertClose(t.scalars, [1.0100503, 1.6931472, 3.3978951], tol: 1e-5)
        XCTAssertEqual(Kit.spikeSteps(try Encode.latency(x, steps: 6, firstSpikeTime: 1)), [1, 2, 3])
        let (tn, _) = try Encode.latencyTimes(x, steps: 6, firstSpikeTime: 2, normalize: true)
        Kit.assertClose(tn.scalars, [2.0125740, 2.8671947, 5], tol: 1e-5)
        XCTAssertEqual(Kit.spikeSteps(try Encode.latency(x, steps: 6, firstSpikeTime: 2, normalize: true)), [2, 3, 5])
    }

    /// Linear: t = min(-tau (x - 1), -tau (thr - 1)) + t0; tau 4: [1, 0.5, 0.25, 0.005] -> [0, 2, 3, 3.96] ->
    /// steps 0, 2, 3, 4 (the last removed by clip). normalize with t0 = 2 over 8 steps: tau = 5, t = [2, 4.5,
    /// 5.75, 6.95] -> 2, 4, 6, 7. Rounding is half to even (torch.round): 1.5 -> 2, 0.5 -> 0, 4.5 -> 4.
    func testLinearHandCases() throws {
        let x = Tensor([1, 0.5, 0.25, 0.005])
        let (t, _) = try Encode.latencyTimes(x, steps: 6, tau: 4, linear: true)
        Kit.assertClose(t.scalars, [0, 2, 3, 3.96], tol: 1e-5)
        XCTAssertEqual(Kit.spikeSteps(try Encode.latency(x, steps: 6, tau: 4, linear: true)), [0, 2, 3, 4])
        XCTAssertEqual(Kit.spikeSteps(try Encode.latency(x, steps: 6, tau: 4, clip: true, linear: true)), [0, 2, 3, nil])
        let (tn, _) = try Encode.latencyTimes(x, steps: 8, firstSpikeTime: 2, normalize: true, linear: true)
        Kit.assertClose(tn.scalars, [2, 4.5, 5.75, 6.95], tol: 1e-5)
        XCTAssertEqual(Kit.spikeSteps(try Encode.latency(x, steps: 8, firstSpikeTime: 2, normalize: true, linear: true)), [2, 4, 6, 7])
        XCTAssertEqual(Kit.spikeSteps(try Encode.latency(Tensor([0.25, 0.75]), steps: 4, tau: 2, linear: true)), [2, 0])
    }

    /// Larger value, earlier (or equal) spike, for both codes; one spike per element; shape [T, B, ...].
    func testLatencyOrderingAndShape() throws {
        var rng = SeededRandom(seed: 8)
        let x = Tensor.uniform([4, 3, 5], low: 0.02, high: 1, rng: &rng)
        for linear in [false, true] {
            let m = LatencyEncoder(steps: 20, tau: 5, normalize: true, linear: linear)
            let s = m(Variable(x)).value
            XCTAssertEqual(s.shape, [20, 4, 3, 5])
            XCTAssertEqual(Kit.counts(s), [Float](repeating: 1, count: x.count))
            let steps = Kit.spikeSteps(s).map { $0! }
            for i in 0..<x.count { for j in 0..<x.count where x.scalars[i] > x.scalars[j] {
                XCTAssertLessThanOrEqual(steps[i], steps[j], "linear \(linear): \(x.scalars[i]) vs \(x.scalars[j])")
            } }
            XCTAssertLessThan(steps.min()!, steps.max()!)
        }
    }

    /// SPAIC relative latency, hand case: x = [1, 0.5, 0], T = 11: e = exp(-x) - min = [0, 0.2387, 0.6321],
    /// idx = floor(10 * 0.9999999 * ...) = [0, 2, 6]; cut = floor(0.8 * 6) = 4 silences the weakest.
    func testRelativeLatencyHandCaseAndPerSample() throws {
        let s = try Encode.relativeLatency(Tensor([[1, 0.5, 0]]), steps: 11)
        XCTAssertEqual(s.shape, [11, 1, 3])
        XCTAssertEqual(Kit.spikeSteps(s), [0, 2, nil])
        XCTAssertEqual(Kit.spikeSteps(try Encode.relativeLatency(Tensor([[1, 0.5, 0]]), steps: 11, cutFraction: nil)), [0, 2, 6])
        // Relative within each sample: scaling one sample up shifts it, not the other sample; the strongest of
        // each sample fires first.
        let a = try Encode.relativeLatency(Tensor([[0.9, 0.3, 0.6], [0.2, 0.1, 0.4]]), steps: 30)
        let b = try Encode.relativeLatency(Tensor([[0.9, 0.3, 0.6], [2.2, 2.1, 2.4]]), steps: 30)
        XCTAssertEqual(Array(Kit.spikeSteps(a)[0..<3]), Array(Kit.spikeSteps(b)[0..<3]))
        XCTAssertEqual(Kit.spikeSteps(a)[0], 0)
        XCTAssertEqual(Kit.spikeSteps(a)[5], 0)
        let sa = Kit.spikeSteps(a)
        XCTAssertLessThan(sa[2]!, sa[1] ?? Int.max, "0.6 before 0.3")
        // A constant sample is not silenced (SPAIC would zero it): every element at step 0.
        XCTAssertEqual(Kit.spikeSteps(try Encode.relativeLatency(Tensor([[0.5, 0.5]]), steps: 5)), [0, 0])
        XCTAssertEqual(RelativeLatencyEncoder(steps: 7)(Variable(Tensor.ones([2, 2, 3]))).shape, [7, 2, 2, 3])
    }

    /// hxtorch PixelsToSpikeTimes with its MNIST example's constants (tau 8 µs, t_max 100 µs, bins of 2.5 µs,
    /// 40 bins): t = tau ln(x / (x - 0.2)): x = 1 -> 1.785 µs (bin 0), 0.5 -> 4.087 µs (bin 1), 0.3 -> 8.789 µs
    /// (bin 3); 0.1 < threshold -> t_max, at the window's end: no spike.
    func testTimeToFirstSpikeHxtorchExample() throws {
        let x = Tensor([1, 0.5, 0.3, 0.1])
        let t = try Encode.pixelSpikeTimes(x, tau: 8e-6, tMax: 100e-6)
        Kit.assertClose(t.scalars, [1.7851e-6, 4.0864e-6, 8.7889e-6, 100e-6], tol: 1e-9)
        let s = try Encode.timeToFirstSpike(x, steps: 40, dt: 2.5e-6, tau: 8e-6, tMax: 100e-6)
        XCTAssertEqual(Kit.spikeSteps(s), [0, 1, 3, nil])
        // Linear code with the defaults (dt 1, tau = T, tMax = T): t = 10 (1 - x), floored.
        let l = try Encode.timeToFirstSpike(Tensor([1, 0.55, 0.2, 0.1]), steps: 10, code: .linear)
        XCTAssertEqual(Kit.spikeSteps(l), [0, 4, 8, nil])
        // Ordering with the default log code.
        var rng = SeededRandom(seed: 2)
        let px = Tensor.uniform([3, 40], low: 0.21, high: 1, rng: &rng)
        let steps = Kit.spikeSteps(TimeToFirstSpikeEncoder(steps: 50)(Variable(px)).value)
        for i in 0..<px.count { for j in 0..<px.count where px.scalars[i] > px.scalars[j] {
            XCTAssertLessThanOrEqual(steps[i] ?? Int.max, steps[j] ?? Int.max)
        } }
        XCTAssertTrue(steps.contains { $0 != nil })
    }
}
