import XCTest
import SpikeCore
import SpikeNN
import SpikeCoding

final class EncoderSpikeTimeTests: XCTestCase {
    typealias Kit = EncoderTestKit

    /// snnTorch's docstring cases for `spikegen.delta`. (Its first example, [1, 2, 2.9, 3, 3.9] -> [1, 1, 0, 1, 0],
    /// contradicts its own code: the changes are [1, 1, 0.9, 0.1, 0.9], so the code gives [1, 1, 0, 0, 0], as here.)
    func testDeltaHandCases() throws {
        let a = Tensor([1, 2, 2.9, 3, 3.9])
        XCTAssertEqual(try Encode.delta(a, threshold: 1).scalars, [1, 1, 0, 0, 0])
        XCTAssertEqual(try Encode.delta(a, threshold: 1, padding: true).scalars, [0, 1, 0, 0, 0])
        let b = Tensor([1, 2, 0, 2, 2.9])
        XCTAssertEqual(try Encode.delta(b, threshold: 1, offSpikes: true).scalars, [1, 1, -1, 1, 0])
        XCTAssertEqual(try Encode.delta(b, threshold: 1, padding: true, offSpikes: true).scalars, [0, 1, -1, 1, 0])
        XCTAssertEqual(try Encode.delta(b, threshold: 1).scalars, [1, 1, 0, 1, 0], "no off-spikes unless asked")
    }

    /// Delta on [T, B, F]: elementwise along time, shape kept.
    func testDeltaMultiStep() throws {
        // Two channels over 4 steps: [0, 0.3, 0.05, 0.05] and [1, 1, 1.5, 0.9].
        let x = Tensor(shape: [4, 1, 2], scalars: [0, 1, 0.3, 1, 0.05, 1.5, 0.05, 0.9])
        let s = DeltaEncoder(threshold: 0.2, padding: true, offSpikes: true)(Variable(x)).value
        XCTAssertEqual(s.shape, [4, 1, 2])
        XCTAssertEqual(s.scalars, [0, 0, 1, 0, -1, 1, 0, -1])
    }

    func testSingleSpikeToBinary() throws {
        let times = Tensor([[0, 2.5, .infinity], [4, 1, 3]])
        let s = try Encode.singleSpikeToBinary(times, steps: 5)
        XCTAssertEqual(s.shape, [5, 2, 3])
        XCTAssertEqual(Kit.spikeSteps(s), [0, 2, nil, 4, 1, 3])
        XCTAssertEqual(Kit.counts(s), [1, 1, 0, 1, 1, 1])
        // Seconds with dt: 3 ms at dt 1 ms is step 3 despite float rounding.
        let sec = try Encode.singleSpikeToBinary(Tensor([0.003, 0.0029, 0.0]), steps: 4, dt: 1e-3)
        XCTAssertEqual(Kit.spikeSteps(sec), [3, 2, 0])
        // Late times: an error by default, else clamped to the last step or dropped.
        Kit.assertCodingError(["spike time 7", "window"]) { try Encode.singleSpikeToBinary(Tensor([1, 7]), steps: 5) }
        XCTAssertEqual(Kit.spikeSteps(try Encode.singleSpikeToBinary(Tensor([1, 7]), steps: 5, late: .clamp)), [1, 4])
        XCTAssertEqual(Kit.spikeSteps(try Encode.singleSpikeToBinary(Tensor([1, 7]), steps: 5, late: .drop)), [1, nil])
        XCTAssertEqual(SingleSpikeToBinaryEncoder(steps: 6)(Variable(times)).shape, [6, 2, 3])
    }

    func testMultipleSpikesToBinary() throws {
        let samples = [SpikeList(times: [0, 2, 2, 9], neurons: [1, 0, 0, 2]),
                       SpikeList(times: [], neurons: []),
                       SpikeList(times: [0.5, 1.5], neurons: [2, 2])]
        let s = try Encode.multipleSpikesToBinary(samples, neurons: 3, steps: 4)
        XCTAssertEqual(s.shape, [4, 3, 3])
        var expected = [Float](repeating: 0, count: 36)
        func set(_ t: Int, _ b: Int, _ n: Int) { expected[t * 9 + b * 3 + n] = 1 }
        set(0, 0, 1); set(2, 0, 0); set(3, 0, 2)   // 9 is late: clamped to step 3; two spikes at 2 -> one 1
        set(0, 2, 2); set(1, 2, 2)
        XCTAssertEqual(s.scalars, expected)
        let dropped = try Encode.multipleSpikesToBinary(samples, neurons: 3, steps: 4, late: .drop)
        XCTAssertEqual(dropped.scalars.reduce(0, +), 4)
        Kit.assertCodingError(["neuron 3", "outside [0, 3)"]) {
            try Encode.multipleSpikesToBinary([SpikeList(times: [1], neurons: [3])], neurons: 3, steps: 4)
        }
        Kit.assertCodingError(["2 times but 1 neuron"]) {
            try Encode.multipleSpikesToBinary([SpikeList(times: [1, 2], neurons: [0])], neurons: 3, steps: 4)
        }
        Kit.assertCodingError(["spike time -1"]) {
            try Encode.multipleSpikesToBinary([SpikeList(times: [-1], neurons: [0])], neurons: 3, steps: 4)
        }
    }

    /// Norse's docstring: currents [2, 4, 8, 16], two steps, default parameters.
    func testConstantCurrentLIFNorseExample() throws {
        let (s, v) = try Encode.constantCurrentLIFTrace(Tensor([2, 4, 8, 16]), steps: 2)
        XCTAssertEqual(s.scalars, [0, 0, 0, 1, 0, 0, 1, 1])
        Kit.assertClose(v.scalars, [0.2, 0.4, 0.8, 0, 0.38, 0.76, 0, 0], tol: 1e-6)
    }

    /// Hand Euler computation for i = 1.5 (dt tau_mem_inv = 0.1): v = 0.15, 0.285, 0.4065, ... reaches
    /// 1.0293 > 1 at the 11th step, resets to 0, and so fires at steps 10 and 21 within 25 steps; a current of
    /// 1 only approaches the threshold (1 - 0.9^t < 1) and never fires.
    func testConstantCurrentLIFHandEuler() throws {
        let (s, v) = try Encode.constantCurrentLIFTrace(Tensor([1.5, 1.0]), steps: 25)
        Kit.assertClose([v.scalars[0], v.scalars[2], v.scalars[4]], [0.15, 0.285, 0.4065], tol: 1e-6)
        XCTAssertEqual(v.scalars[9 * 2], 0.97698234, accuracy: 1e-5)
        XCTAssertEqual((0..<25).filter { s.scalars[$0 * 2] == 1 }, [10, 21])
        XCTAssertEqual((0..<25).filter { s.scalars[$0 * 2 + 1] == 1 }, [])
    }

    /// More current, more spikes (non-decreasing counts, strictly more across the range).
    func testConstantCurrentLIFCountsIncreaseWithCurrent() throws {
        let currents = (0...30).map { Float($0) * 0.5 }
        let m = ConstantCurrentLIFEncoder(steps: 100)
        let s = m(Variable(Tensor(shape: [1, 31], scalars: currents))).value
        XCTAssertEqual(s.shape, [100, 1, 31])
        let c = Kit.counts(s)
        for i in 1..<c.count { XCTAssertGreaterThanOrEqual(c[i], c[i - 1], "current \(currents[i])") }
        XCTAssertEqual(c[0], 0)
        XCTAssertGreaterThan(c.last!, c[4] + 10)
    }
}
