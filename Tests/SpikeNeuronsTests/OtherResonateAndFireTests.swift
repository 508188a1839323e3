import XCTest
import Foundation
import SpikeCore
@testable import SpikeNeurons

/// The resonate-and-fire neuron (Izhikevich 2001): resonance, damped subthreshold oscillation, gradients, registry.
final class OtherResonateAndFireTests: XCTestCase {
    /// Output and the traces of x and v (= y) of each of `columns` inputs run side by side.
    func run(_ model: ResonateAndFire, _ columns: [[Float]]) -> [(out: [Float], x: [Float], y: [Float])] {
        let (T, N) = (columns[0].count, columns.count)
        let input = (0..<T).flatMap { t in columns.map { $0[t] } }
        let f = NeuronKernel.forward(model, input: input, steps: T, elements: N)
        return (0..<N).map { n in
            ((0..<T).map { f.output[$0 * N + n] }, (0..<T).map { f.states[($0 * 2) * N + n] },
             (0..<T).map { f.states[($0 * 2 + 1) * N + n] })
        }
    }

    /// The defining property (Izhikevich 2001): a pair of brief pulses fires the neuron when their
    /// interval is the natural period 2π/ω (the second pulse arrives in phase with the oscillation it started)
    /// and does not at half the period (in antiphase), although each pulse alone stays subthreshold.
    func testPulsePairFiresAtTheResonantIntervalOnly() {
        let dt: Float = 0.01, period = 60   // steps: ω = 2π / (60 dt)
        let model = ResonateAndFire(b: -1, omega: 2 * .pi / (Float(period) * dt), threshold: 1, dt: dt)
        func pulses(_ at: [Int]) -> [Float] {
            var x = [Float](repeating: 0, count: 100)
            for t in at { x[t] = 1 / dt }   // area 1: z jumps by 1
            return x
        }
        let r = run(model, [pulses([0]), pulses([0, period]), pulses([0, period / 2])])
        XCTAssertEqual(r[0].out.reduce(0, +), 0, "a single pulse is subthreshold")
        XCTAssertGreaterThan(r[0].y.max()!, 0.8, "but not by far")
        XCTAssertEqual(r[1].out.reduce(0, +), 1, "pulses one period apart fire")
        XCTAssertEqual(r[2].out.reduce(0, +), 0, "pulses half a period apart do not")
        let k = r[1].out.firstIndex(of: 1)!
        XCTAssertTrue((period + 1)...(period + period / 4) ~= k, "spike at \(k)")
        XCTAssertEqual(r[1].x[k], 0)
        XCTAssertEqual(r[1].y[k], 1, "z is reset to i")
    }

    /// Without spikes the exact discretisation follows the damped oscillation z(t) = A e^{(b + iω) t} of the
    /// linear system: y = A e^{bt} sin ωt, x = A e^{bt} cos ωt, zero crossings of y every π/ω.
    func testSubthresholdResponseIsADampedOscillationAtOmega() {
        let (b, omega, dt, area): (Double, Double, Double, Double) = (-1, 10, 0.01, 0.5)
        let model = ResonateAndFire(b: Float(b), omega: Float(omega), dt: Float(dt))
        var x = [Float](repeating: 0, count: 100); x[0] = Float(area / dt)
        let r = run(model, [x])[0]
        XCTAssertEqual(r.out.reduce(0, +), 0)
        for k in 0..<100 {
            let t = Double(k) * dt
            XCTAssertEqual(Double(r.y[k]), area * exp(b * t) * sin(omega * t), accuracy: 1e-5, "y at step \(k)")
            XCTAssertEqual(Double(r.x[k]), area * exp(b * t) * cos(omega * t), accuracy: 1e-5, "x at step \(k)")
        }
        var crossings: [Double] = []
        for k in 2..<100 where (r.y[k - 1] > 0) != (r.y[k] > 0) {
            let f = Double(r.y[k - 1] / (r.y[k - 1] - r.y[k]))
            crossings.append((Double(k - 1) + f) * dt)
        }
        XCTAssertEqual(crossings.count, 3)
        for (a, c) in zip(crossings, crossings.dropFirst()) { XCTAssertEqual(c - a, .pi / omega, accuracy: 2e-3) }
    }

    func testInputGradient() {
        let sg = Surrogate(.sigmoid, alpha: 4, smoothForward: true)
        gradCheck(ResonateAndFire(b: -0.5, omega: 2, threshold: 1, dt: 0.1, surrogate: sg), low: -5, high: 25)
        gradCheck(ResonateAndFire(b: -1, omega: 3, threshold: 0.8, xReset: 0.2, yReset: 0.5, dt: 0.1, surrogate: sg), low: -5, high: 25)
    }

    func testParameterGradients() {
        let sg = Surrogate(.sigmoid, alpha: 4, smoothForward: true)
        gradCheckParameters(ResonateAndFire(b: -0.5, omega: 2, threshold: 1, dt: 0.1, surrogate: sg), low: -5, high: 20)
        gradCheckParameters(ResonateAndFire(b: -1, omega: 3, threshold: 0.8, xReset: 0.2, yReset: 0.5, dt: 0.1, surrogate: sg),
                            low: -5, high: 20)
    }

    /// With `detachReset` a spike blocks the state gradient and the reset adds nothing to dL/dy'.
    func testDetachedResetVJP() {
        let m = ResonateAndFire(b: -0.5, omega: 2, dt: 0.1, detachReset: true)
        let s = FloatVector<2>([0.5, 2])   // y' well above threshold: spike
        let (gOut, gNext) = (Float(0.7), FloatVector<2>([0.3, 0.4]))
        XCTAssertEqual(m.step(0, s).out, 1)
        let yh = m.s * 0.5 + m.c * 2
        let gy = gOut * m.surrogate.derivative(yh - 1)
        let v = m.stepVJP(0, s, gOut: gOut, gNext: gNext)
        XCTAssertEqual(v.gx, 0)
        XCTAssertEqual(v.gPrev[0], m.s * gy, accuracy: 1e-7)
        XCTAssertEqual(v.gPrev[1], m.c * gy, accuracy: 1e-7)
        var attached = m; attached.detachReset = false
        XCTAssertNotEqual(attached.stepVJP(0, s, gOut: gOut, gNext: gNext).gPrev[1], v.gPrev[1])
    }

    /// Setting the parameters (as per-neuron tables do) recomputes the rotation.
    func testParametersUpdateTheRotation() {
        var m = ResonateAndFire()
        var p = m.parameters
        p[0] = -2; p[1] = 5; p[5] = 0.02
        m.parameters = p
        XCTAssertEqual(m, ResonateAndFire(b: -2, omega: 5, dt: 0.02))
        XCTAssertEqual(m.c, exp(-0.04) * cos(0.1), accuracy: 1e-7)
        XCTAssertEqual(m.s, exp(-0.04) * sin(0.1), accuracy: 1e-7)
    }

    func testRegistry() throws {
        let m = try NeuronRegistry.model("rf", parameters: ["b": -0.5, "omega": "2", "threshold": 0.9, "x_reset": 0.1,
                                                           "y_reset": 0.8, "dt": 0.1, "surrogate": "atan"])
        XCTAssertEqual(m.base as? ResonateAndFire,
                       ResonateAndFire(b: -0.5, omega: 2, threshold: 0.9, xReset: 0.1, yReset: 0.8, dt: 0.1, surrogate: .atan))
        XCTAssertEqual(m.stateNames, ["x", "v"])
        XCTAssertEqual(try NeuronRegistry.model("rf", parameters: [:]).base as? ResonateAndFire, ResonateAndFire())
        func message(_ p: [String: Any]) -> String {
            do { _ = try NeuronRegistry.model("rf", parameters: p); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message(["b": 0.5]), "rf: b must be < 0.0, got 0.5")
        XCTAssertEqual(message(["omega": 0]), "rf: omega must be > 0, got 0.0")
        XCTAssertEqual(message(["dt": -1]), "rf: dt must be > 0, got -1.0")
        XCTAssertEqual(m.table(neurons: 1)["dt"], [0.1], "dt is a parameter (spike neuron's plots read it)")
        XCTAssertTrue(message(["a_thresh": 1]).hasPrefix("rf: unknown parameter 'a_thresh'"))
        var table = NeuronParameterTable(ResonateAndFire(), neurons: 2)
        table["b"] = [-1, 0.1]
        XCTAssertThrowsError(try table.validate(for: ResonateAndFire.self)) {
            XCTAssertEqual("\($0)", "rf: b of neuron 1 must be < 0, got 0.1")
        }
    }
}
