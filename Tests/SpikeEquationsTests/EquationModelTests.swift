import XCTest
import SpikeCore
import SpikeNeurons
import SpikeNN
@testable import SpikeEquations

/// Equation models written to equal zoo models give the zoo models' traces and gradients (within float32
/// rounding: the same mathematics in a different order of operations), and pass numerical gradient checks.
final class EquationModelTests: XCTestCase {
    /// `|a - b| <= rtol * max|b| + atol` everywhere.
    func assertNear(_ a: [Float], _ b: [Float], rtol: Float = 2e-5, atol: Float = 0, _ what: String,
                    file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let scale = b.map { abs($0) }.max() ?? 0
        var worst: Float = 0
        for (x, y) in zip(a, b) { worst = max(worst, abs(x - y)) }
        XCTAssertLessThanOrEqual(worst, rtol * scale + atol, "\(what): largest difference \(worst), scale \(scale)", file: file, line: line)
    }

    func trace(_ states: [Float], k: Int, S: Int, T: Int, N: Int, scale: Float = 1) -> [Float] {
        (0..<T).flatMap { t in (0..<N).map { states[(t * S + k) * N + $0] * scale } }
    }

    /// Runs both models on the same input; compares spikes, traces (scaled by `scales`) and input gradients.
    /// The tolerance is float32 rounding: the larger of `rtol` of the trace's scale and 8 times the change of the
    /// zoo model's own trace when its `dt` is moved by one ulp (`perturbed`), which is how far one rounding of a
    /// constant carries through these dynamics (the equation model rounds its constants in SI units, the zoo in
    /// mV/ms; the equations' step is `dt * (f / ms)`, two roundings where the zoo has one `dt * f`, and each
    /// rounding moves the trace by about the one-ulp change).
    func compare<Z: NeuronModel>(zoo: Z, perturbed: Z, eq: EquationModel, input: [Float], inputScale: Float, T: Int, N: Int,
                                 stateScales: [(zoo: Int, eq: Int, scale: Float)], rtol: Float = 2e-5,
                                 file: StaticString = #filePath, line: UInt = #line) -> (zoo: NeuronKernel.Forward, eq: NeuronKernel.Forward) {
        let fz = NeuronKernel.forward(zoo, input: input, steps: T, elements: N)
        let fp = NeuronKernel.forward(perturbed, input: input, steps: T, elements: N)
        let xe = input.map { $0 * inputScale }
        let fe = NeuronKernel.forward(eq, input: xe, steps: T, elements: N)
        let mismatched = zip(fe.output, fz.output).filter { $0 != $1 }.count
        XCTAssertEqual(mismatched, 0, "spikes differ at \(mismatched) of \(fz.output.count) steps", file: file, line: line)
        XCTAssertGreaterThan(fz.output.reduce(0, +), 0, "the test input makes spikes", file: file, line: line)
        func sensitivity(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) } }
        for (kz, ke, s) in stateScales {
            let ref = trace(fz.states, k: kz, S: Z.State.count, T: T, N: N)
            let atol = 8 * sensitivity(ref, trace(fp.states, k: kz, S: Z.State.count, T: T, N: N))
            assertNear(trace(fe.states, k: ke, S: 8, T: T, N: N, scale: s), ref, rtol: rtol, atol: atol,
                       "state \(Z.stateNames[kz])", file: file, line: line)
        }
        var rng = SeededRandom(seed: 11)
        let r = (0..<(T * N)).map { _ in rng.nextUniform() * 2 - 1 }
        let gz = NeuronKernel.backward(zoo, input: input, states: fz.states, gradOutput: r, steps: T, elements: N).gradInput
        let gp = NeuronKernel.backward(perturbed, input: input, states: fp.states, gradOutput: r, steps: T, elements: N).gradInput
        let ge = NeuronKernel.backward(eq, input: xe, states: fe.states, gradOutput: r, steps: T, elements: N).gradInput
        assertNear(ge.map { $0 * inputScale }, gz, rtol: 10 * rtol, atol: 8 * sensitivity(gz, gp), "grad_input", file: file, line: line)
        return (fz, fe)
    }

    /// The model with its `dt` parameter moved up by one ulp.
    func nudged<Z: NeuronModel>(_ m: Z) -> Z {
        var z = m
        var p = z.parameters
        let k = Z.parameterIndex("dt")!
        p[k] = p[k].nextUp
        z.parameters = p
        return z
    }

    func testLIFEqualsZooLIF() throws {
        // SpikingJelly's LIF (tau 2 steps, decay_input, hard reset to 0, threshold 1 with >=) as an equation with dt = 1 ms.
        let zoo = LIF(tau: 2, surrogate: .sigmoid)
        let eq = try EquationModel(equations: "dv/dt = (I - (v - vr))/tau : 1\nI : 1", threshold: "v >= vth", reset: "v = vr",
                                   method: "euler", parameters: ["tau": "2*ms", "vr": "0", "vth": "1"], input: "I", dt: "1*ms",
                                   surrogate: .sigmoid)
        var rng = SeededRandom(seed: 2)
        let (T, N) = (40, 6)
        let x = (0..<(T * N)).map { _ in rng.nextUniform() * 2.5 - 0.5 }
        _ = compare(zoo: zoo, perturbed: zoo, eq: eq, input: x, inputScale: 1, T: T, N: N, stateScales: [(0, 0, 1)])
        XCTAssertEqual(eq.compiled.learnable, ["tau", "vr", "vth"])
    }

    func testIzhikevichEqualsZoo() throws {
        // A narrow surrogate keeps BPTT through the resets well conditioned (with the default, each spike multiplies the
        // gradient by about (c - v') σ'(0) = 95, and any rounding difference with it), so the comparison tests the VJPs.
        let sur = Surrogate(.triangle, alpha: 0.005)
        let zoo = Izhikevich2003(surrogate: sur)
        let eq = try EquationModel(equations: """
            dv/dt = (sq*v**2 + mn*v + bias - u + I)/ms : 1
            du/dt = a*(b*v - u)/ms : 1
            I : 1
            """, threshold: "v > v_th", reset: "v = c; u += d", method: "euler", 
parameters: ["a": "0.02", "b": "0.2", "c": "-65", "d": "8", "v_th": "30", "sq": "0.04", "mn": "5", "bias": "140"], input: "I",
            initial: ["v": "-65", "u": "-13"], dt: "0.25*ms", surrogate: sur)
        var rng = SeededRandom(seed: 3)
        let (T, N) = (400, 4)
        let x = (0..<(T * N)).map { i in Float(i % N) * 3 + 4 + rng.nextUniform() }
        _ = compare(zoo: zoo, perturbed: nudged(zoo), eq: eq, input: x, inputScale: 1, T: T, N: N, stateScales: [(0, 0, 1), (1, 1, 1)])
    }

    func testAdExEqualsZooInSIUnits() throws {
        // The zoo's AdEx (SPAIC's aEIF, mV/ms/pA/nS/pF) written in Brian2's style with SI units.
        let sur = Surrogate(.triangle, alpha: 0.005)   // well-conditioned BPTT (see the Izhikevich test)
        let zoo = AEIF(surrogate: sur)
        let eq = try EquationModel(equations: """
            dv/dt = (gL*(EL - v) + gL*DeltaT*exp((v - VT)/DeltaT) - w + I)/C : volt
            dw/dt = (a*(v - EL) - w)/tauw : amp
            I : amp
            """, threshold: "v > Vspk", reset: "v = EL; w += b", method: "euler", 
parameters: ["C": "281*pF", "gL": "30*nS", "EL": "-70.6*mV", "VT": "-50.4*mV", "DeltaT": "2*mV", "a": "4*nS",
                         "tauw": "144*ms", "b": "80.5*pA", "Vspk": "20*mV"], input: "I",
            initial: ["v": "-70.6*mV"], dt: "0.1*ms", surrogate: sur, surrogateScale: "1*mV")
        let (T, N) = (1500, 3)
        let x = (0..<(T * N)).map { i in Float(i % N) * 300 + 700 }   // pA
        _ = compare(zoo: zoo, perturbed: nudged(zoo), eq: eq, input: x, inputScale: 1e-12, T: T, N: N, stateScales: [(0, 0, 1e3), (1, 1, 1e12)])
    }

    func testCUBAEqualsBuiltInNeuron() throws {
        // Brian2's CUBA neuron (method exact, refractory 5 ms) as va_cuba, with the input as an extra current in volts.
        let sur = Surrogate(.atan, alpha: 0.1)   // well-conditioned BPTT (see the Izhikevich test)
        let zoo = Brian2CUBA(surrogate: sur)
        let eq = try EquationModel(equations: cubaEquations.replacingOccurrences(of: "(ge+gi-", with: "(ge+gi+I-") + "\nI : volt", threshold: "v > Vt", reset: "v = Vr", refractory: "5*ms",
                                   method: "exact", parameters: cubaParameters, input: "I", initial: ["v": "-60*mV"],
                                   surrogate: sur, surrogateScale: "1*mV")
        XCTAssertEqual(eq.compiled.stateNames, ["v", "ge", "gi", "_refractory"])
        var rng = SeededRandom(seed: 5)
        let (T, N) = (600, 4)
        let x = (0..<(T * N)).map { i in Float(i % N) * 2 + rng.nextUniform() * 2 }   // mV
        let (fz, fe) = compare(zoo: zoo, perturbed: nudged(zoo), eq: eq, input: x, inputScale: 1e-3, T: T, N: N,
                               stateScales: [(0, 0, 1e3)])
        XCTAssertTrue(trace(fe.states, k: 3, S: 8, T: T, N: N) == trace(fz.states, k: 3, S: 4, T: T, N: N), "refractory counters")
        XCTAssertLessThan(eq.compiled.compileSeconds, 0.05)
    }

    func testGradientCheckThroughTimeAndParameters() throws {
        // A two-variable adaptive neuron, rk4, smooth surrogate forward so the whole run is differentiable.
        for method in ["euler", "rk2", "rk4", "exponential_euler"] {
            let eq = try EquationModel(equations: """
                dv/dt = (I - v - w + 0.3*tanh(w))/tau : 1
                dw/dt = (a*v - w)/tauw : 1
                I : 1
                """, threshold: "v > th", reset: "v = v - th; w += b", method: method, 
parameters: ["tau": "5*ms", "tauw": "20*ms", "a": "0.5", "b": "0.2", "th": "1"], input: "I", dt: "1*ms",
                surrogate: Surrogate(.sigmoid, alpha: 4, smoothForward: true))
            let (T, N) = (15, 3)
            var rng = SeededRandom(seed: 8)
            let x = (0..<(T * N)).map { _ in rng.nextUniform() * 3 - 0.5 }
            let r = (0..<(T * N)).map { _ in rng.nextUniform() * 2 - 1 }
            func loss(_ m: EquationModel, _ x: [Float]) -> Double {
                zip(NeuronKernel.forward(m, input: x, steps: T, elements: N).output, r).reduce(0) { $0 + Double($1.0) * Double($1.1) }
            }
            let fwd = NeuronKernel.forward(eq, input: x, steps: T, elements: N)
            let b = NeuronKernel.backward(eq, input: x, states: fwd.states, gradOutput: r, steps: T, elements: N, table: nil,
                                          parameterGradients: true, neurons: N)
            var worst = 0.0
            for i in 0..<x.count {
                var xp = x, xm = x
                xp[i] += 1e-2; xm[i] -= 1e-2
                let numeric = (loss(eq, xp) - loss(eq, xm)) / 2e-2
                worst = max(worst, abs(Double(b.gradInput[i]) - numeric) / max(1, abs(numeric)))
            }
            XCTAssertLessThan(worst, 5e-3, "\(method) input gradient")
            for name in ["tau", "tauw", "a", "b", "th"] {
                let k = eq.compiled.parameterNames.firstIndex(of: name)!
                let analytic = (0..<N).reduce(0.0) { $0 + Double(b.gradParameters[k * N + $1]) }
                let h = max(abs(eq[parameter: name]!), 1e-3) * 1e-2
                var mp = eq, mm = eq
                try mp.set(name, eq[parameter: name]! + h); try mm.set(name, eq[parameter: name]! - h)
                let numeric = (loss(mp, x) - loss(mm, x)) / Double(2 * h)
                XCTAssertEqual(analytic, numeric, accuracy: 5e-3 * max(1, abs(numeric)), "\(method) d/d\(name)")
            }
        }
    }

    func testTrainsInSpikingLayer() throws {
        let eq = try EquationModel(equations: "dv/dt = (I - v)/tau : 1\nI : 1", threshold: "v > th", reset: "v = 0",
                                   parameters: ["tau": "4*ms", "th": "1"], input: "I", dt: "1*ms")
        let layer = try SpikingLayer(eq, learn: ["th"])
        var rng = SeededRandom(seed: 1)
        let x = Variable(Tensor.uniform([10, 2, 3], low: 0, high: 3, rng: &rng), requiresGrad: true)
        let y = layer(x)
        XCTAssertEqual(y.value.shape, [10, 2, 3])
        y.sum().backward()
        XCTAssertNotNil(x.grad)
        XCTAssertEqual(layer.parameters.learnable.map(\.name), ["th"])
        XCTAssertNotEqual(layer.parameters.learnable[0].value.grad?.scalars[0] ?? 0, 0)
        XCTAssertThrowsError(try SpikingLayer(eq, learn: ["dt"]))
    }
}

/// Brian2's CUBA example (examples/CUBA.py) equations and constants.
let cubaEquations = """
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    """
let cubaParameters = ["taum": "20*ms", "taue": "5*ms", "taui": "10*ms", "Vt": "-50*mV", "Vr": "-60*mV", "El": "-49*mV"]
