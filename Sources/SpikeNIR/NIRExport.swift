import Foundation
import SpikeCore
import SpikeNeurons
import SpikeNN

/// Export of SpikeKit networks to NIR graphs.
///
/// Layers: `Linear` (Affine or Linear), `Flatten`, `Conv1d`, `Conv2d`, `AvgPool2d`, `SumPool2d`, nested
/// `Sequential`s (as subgraphs) and the neurons below. A `Sequential` becomes a chain `input -> 0 -> 1 -> ... -> output` (node names are the layer indices, as
/// in PyTorch's `state_dict`); a `RecurrentSpikingLayer` becomes a nested graph `input -> neuron <-> w_rec`,
/// `neuron -> output` whose recurrent `Linear` carries the previous step's spikes (as the layer does). The
/// discrete per-step parameters are mapped to NIR's continuous ones at the step `dt` (seconds) so that NIR's
/// forward-Euler reference at that `dt` reproduces the layer step for step:
/// - SpikingJelly-style `LIF` (tau in steps): `τ = tau · dt`, `v_leak = v_reset`; with `decayInput`
///   (`h = v + (x - (v - v_reset)) / tau`) `r = 1`, without (`h = v - (v - v_reset)/tau + x`) `r = tau`.
///   A decay per step `β = 1 - 1/tau` (snnTorch's beta) is the same mapping with `tau = 1/(1 - β)`.
/// - `IF` (`h = v + x`): `r = 1/dt`.  `LI` (leaky readout): as LIF without threshold.
/// - SpikingJelly `PLIF`: as LIF with `tau = 1/sigmoid(w)` steps (SpikingJelly's own `map_plif`).
/// - snnTorch `Leaky` with `reset_mechanism = "zero"`: `τ = dt/(1 - β)`, `r = τ/dt`, `v_leak = v_reset = 0`
///   (snnTorch's own `export_to_nir` mapping); "subtract" and "none" are refused.
/// - `NorseLIF` (inverse time constants, CubaLIF-type): `τ_syn = 1/tau_syn_inv`, `τ_mem = 1/tau_mem_inv`,
///   `r = 1`, `w_in = τ_syn/dt`, `v_leak`, thresholds and reset as they are; only with `approximate`,
///   because Norse's membrane sees the input current of the same step while NIR's Euler step sees it one
///   step later (documented in docs/NIR.md).
/// The layer's initial membrane must be 0 (NIR's executor starts there): a hard reset to a non-zero value
/// is exported (NIR has `v_reset`) but SpikeKit's layer starts at `v_reset`, so the first steps differ.
/// Refused, with one line naming the node: soft (subtractive) reset, refractory periods and every other
/// neuron model, layers NIR has no primitive for (dropout, normalisation, max pooling...).
public enum NIRExport {
    /// Options of an export.
    public struct Options: Sendable {
        /// The step in seconds the discrete parameters are converted at (written as `metadata/dt`).
        public var dt: Double
        /// Allow the documented approximations (Norse's CubaLIF update order).
        public var approximate: Bool
        /// Export at `dt` seconds, no approximations.
        public init(dt: Double, approximate: Bool = false) { self.dt = dt; self.approximate = approximate }
    }

    /// The NIR graph of `model` for input of unbatched shape `inputShape`.
    public static func graph(_ model: Sequential, inputShape: [Int], options: Options) throws -> NIRGraph {
        guard options.dt.isFinite, options.dt > 0 else { throw NIRError("dt must be a positive number of seconds, got \(options.dt)") }
        var shape = inputShape
        var named: [(String, NIRNode)] = []
        for (i, layer) in model.layers.enumerated() {
            let (node, out) = try export(layer, name: "\(i)", inputShape: shape, options: options)
            named.append(("\(i)", node)); shape = out
        }
        return NIRGraph.sequence(named, inputShape: inputShape, outputShape: shape, metadata: ["dt": .array(.scalar(options.dt))])
    }

    static func f32(_ v: [Float], _ shape: [Int]? = nil) -> NIRArray { NIRArray(v, shape: shape) }

    /// Per-neuron values of parameter `name` for `n` neurons (learnable values, then the table, then the model).
    static func values<M: NeuronModel>(_ p: NeuronLayerParameters<M>, _ name: String, n: Int) -> [Float] {
        let k = M.parameterIndex(name)!
        var v: [Float]
        if let l = p.learnable.first(where: { $0.name == name }) { v = l.value.value.scalars }
        else if let t = p.table { v = t[name] } else { v = [p.model.parameters[k]] }
        return v.count == n ? v : [Float](repeating: v[0], count: n)
    }

    static func neuron(_ layer: any Module, name: String, n: Int, options: Options) throws -> NIRNode? {
        let dt = options.dt
        func fail(_ m: String) -> NIRError { NIRError(node: name, m) }
        func hardReset(_ r: ResetMode) throws -> Float {
            guard case .hard(let v) = r else { throw fail("soft (subtractive) reset cannot be expressed in NIR (its neurons reset to v_reset)") }
            return v
        }
        func params<M: NeuronModel>(_ l: Any, _ t: M.Type) -> NeuronLayerParameters<M>? {
            if let s = l as? SpikingLayer<M> { return s.parameters }
            if let s = l as? RecurrentSpikingLayer<M> { return s.parameters }
            return nil
        }
        let ones = [Float](repeating: 1, count: n)
        if let p = params(layer, LIF.self) {
            let vr = try hardReset(p.model.reset)
            let tau = values(p, "tau", n: n).map { Double($0) }
            return .lif(tau: NIRArray(tau.map { $0 * dt }), r: NIRArray(p.model.decayInput ? ones.map(Double.init) : tau),
                        vLeak: f32([Float](repeating: vr, count: n)), vThreshold: f32(values(p, "v_threshold", n: n)),
                        vReset: f32([Float](repeating: vr, count: n)))
        }
        if let p = params(layer, IF.self) {
            let vr = try hardReset(p.model.reset)
            return .integrateAndFire(r: NIRArray([Double](repeating: 1 / dt, count: n)), vThreshold: f32(values(p, "v_threshold", n: n)),
                                     vReset: f32([Float](repeating: vr, count: n)))
        }
        if let p = params(layer, LI.self) {
            let tau = values(p, "tau", n: n).map { Double($0) }
            let rest = values(p, "v_rest", n: n)
            return .li(tau: NIRArray(tau.map { $0 * dt }), r: NIRArray(p.model.decayInput ? ones.map(Double.init) : tau), vLeak: f32(rest))
        }
        if let p = params(layer, PLIF.self) {
            let vr = try hardReset(p.model.reset)
            // SpikingJelly's map_plif: tau = 1 / sigmoid(w) steps.
            let tau = values(p, "w", n: n).map { 1 / (1 / (1 + exp(-Double($0)))) }
            return .lif(tau: NIRArray(tau.map { $0 * dt }), r: NIRArray(p.model.decayInput ? ones.map(Double.init) : tau),
                        vLeak: f32([Float](repeating: vr, count: n)), vThreshold: f32(values(p, "v_threshold", n: n)),
                        vReset: f32([Float](repeating: vr, count: n)))
        }
        if let p = params(layer, SnnTorchLeaky.self) {
            // U[t] = β (1 - R) U[t-1] + X: with the delayed zero reset this is NIR's LIF with reset to 0 at the
            // spike (tau = dt/(1-β), r = tau/dt, as snnTorch's export_to_nir writes it).
            switch p.model.resetMechanism {
            case .zero: break
            case .subtract: throw fail("snnTorch Leaky's subtractive reset cannot be expressed in NIR (its neurons reset to v_reset)")
            case .none: throw fail("snnTorch Leaky without reset cannot be expressed in NIR (its LIF always resets)")
            }
            let beta = values(p, "beta", n: n).map { Double(min(1, max(0, $0))) }
            guard beta.allSatisfy({ $0 < 1 }) else { throw fail("beta = 1 (no leak) has no finite NIR time constant") }
            let tau = beta.map { dt / (1 - $0) }
            return .lif(tau: NIRArray(tau), r: NIRArray(tau.map { $0 / dt }), vLeak: f32([Float](repeating: 0, count: n)),
                        vThreshold: f32(values(p, "threshold", n: n)), vReset: f32([Float](repeating: 0, count: n)))
        }
        if let p = params(layer, NorseLIF.self) {
            guard options.approximate else {
                throw fail("NorseLIF's membrane uses the current of the same step, NIR's CubaLIF the previous one; export it with the approximation option")
            }
            let m = p.model
            guard abs(Double(m.dt) - dt) <= 1e-6 * dt else { throw fail("NorseLIF has dt \(m.dt), the export dt is \(dt)") }
            let ts = 1 / Double(m.tauSynInv), tm = 1 / Double(m.tauMemInv)
            func rep(_ v: Double) -> NIRArray { NIRArray([Double](repeating: v, count: n)) }
            return .cubaLIF(tauSyn: rep(ts), tauMem: rep(tm), r: rep(1), vLeak: rep(Double(m.vLeak)), vThreshold: rep(Double(m.vTh)),
                            vReset: rep(Double(m.vReset)), wIn: rep(ts / dt))
        }
        return nil
    }

    static func export(_ layer: any Module, name: String, inputShape: [Int], options: Options) throws -> (NIRNode, [Int]) {
        func fail(_ m: String) -> NIRError { NIRError(node: name, m) }
        let n = inputShape.reduce(1, *)
        switch layer {
        case let l as SpikeNN.Linear:
            guard inputShape == [l.inFeatures] else { throw fail("Linear expects [\(l.inFeatures)], gets \(inputShape)") }
            let w = f32(l.weight.value.scalars, [l.outFeatures, l.inFeatures])
            let node: NIRNode = l.bias.map { .affine(weight: w, bias: f32($0.value.scalars)) } ?? .linear(weight: w)
            return (node, [l.outFeatures])
        case let f as SpikeNN.Flatten:
            // Multi-step [T, B, ...]: startAxis 2 is the first unbatched axis.
            let start = f.startAxis - 2
            guard start >= 0, start < max(inputShape.count, 1) else { throw fail("Flatten from axis \(f.startAxis) cannot be expressed on [T, B, ...] input") }
            let out = Array(inputShape[..<start]) + [inputShape[start...].reduce(1, *)]
            return (.flatten(startDim: start, endDim: -1, inputShape: inputShape), out)
        case let c as SpikeNN.Conv2d:
            guard inputShape.count == 3, inputShape[0] == c.inChannels else { throw fail("Conv2d expects [\(c.inChannels), H, W], gets \(inputShape)") }
            let g = c.geometry(height: inputShape[1], width: inputShape[2])
            guard g.padTop == g.padBottom, g.padLeft == g.padRight else { throw fail("asymmetric 'same' padding cannot be expressed") }
            let fields: [String: NIRValue] = [
                "weight": .array(f32(c.weight.value.scalars, c.weight.shape)),
                "bias": .array(f32(c.bias?.value.scalars ?? [Float](repeating: 0, count: c.outChannels))),
                "stride": .array(NIRArray(integers: [c.stride.0, c.stride.1])),
                "padding": .array(NIRArray(integers: [g.padTop, g.padLeft])),
                "dilation": .array(NIRArray(integers: [c.dilation.0, c.dilation.1])),
                "groups": .array(.scalar(Double(c.groups), .int64)),
                "input_shape": .array(NIRArray(integers: [inputShape[1], inputShape[2]])),
            ]
            return (NIRNode(.conv2d, fields), [c.outChannels, g.outHeight, g.outWidth])
        case let c as SpikeNN.Conv1d:
            guard inputShape.count == 2, inputShape[0] == c.inChannels else { throw fail("Conv1d expects [\(c.inChannels), L], gets \(inputShape)") }
            let (pl, pr): (Int, Int)
            switch c.padding {
            case .valid: (pl, pr) = (0, 0)
            case .explicit(_, let w): (pl, pr) = (w, w)
            case .same: let total = c.dilation * (c.kernelSize - 1); (pl, pr) = (total / 2, total - total / 2)
            }
            guard pl == pr else { throw fail("asymmetric 'same' padding cannot be expressed") }
            let span = inputShape[1] + 2 * pl - c.dilation * (c.kernelSize - 1) - 1
            guard span >= 0 else { throw fail("input \(inputShape) is shorter than the kernel") }
            let fields: [String: NIRValue] = [
                "weight": .array(f32(c.weight.value.scalars, c.weight.shape)),
                "bias": .array(f32(c.bias?.value.scalars ?? [Float](repeating: 0, count: c.outChannels))),
                "stride": .array(.scalar(Double(c.stride), .int64)), "padding": .array(.scalar(Double(pl), .int64)),
                "dilation": .array(.scalar(Double(c.dilation), .int64)), "groups": .array(.scalar(Double(c.groups), .int64)),
                "input_shape": .array(.scalar(Double(inputShape[1]), .int64)),
            ]
            return (NIRNode(.conv1d, fields), [c.outChannels, span / c.stride + 1])
        case let p as SpikeNN.AvgPool2d:
            guard inputShape.count == 3 else { throw fail("AvgPool2d expects [C, H, W], gets \(inputShape)") }
            guard !p.ceilMode, p.countIncludePad || p.padding == (0, 0) else { throw fail("ceil_mode or count_include_pad=False cannot be expressed") }
            let oh = (inputShape[1] + 2 * p.padding.0 - p.kernelSize.0) / p.stride.0 + 1
            let ow = (inputShape[2] + 2 * p.padding.1 - p.kernelSize.1) / p.stride.1 + 1
            return (NIRNode(.avgPool2d, arrays: ["kernel_size": NIRArray(integers: [p.kernelSize.0, p.kernelSize.1]),
                                                 "stride": NIRArray(integers: [p.stride.0, p.stride.1]),
                                                 "padding": NIRArray(integers: [p.padding.0, p.padding.1])]), [inputShape[0], oh, ow])
        case let p as SpikeNN.SumPool2d:
            guard inputShape.count == 3 else { throw fail("SumPool2d expects [C, H, W], gets \(inputShape)") }
            let oh = (inputShape[1] - p.kernelSize.0) / p.stride.0 + 1, ow = (inputShape[2] - p.kernelSize.1) / p.stride.1 + 1
            return (NIRNode(.sumPool2d, arrays: ["kernel_size": NIRArray(integers: [p.kernelSize.0, p.kernelSize.1]),
                                                 "stride": NIRArray(integers: [p.stride.0, p.stride.1]),
                                                 "padding": NIRArray(integers: [0, 0])]), [inputShape[0], oh, ow])
        case let s as Sequential:
            let g = try graph(s, inputShape: inputShape, options: options)
            var sub = g; sub.metadata = [:]
            return (NIRNode(graph: sub), g.nodes["output"]!.array("shape")!.integers)
        default:
            if let r = try recurrent(layer, name: name, inputShape: inputShape, options: options) { return r }
            if var node = try neuron(layer, name: name, n: n, options: options) {
                if inputShape.count > 1 {
                    for (k, v) in node.fields { if case .array(let a) = v, a.count == n { node.fields[k] = .array(NIRArray(a.values, shape: inputShape, elementType: a.elementType)) } }
                }
                return (node, inputShape)
            }
            throw fail("\(type(of: layer)) has no NIR primitive (NIR expresses Linear, Flatten, Conv2d, AvgPool2d/SumPool2d and LIF/IF/LI/CubaLIF neurons with a hard reset)")
        }
    }

    static func recurrent(_ layer: any Module, name: String, inputShape: [Int], options: Options) throws -> (NIRNode, [Int])? {
        func sub<M: NeuronModel>(_ l: RecurrentSpikingLayer<M>) throws -> (NIRNode, [Int]) {
            guard inputShape == [l.neurons] else { throw NIRError(node: name, "recurrent layer of \(l.neurons) neurons gets \(inputShape)") }
            guard let cell = try neuron(l, name: "\(name).neuron", n: l.neurons, options: options) else {
                throw NIRError(node: name, "\(M.id) has no NIR neuron")
            }
            var w = l.weight.value
            if !l.selfConnections { for i in 0..<l.neurons { w.scalars[i * l.neurons + i] = 0 } }
            let g = NIRGraph(nodes: ["input": .input([l.neurons]), "neuron": cell, "w_rec": .linear(weight: f32(w.scalars, [l.neurons, l.neurons])),
                                     "output": .output([l.neurons])],
                             edges: [("input", "neuron"), ("neuron", "w_rec"), ("w_rec", "neuron"), ("neuron", "output")])
            return (NIRNode(graph: g), [l.neurons])
        }
        if let l = layer as? RecurrentSpikingLayer<LIF> { return try sub(l) }
        if let l = layer as? RecurrentSpikingLayer<IF> { return try sub(l) }
        if let l = layer as? RecurrentSpikingLayer<NorseLIF> { return try sub(l) }
        return nil
    }
}
