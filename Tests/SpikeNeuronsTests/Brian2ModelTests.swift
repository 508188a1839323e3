import XCTest
import Foundation
import SpikeCore
@testable import SpikeNeurons

/// The Brian2 benchmark neurons: exact integration against closed forms, Brian2's refractory timing, the
/// BPTT gradients, and the eight-lane step against the scalar step bit for bit.
final class Brian2ModelTests: XCTestCase {
    let smooth = Surrogate(.sigmoid, alpha: 1, smoothForward: true)

    func testCUBAPostsynapticPotentialFollowsTheClosedForm() {
        // One neuron at rest (El = 0, far below Vt = 50; resting at 0 keeps float32 rounding of v small), ge = 1 mV
        // at t = 0: the exact solution is v(t) - El = ge0 taue / (taue - taum) (e^{-t/taue} - e^{-t/taum}).
        let m = Brian2CUBA(threshold: 50, reset: 0, rest: 0, refractory: 0)
        var s = FloatVector<4>([0, 1, 0, 0])
        for k in 1...200 {
            s = m.step(0, s).next
            let t = Double(k) * 0.1
            let exact = 5.0 / (5.0 - 20.0) * (exp(-t / 5) - exp(-t / 20))
            XCTAssertEqual(Double(s[0]), exact, accuracy: 2e-6 * abs(exact) + 1e-7, "step \(k)")
            XCTAssertEqual(Double(s[1]), exp(-t / 5), accuracy: 1e-6)
        }
        // Inhibition with taui = 10 ms, and the equal-time-constant limit (dt/tau) e^{-dt/tau} t/dt.
        let eq = Brian2CUBA(tauMembrane: 10, tauExcitatory: 10, threshold: 50, reset: 0, rest: 0, refractory: 0)
        var q = FloatVector<4>([0, 1, 0, 0])
        for _ in 0..<50 { q = eq.step(0, q).next }
        XCTAssertEqual(Double(q[0]), 5.0 / 10 * exp(-0.5), accuracy: 1e-6)
    }

    func testCUBARefractoryPeriodFollowsBrian2() {
        // An input far above threshold: the neuron fires as soon as it may. After a spike at step n it is refractory
        // at steps n+1 ... n+R-1 and fires again at n+R (R = 5 ms / 0.1 ms = 50): Brian2 fires every 50 steps here.
        let m = Brian2CUBA()
        var s = m.initialState
        var spikes: [Int] = []
        for t in 0..<200 {
            let (z, n) = m.step(1e4, s)
            if z > 0 { spikes.append(t) }
            if t > 0, z == 0, s[3] > 0 { XCTAssertEqual(n[0], m.reset, "held at Vr while refractory (step \(t))") }
            s = n
        }
        XCTAssertEqual(spikes, [0, 50, 100, 150])
        // From rest driven towards El = 100 mV: 13 steps of integration to cross, so spikes at 12, 12 + 50 + 12, ...
        let driven = Brian2CUBA(rest: 100)
        var d = driven.initialState
        var times: [Int] = []
        for t in 0..<200 { let (z, n) = driven.step(0, d); d = n; if z > 0 { times.append(t) } }
        XCTAssertEqual(times, [12, 74, 136, 198])
        let short = Brian2CUBA(refractory: 0)
        var r = short.initialState, count = 0
        for _ in 0..<10 { let (z, n) = short.step(1e4, r); r = n; count += Int(z) }
        XCTAssertEqual(count, 10, "no refractory period: fires every step")
    }

    func testDeltaLIFDecaysExactlyAndJumpsByItsInput() {
        let m = Brian2DeltaLIF(refractory: 0)
        var s = FloatVector<2>([15, 0])
        s = m.step(0, s).next
        XCTAssertEqual(Double(s[0]), 15 * exp(-0.1 / 20), accuracy: 1e-5)
        let (z, n) = m.step(6, s)   // 14.925 + 6 > 20: spike, reset to 10
        XCTAssertEqual(z, 1); XCTAssertEqual(n[0], 10)
    }

    func testCOBAEulerStepAndReversalPotentials() {
        let m = Brian2COBA(refractory: 0)
        let s = FloatVector<4>([-60, 2, 0, 0])
        let v1 = m.step(0, s).next[0]
        XCTAssertEqual(v1, -60 + 0.1 * (2 * 60) / 20, accuracy: 1e-5, "excitation pulls towards Ee = 0")
        let si = FloatVector<4>([-60, 0, 2, 0])
        XCTAssertLessThan(m.step(0, si).next[0], -60, "inhibition pulls towards Ei = -80")
        XCTAssertEqual(m.step(0, FloatVector<4>([-80, 0, 5, 0])).next[0], -80 + 0.1 * (-(-80 + 60)) / 20, accuracy: 1e-5)
    }

    func testGradientsMatchNumericalDifferences() {
        gradCheck(Brian2CUBA(threshold: -59, reset: -61, rest: -55, refractory: 0, surrogate: smooth), low: -2, high: 8)
        gradCheck(Brian2CUBA(threshold: -59, reset: -61, rest: -55, refractory: 0.3, surrogate: smooth), low: -2, high: 8)
        gradCheck(Brian2COBA(threshold: -59, reset: -61, rest: -58, refractory: 0, surrogate: smooth), low: -5, high: 20)
        gradCheck(Brian2DeltaLIF(threshold: 1, reset: 0.5, refractory: 0, surrogate: smooth), low: -0.2, high: 0.6)
        gradCheck(Brian2DeltaLIF(threshold: 1, reset: 0.5, refractory: 0.2, surrogate: smooth), low: -0.2, high: 0.6)
    }

    func testParameterGradientsMatchNumericalDifferences() {
        // Steps of 1e-3 of the value: potentials in mV are large (-59), and 1 % of them is far outside the linear range.
        gradCheckParameters(Brian2CUBA(threshold: -59, reset: -61, rest: -55, refractory: 0, surrogate: smooth), low: -2, high: 8,
                            relativeStep: 1e-3)
        gradCheckParameters(Brian2COBA(threshold: -59, reset: -61, rest: -58, bias: 1, refractory: 0, surrogate: smooth), low: -5, high: 20,
                            relativeStep: 1e-3)
        gradCheckParameters(Brian2DeltaLIF(threshold: 1, reset: 0.5, refractory: 0, surrogate: smooth), low: -0.2, high: 0.6)
    }

    /// Runs `steps` steps of 8 neurons through `step` and `stepLanes` from the same states; every state and output
    /// must be bitwise equal.
    func assertLanesEqualScalar<M: LaneSteppable>(_ m: M, initial: (Int) -> M.State, input: (Int, Int) -> Float, steps: Int = 400,
                                                   file: StaticString = #filePath, line: UInt = #line) {
        let S = M.State.count
        var scalar = (0..<8).map(initial)
        var lanes = [SIMD8<Float>](repeating: .zero, count: S)
        for k in 0..<S { for l in 0..<8 { lanes[k][l] = scalar[l][k] } }
        var fired = 0
        for t in 0..<steps {
            var x = SIMD8<Float>.zero
            for l in 0..<8 { x[l] = input(t, l) }
            let y = lanes.withUnsafeMutableBufferPointer { m.stepLanes(x, $0.baseAddress!) }
            for l in 0..<8 {
                let (z, n) = m.step(x[l], scalar[l])
                scalar[l] = n
                XCTAssertEqual(y[l].bitPattern, z.bitPattern, "output, step \(t) lane \(l)", file: file, line: line)
                for k in 0..<S {
                    XCTAssertEqual(lanes[k][l].bitPattern, n[k].bitPattern, "state \(k), step \(t) lane \(l)", file: file, line: line)
                }
                fired += Int(z)
            }
        }
        XCTAssertGreaterThan(fired, 10, "the test must exercise spikes and refractoriness", file: file, line: line)
    }

    func testLaneStepsEqualTheScalarStepBitForBit() {
        var rng = SeededRandom(seed: 5)
        let xs = (0..<(400 * 8)).map { _ in rng.nextUniform() * 3 - 1 }
        assertLanesEqualScalar(Brian2CUBA(), initial: { l in FloatVector([-60 + Float(l), Float(l) * 0.5, -Float(l) * 0.2, l == 3 ? 7 : 0]) },
                               input: { t, l in xs[t * 8 + l] * 40 })
        assertLanesEqualScalar(Brian2COBA(bias: 20), initial: { l in FloatVector([-60 + Float(l), Float(l) * 0.1, Float(l) * 0.3, 0]) },
                               input: { t, l in xs[t * 8 + l] * 10 })
        assertLanesEqualScalar(Brian2DeltaLIF(), initial: { l in FloatVector([Float(l) * 2, 0]) }, input: { t, l in xs[t * 8 + l] * 4 })
        XCTAssertFalse(Brian2CUBA(surrogate: smooth).canStepLanes, "smooth forward is scalar only")
    }

    func testRegistryBuildsTheModelsAndRejectsBadValues() throws {
        let m = try NeuronRegistry.model("va_cuba", parameters: ["v_rest": "-55", "refractory": 2])
        XCTAssertEqual((m.base as? Brian2CUBA)?.rest, -55)
        XCTAssertEqual((m.base as? Brian2CUBA)?.refSteps, 20)
        XCTAssertThrowsError(try NeuronRegistry.model("va_cuba", parameters: ["taum": -1])) {
            XCTAssertEqual("\($0)", "va_cuba: taum must be > 0, got -1.0")
        }
        XCTAssertThrowsError(try NeuronRegistry.model("va_coba", parameters: ["Ee": 0])) {
            XCTAssertTrue("\($0)".hasPrefix("va_coba: unknown parameter 'Ee'"), "\($0)")
        }
        XCTAssertThrowsError(try NeuronRegistry.model("lif_delta", parameters: ["refractory": -2]))
        // Setting the parameter vector recomputes the per-step constants.
        var c = Brian2CUBA()
        var p = c.parameters
        p[0] = 10
        c.parameters = p
        XCTAssertEqual(c.dm, Float(exp(-0.01)), accuracy: 1e-7)
    }
}
