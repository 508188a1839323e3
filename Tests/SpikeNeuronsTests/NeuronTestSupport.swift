import XCTest
import Foundation
import SpikeCore
import SpikeIO
@testable import SpikeNeurons

/// A reference trace from Tests/SpikeNeuronsTests/Fixtures/NAME (copied from shared/reference/neurons):
/// `case.json` (model, params, states), `input`, `spikes`, one file per state, `weights`, `grad_input`.
struct ReferenceFixture {
    let json: [String: Any]
    let params: [String: Any]
    let stateNames: [String]
    let input, spikes, weights, gradInput: Tensor
    let states: [String: Tensor]
    var T: Int { input.shape[0] }
    var N: Int { input.shape[1] }

    init(_ name: String) throws {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil), "fixture \(name)")
        json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("case.json"))) as! [String: Any]
        params = json["params"] as? [String: Any] ?? [:]
        stateNames = json["states"] as? [String] ?? ["v"]
        func npy(_ f: String) throws -> Tensor { try NPY.read(from: dir.appendingPathComponent("\(f).npy")) }
        input = try npy("input"); spikes = try npy("spikes"); weights = try npy("weights"); gradInput = try npy("grad_input")
        var st: [String: Tensor] = [:]
        for s in stateNames { st[s] = try npy(s) }
        states = st
    }
}

extension XCTestCase {
    /// Elementwise `|a - b| <= 1e-5 |b| + 1e-6`, and the largest difference within 1e-5 of the trace's largest
    /// magnitude. The absolute floor of 1e-6 is float32 rounding at these magnitudes: evaluating the same
    /// equations in float64 shows that the reference's own float32 BPTT is off by 3.3e-7 (6e-5 relative) at
    /// step 40, neuron 2 of `spikingjelly_if_2`, where the gradient is 0.0052 after 80 steps of accumulation.
    func assertClose(_ a: [Float], _ b: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let scale = b.map { abs($0) }.max() ?? 1
        var worst: Float = 0, bad = 0
        for (x, y) in zip(a, b) {
            worst = max(worst, abs(x - y))
            if !(abs(x - y) <= 1e-5 * abs(y) + 1e-6) { bad += 1 }
        }
        XCTAssertEqual(bad, 0, "\(what): \(bad) elements outside 1e-5 relative + 1e-6 (largest difference \(worst))", file: file, line: line)
        XCTAssertLessThanOrEqual(worst, 1e-5 * scale, "\(what): largest difference \(worst) vs scale \(scale)", file: file, line: line)
    }

    /// Runs `model` on a fixture: spikes equal, every state trace and the BPTT input gradient of
    /// L = sum(weights * spikes) within `assertClose`. State traces are matched by name (`Model.stateNames`).
    func assertMatches<M: NeuronModel>(_ model: M, _ c: ReferenceFixture, file: StaticString = #filePath, line: UInt = #line) {
        let (T, N) = (c.T, c.N), S = M.State.count
        let fwd = NeuronKernel.forward(model, input: c.input.scalars, steps: T, elements: N)
        XCTAssertEqual(fwd.output, c.spikes.scalars, "spikes differ", file: file, line: line)
        for (k, name) in M.stateNames.enumerated() {
            guard let ref = c.states[name] else { continue }
            let trace = (0..<T).flatMap { t in (0..<N).map { fwd.states[(t * S + k) * N + $0] } }
            assertClose(trace, ref.scalars, name, file: file, line: line)
        }
        XCTAssertEqual(Set(c.stateNames).subtracting(M.stateNames), [], "fixture states the model lacks", file: file, line: line)
        let (g, _) = NeuronKernel.backward(model, input: c.input.scalars, states: fwd.states, gradOutput: c.weights.scalars,
                                           steps: T, elements: N)
        assertClose(g, c.gradInput.scalars, "grad_input", file: file, line: line)
    }

    /// The fused BPTT input gradient of sum(R * out) against central differences (use a `smoothForward`
    /// surrogate so the model is differentiable). `low...high` is the input range.
    func gradCheck<M: NeuronModel>(_ model: M, T: Int = 12, N: Int = 5, low: Float = -0.5, high: Float = 2.5, step: Float = 1e-2,
                                   tolerance: Double = 5e-3, seed: UInt64 = 3, file: StaticString = #filePath, line: UInt = #line) {
        var rng = SeededRandom(seed: seed)
        let x = Tensor.uniform([T, N], low: low, high: high, rng: &rng).scalars
        let r = Tensor.uniform([T, N], low: -1, high: 1, rng: &rng).scalars
        func loss(_ x: [Float]) -> Double {
            zip(NeuronKernel.forward(model, input: x, steps: T, elements: N).output, r).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        let fwd = NeuronKernel.forward(model, input: x, steps: T, elements: N)
        let (g, _) = NeuronKernel.backward(model, input: x, states: fwd.states, gradOutput: r, steps: T, elements: N)
        var worst: Double = 0
        for i in 0..<x.count {
            var xp = x, xm = x
            xp[i] += step; xm[i] -= step
            let numeric = (loss(xp) - loss(xm)) / Double(2 * step)
            worst = max(worst, abs(Double(g[i]) - numeric) / max(1, abs(numeric)))
        }
        XCTAssertLessThan(worst, tolerance, "\(model)", file: file, line: line)
    }

    /// Gradients of the learnable parameters (per neuron, summed over batch and time) against central
    /// differences; neuron n's parameters are scaled by `1 + spread n / N` so that neurons differ.
    func gradCheckParameters<M: NeuronModel>(_ model: M, T: Int = 10, B: Int = 2, N: Int = 3, low: Float = -0.5, high: Float = 2,
                                             spread: Float = 0.2, relativeStep: Float = 1e-2, tolerance: Double = 5e-3,
                                             file: StaticString = #filePath, line: UInt = #line) {
        var rng = SeededRandom(seed: 9)
        let x = Tensor.uniform([T, B * N], low: low, high: high, rng: &rng).scalars
        let r = Tensor.uniform([T, B * N], low: -1, high: 1, rng: &rng).scalars
        var table = NeuronParameterTable(model, neurons: N)
        for k in 0..<M.Parameters.count { for n in 0..<N { table.values[k * N + n] *= 1 + spread * Float(n) / Float(N) } }
        func loss(_ tb: NeuronParameterTable) -> Double {
            zip(NeuronKernel.forward(model, input: x, steps: T, elements: B * N, table: tb).output, r)
                .reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        let fwd = NeuronKernel.forward(model, input: x, steps: T, elements: B * N, table: table)
        let g = NeuronKernel.backward(model, input: x, states: fwd.states, gradOutput: r, steps: T, elements: B * N,
                                      table: table, parameterGradients: true).gradParameters
        XCTAssertEqual(g.count, M.Parameters.count * N, file: file, line: line)
        XCTAssertFalse(M.learnableParameterNames.isEmpty, "\(M.id) has no learnable parameters", file: file, line: line)
        for name in M.learnableParameterNames {
            guard let k = M.parameterIndex(name) else { XCTFail("\(M.id): learnable '\(name)' is not a parameter", file: file, line: line); continue }
            for n in 0..<N {
                var tp = table, tm = table
                let h: Float = relativeStep * max(1, abs(table.values[k * N + n]))
                tp.values[k * N + n] += h; tm.values[k * N + n] -= h
                let numeric = (loss(tp) - loss(tm)) / Double(2 * h)
                XCTAssertEqual(Double(g[k * N + n]), numeric, accuracy: tolerance * max(1, abs(numeric)),
                               "\(M.id).\(name)[\(n)]", file: file, line: line)
            }
        }
    }
}
