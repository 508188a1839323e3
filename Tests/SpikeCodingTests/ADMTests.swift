import XCTest
import SpikeCore
import SpikeNN
@testable import SpikeCoding

final class ADMTests: XCTestCase {

    /// A recorded-like signal `[T, channels]`: a slow sine plus a seeded random walk plus low-pass
    /// filtered noise, a different realisation per channel.
    private func noisySignal(steps: Int = 2000, channels: Int = 1, seed: UInt64 = 5) -> Tensor {
        let base = SeededRandom(seed: seed)
        var out = [Float](repeating: 0, count: steps * channels)
        for c in 0..<channels {
            var rng = base.split(stream: UInt64(c))
            var walk: Float = 0, lowPass: Float = 0
            for t in 0..<steps {
                let sine = 0.5 * Float(sin(2 * Double.pi * 3 * Double(t) * 1e-3 + Double(c)))
                out[t * channels + c] = sine + walk + lowPass
                walk += 0.004 * rng.nextNormal()
                lowPass = 0.9 * lowPass + 0.01 * rng.nextNormal()
            }
        }
        return Tensor(shape: [steps, channels], scalars: out)
    }

    /// Largest rise and largest fall between consecutive steps of any channel of `[T, M...]`.
    private func largestSteps(_ x: Tensor) -> (rise: Float, fall: Float) {
        let m = x.count / x.shape[0]
        var rise: Float = 0, fall: Float = 0
        for t in 1..<x.shape[0] {
            for j in 0..<m {
                let d = x.scalars[t * m + j] - x.scalars[(t - 1) * m + j]
                rise = max(rise, d); fall = max(fall, -d)
            }
        }
        return (rise, fall)
    }

    /// Asserts `r - thresholdDown < x < r + thresholdUp` everywhere (with float32 slack).
    private func assertWithinOneThreshold(_ x: Tensor, _ r: Tensor, _ adm: ADM,
                                          file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(x.shape, r.shape, file: file, line: line)
        var worstAbove: Float = -.infinity, worstBelow: Float = -.infinity
        for (xv, rv) in zip(x.scalars, r.scalars) {
            worstAbove = max(worstAbove, xv - rv)  // must stay below thresholdUp
            worstBelow = max(worstBelow, rv - xv)  // must stay below thresholdDown
        }
        XCTAssertLessThan(worstAbove, adm.thresholdUp + 1e-5, file: file, line: line)
        XCTAssertLessThan(worstBelow, adm.thresholdDown + 1e-5, file: file, line: line)
    }

    /// Minimum distance in steps between two events (UP or DOWN) of the same channel; Int.max if < 2.
    private func minimumSpacing(_ s: ADMSpikes) -> Int {
        let steps = s.up.shape[0], m = s.up.count / steps
        var best = Int.max
        for j in 0..<m {
            var last: Int?
            for t in 0..<steps where s.up.scalars[t * m + j] + s.down.scalars[t * m + j] > 0 {
                if let l = last { best = min(best, t - l) }
                last = t
            }
        }
        return best
    }

    // MARK: Hand-computed cases

    func testShortSignalByHand() throws {
        let adm = try ADM(thresholdUp: 1, thresholdDown: 0.5)
        let x = Tensor([0, 0.5, 1.2, 2.5, 2.6, 2.0, 1.4, 1.5, 0.2])
        let s = try adm.encode(x)
        // r: 0 | 0.5 < 1: none | 1.2 >= 1: UP r=1 | 2.5 >= 2: UP r=2 | 2.6, 2.0 inside (1.5, 3)
        // | 1.4 <= 1.5: DOWN r=1.5 | 1.5 inside (1, 2.5) | 0.2 <= 1: DOWN r=1 (one event per step).
        XCTAssertEqual(s.up.scalars, [0, 0, 1, 1, 0, 0, 0, 0, 0])
        XCTAssertEqual(s.down.scalars, [0, 0, 0, 0, 0, 0, 1, 0, 1])
        XCTAssertEqual(s.eventCount, 4)
        let r = try adm.reconstruct(s, initialValue: 0)
        XCTAssertEqual(r.scalars, [0, 0, 1, 2, 2, 2, 1.5, 1.5, 1])
        XCTAssertEqual(s.concatenated, Tensor([[0, 0], [0, 0], [1, 0], [1, 0], [0, 0], [0, 0], [0, 1], [0, 0], [0, 1]]))
    }

    func testThresholdIsReachedInclusivelyAndStepZeroIsSilent() throws {
        // arcana's Heaviside is V >= 0: a rise of exactly one threshold fires.
        let adm = try ADM(thresholdUp: 0.5, thresholdDown: 0.25)
        let s = try adm.encode(Tensor([3, 3.5, 3.5, 3.25, 3.25]))
        XCTAssertEqual(s.up.scalars, [0, 1, 0, 0, 0])
        XCTAssertEqual(s.down.scalars, [0, 0, 0, 1, 0])
        // A single step, or a constant signal, emits nothing.
        XCTAssertEqual(try adm.encode(Tensor([7])).eventCount, 0)
        XCTAssertEqual(try adm.encode(Tensor(repeating: 2, shape: [50, 3])).eventCount, 0)
    }

    func testRefractoryStepsByHand() throws {
        let ramp = Tensor([0, 1, 2, 3, 4, 5, 6, 7])
        // The refractory period counts the event's own step: refractory 3 leaves 3 steps between events.
        let r3 = try ADM(thresholdUp: 0.5, thresholdDown: 0.5, refractory: 3).encode(ramp)
        XCTAssertEqual(r3.up.scalars, [0, 1, 0, 0, 1, 0, 0, 1])
        XCTAssertEqual(r3.down.scalars, [Float](repeating: 0, count: 8))
        // 0 and 1 both allow one event per step.
        let r0 = try ADM(thresholdUp: 0.5, thresholdDown: 0.5, refractory: 0).encode(ramp)
        let r1 = try ADM(thresholdUp: 0.5, thresholdDown: 0.5, refractory: 1).encode(ramp)
        XCTAssertEqual(r0.up.scalars, [0, 1, 1, 1, 1, 1, 1, 1])
        XCTAssertEqual(r0, r1)
        // The counter is shared: a DOWN right after an UP waits too.
        let updown = try ADM(thresholdUp: 1, thresholdDown: 1, refractory: 2).encode(Tensor([0, 2, -2, -2, -2]))
        XCTAssertEqual(updown.up.scalars, [0, 1, 0, 0, 0])
        XCTAssertEqual(updown.down.scalars, [0, 0, 0, 1, 0])  // step 4 is again refractory
    }

    func testAgreesWithArcanaRuleOnARecordedLikeTrace() throws {
        // Expected events from a float32 numpy transliteration of arcana's ADM.forward (per-step tensors,
        // refrac decrement, UP check and update, then DOWN check and update), with a jump at step 12 and
        // ties at steps 5 and 9 decided by float32 rounding exactly as there.
        let x: [Float] = [0.45, 0.56, 0.58, 0.11, 0.05, -0.04, -0.06, -0.22, -0.23, -0.35, -0.68, -0.46, 0.76, 1.19,
                          1.20, 1.10, 0.96, 0.58, 0.82, 0.55, 0.25, 0.20, 0.57, 0.63, 0.38, 0.20, 0.35, 0.31, 0.12,
                          0.06, 0.25, 0.74]
        let adm = try ADM(thresholdUp: 0.3, thresholdDown: 0.2, refractory: 2)
        let s = try adm.encode(Tensor(x))
        XCTAssertEqual(s.up.scalars.indices.filter { s.up.scalars[$0] == 1 }, [12, 14, 16, 31])
        XCTAssertEqual(s.down.scalars.indices.filter { s.down.scalars[$0] == 1 }, [3, 5, 7, 10, 20, 28])
        let r = try adm.reconstruct(s, initialValue: x[0])
        XCTAssertEqual(r.scalars.last!, 0.45, accuracy: 1e-6)
        XCTAssertEqual(r.scalars[12], -0.05, accuracy: 1e-6)  // the jump is followed at one threshold per event
    }

    func testReconstructIsARunningSumFromTheInitialValue() throws {
        let up = Tensor([[1, 0], [0, 0], [1, 1]]), down = Tensor([[0, 0], [1, 1], [0, 0]])
        let r = try ADM.reconstruct(up: up, down: down, initialValue: Tensor([0.5, -1]), thresholdUp: 1, thresholdDown: 0.25)
        XCTAssertEqual(r, Tensor([[1.5, -1], [1.25, -1.25], [2.25, -0.25]]))
        // The concatenated layout [T, 2N] gives the same.
        let cat = Tensor([[1, 0, 0, 0], [0, 0, 1, 1], [1, 1, 0, 0]])
        XCTAssertEqual(try ADM.reconstruct(cat, initialValue: Tensor([0.5, -1]), thresholdUp: 1, thresholdDown: 0.25), r)
        let (u, d) = try ADM.split(cat)
        XCTAssertEqual(u, up)
        XCTAssertEqual(d, down)
    }

    // MARK: Tracking

    func testReconstructionTracksASineWithinOneThreshold() throws {
        let x = try Generate.sine(amplitude: 1, frequency: 5, steps: 1000, dt: 1e-3)  // [T, 1]
        let adm = try ADM(thresholdUp: 0.05, thresholdDown: 0.05)
        let steepest = largestSteps(x)
        XCTAssertLessThanOrEqual(steepest.rise, adm.thresholdUp)  // the precondition of the guarantee
        XCTAssertLessThanOrEqual(steepest.fall, adm.thresholdDown)
        let s = try adm.encode(x)
        let r = try adm.reconstruct(s, initialValue: Tensor([x.scalars[0]]))
        assertWithinOneThreshold(x, r, adm)
        // The sine travels 4 per period over 5 periods: at most 20 / 0.05 = 400 events, a few fewer at the turns.
        XCTAssertGreaterThan(s.eventCount, 360)
        XCTAssertLessThanOrEqual(s.eventCount, 400)
    }

    func testReconstructionTracksANoisyRecordingWithinOneThreshold() throws {
        let x = noisySignal(steps: 2000, channels: 6).reshaped([2000, 2, 3])  // [T, B, N]
        let adm = try ADM(thresholdUp: 0.1, thresholdDown: 0.08)
        let steepest = largestSteps(x)
        XCTAssertLessThanOrEqual(steepest.rise, adm.thresholdUp)
        XCTAssertLessThanOrEqual(steepest.fall, adm.thresholdDown)
        let s = try adm.encode(x)
        XCTAssertEqual(s.up.shape, [2000, 2, 3])
        XCTAssertGreaterThan(s.eventCount, 100)
        let first = Tensor(shape: [2, 3], scalars: Array(x.scalars[0..<6]))
        let r = try adm.reconstruct(s, initialValue: first)
        assertWithinOneThreshold(x, r, adm)
        // The same signal through the module: [T, B, 2N] with UP then DOWN, and back.
        let encoder = ADMEncoder(adm)
        let out = encoder(Variable(x))
        XCTAssertEqual(out.shape, [2000, 2, 6])
        XCTAssertFalse(out.requiresGrad)
        XCTAssertEqual(out.value, s.concatenated)
        for (t, b, n) in [(17, 1, 2), (1500, 0, 0), (999, 1, 1)] {
            XCTAssertEqual(out.value[t, b, n], s.up[t, b, n])
            XCTAssertEqual(out.value[t, b, 3 + n], s.down[t, b, n])
        }
        XCTAssertEqual(try encoder.reconstruct(out.value, initialValue: first), r)
        XCTAssertEqual(try encoder.encode(x), out.value)
    }

    func testSpikeCountFallsAsThresholdsRise() throws {
        let x = noisySignal(steps: 2000, channels: 4, seed: 9)
        var previous = Int.max
        for threshold: Float in [0.02, 0.05, 0.1, 0.2, 0.4] {
            let count = try ADM(thresholdUp: threshold, thresholdDown: threshold).encode(x).eventCount
            XCTAssertLessThan(count, previous, "threshold \(threshold)")
            XCTAssertGreaterThan(count, 0, "threshold \(threshold)")
            previous = count
        }
    }

    func testRefractorySuppressesEvents() throws {
        let x = noisySignal(steps: 2000, channels: 4, seed: 13)
        let free = try ADM(thresholdUp: 0.03, thresholdDown: 0.03, refractory: 0).encode(x)
        let slow = try ADM(thresholdUp: 0.03, thresholdDown: 0.03, refractory: 5).encode(x)
        XCTAssertLessThan(minimumSpacing(free), 5)
        XCTAssertGreaterThanOrEqual(minimumSpacing(slow), 5)
        XCTAssertLessThan(slow.eventCount, free.eventCount)
        // The reference still equals the reconstruction while events are suppressed (it just lags).
        XCTAssertGreaterThan(slow.eventCount, 0)
    }

    func testDeterministicAndShapes() throws {
        let adm = try ADM(thresholdUp: 0.05, thresholdDown: 0.05, refractory: 2)
        let x = noisySignal(steps: 300, channels: 2)
        XCTAssertEqual(try adm.encode(x), try adm.encode(x))
        let one = try adm.encode(Tensor((0..<300).map { x.scalars[$0 * 2] }))  // [T]
        XCTAssertEqual(one.up.shape, [300])
        XCTAssertEqual(one.concatenated.shape, [300, 2])
        // Channels are independent: channel 0 of [T, 2] equals the [T] encoding of that channel.
        let both = try adm.encode(x)
        XCTAssertEqual((0..<300).map { both.up.scalars[$0 * 2] }, one.up.scalars)
        XCTAssertEqual((0..<300).map { both.down.scalars[$0 * 2] }, one.down.scalars)
    }

    // MARK: Bad input

    func testBadParametersThrow() {
        expectCodingError(try ADM(thresholdUp: 0, thresholdDown: 1), "adm", "thresholdUp", "> 0")
        expectCodingError(try ADM(thresholdUp: -0.1, thresholdDown: 1), "thresholdUp")
        expectCodingError(try ADM(thresholdUp: .nan, thresholdDown: 1), "thresholdUp")
        expectCodingError(try ADM(thresholdUp: .infinity, thresholdDown: 1), "thresholdUp")
        expectCodingError(try ADM(thresholdUp: 1, thresholdDown: 0), "thresholdDown")
        expectCodingError(try ADM(thresholdUp: 1, thresholdDown: -2), "thresholdDown")
        expectCodingError(try ADM(thresholdUp: 1, thresholdDown: 1, refractory: -1), "refractory", "-1")
        expectCodingError(try ADMEncoder(thresholdUp: 1, thresholdDown: .nan), "thresholdDown")
    }

    func testBadSignalsThrow() throws {
        let adm = try ADM(thresholdUp: 0.1, thresholdDown: 0.1)
        expectCodingError(try adm.encode(Tensor([0, 1, .nan, 2])), "adm", "index 2", "not finite")
        expectCodingError(try adm.encode(Tensor([0, .infinity])), "not finite")
        expectCodingError(try adm.encode(Tensor(3)), "time axis")
        expectCodingError(try adm.encode(Tensor(shape: [0], scalars: [])), "steps")
        expectCodingError(try adm.encode(Tensor(shape: [4, 0], scalars: [])), "no channels")
        expectCodingError(try ADMEncoder(adm).encode(Tensor([[1, .nan]])), "not finite")
    }

    func testBadReconstructionInputsThrow() {
        let up = Tensor([[1, 0], [0, 1]]), down = Tensor([[0, 0], [1, 0]])
        let zero = Tensor(0)
        expectCodingError(try ADM.reconstruct(up: up, down: Tensor([[0, 0]]), initialValue: zero, thresholdUp: 1, thresholdDown: 1),
                          "adm reconstruct", "different shapes")
        expectCodingError(try ADM.reconstruct(up: up, down: down, initialValue: zero, thresholdUp: 0, thresholdDown: 1), "thresholdUp")
        expectCodingError(try ADM.reconstruct(up: up, down: down, initialValue: zero, thresholdUp: 1, thresholdDown: .nan), "thresholdDown")
        expectCodingError(try ADM.reconstruct(up: Tensor([[.nan, 0], [0, 0]]), down: down, initialValue: zero, thresholdUp: 1, thresholdDown: 1),
                          "not finite")
        expectCodingError(try ADM.reconstruct(up: up, down: down, initialValue: Tensor([1, 2, 3]), thresholdUp: 1, thresholdDown: 1),
                          "initial value", "[3]")
        expectCodingError(try ADM.reconstruct(up: up, down: down, initialValue: Tensor(.nan), thresholdUp: 1, thresholdDown: 1),
                          "not finite")
        expectCodingError(try ADM.reconstruct(up: zero, down: zero, initialValue: zero, thresholdUp: 1, thresholdDown: 1), "time axis")
        expectCodingError(try ADM.reconstruct(up: Tensor(shape: [0, 2], scalars: []), down: Tensor(shape: [0, 2], scalars: []),
                                              initialValue: zero, thresholdUp: 1, thresholdDown: 1), "steps")
        expectCodingError(try ADM.reconstruct(Tensor([[1, 0, 0]]), initialValue: zero, thresholdUp: 1, thresholdDown: 1),
                          "must be even")
        expectCodingError(try ADM.reconstruct(Tensor([1, 0]), initialValue: zero, thresholdUp: 1, thresholdDown: 1), "[T, ..., 2N]")
        expectCodingError(try ADM.split(Tensor([[1, 0, 1]])), "adm", "even")
    }
}
