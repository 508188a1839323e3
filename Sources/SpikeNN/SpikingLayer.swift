import SpikeCore
import SpikeNeurons

/// The numeric parameters of a layer of neurons: the base model, optional per-neuron values
/// (`NeuronParameterTable`) and the learnable ones as `Variable`s (shape `[1]` shared by all neurons, as
/// SpikingJelly's PLIF `w`, or `[N]` one per neuron). Shared by `SpikingLayer`, `NeuronCell` and
/// `RecurrentSpikingLayer`.
public struct NeuronLayerParameters<Model: NeuronModel> {
    /// The base model: parameters of every neuron without a per-neuron value.
    public var model: Model
    /// Per-neuron values of the numeric parameters (nil: all neurons use `model`'s).
    public var table: NeuronParameterTable?
    /// Learnable parameters by name, in `Model.parameterNames` order.
    public private(set) var learnable: [(name: String, index: Int, value: Variable)] = []

    public init(_ model: Model) { self.model = model }

    /// Number of neurons the parameters are given for (1 when all are shared).
    public var neurons: Int { max(table?.neurons ?? 1, learnable.map(\.value.value.count).max() ?? 1) }

    /// Makes `names` learnable: shared (`[1]`) unless per-neuron values exist or `perNeuron` is set.
    /// Throws for names the model cannot learn.
    public mutating func learn(_ names: [String], perNeuron: Int? = nil) throws {
        for name in names {
            guard model.instanceLearnableParameterNames.contains(name), let k = model.instanceParameterNames.firstIndex(of: name) else {
                let known = model.instanceLearnableParameterNames
                throw ParameterError("\(Model.id): '\(name)' is not learnable (learnable: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
            }
            if learnable.contains(where: { $0.name == name }) { continue }
            let n = perNeuron ?? table?.neurons ?? 1
            let values = table?[name] ?? [Float](repeating: model.parameters[k], count: 1)
            let v = values.count == n ? values : [Float](repeating: values[0], count: n)
            learnable.append((name, k, Variable(Tensor(shape: [n], scalars: v), requiresGrad: true)))
            learnable.sort { $0.index < $1.index }
        }
    }

    /// Per-neuron values for `neurons` neurons (expanding shared values), with the learnable values applied.
    @usableFromInline func effectiveTable(neurons n: Int) -> NeuronParameterTable {
        var t = table ?? NeuronParameterTable(model, neurons: n)
        if t.neurons != n {
            precondition(t.neurons == 1, "\(Model.id): per-neuron parameters for \(t.neurons) neurons, layer has \(n)")
            var e = NeuronParameterTable(model, neurons: n)
            for name in t.names { e[name] = [Float](repeating: t[name][0], count: n) }
            t = e
        }
        for l in learnable {
            let v = l.value.value.scalars
            t[l.name] = v.count == n ? v : [Float](repeating: v[0], count: n)
        }
        return t
    }

    /// The model and per-neuron table to run `elements` elements with (no table when every parameter is shared).
    @usableFromInline func resolved(elements: Int) -> (model: Model, table: NeuronParameterTable?) {
        let n = neurons
        if n == 1 {
            var m = model
            var p = m.parameters
            for l in learnable { p[l.index] = l.value.value.scalars[0] }
            m.parameters = p
            return (m, nil)
        }
        precondition(elements % n == 0, "\(Model.id): \(elements) elements per step is not a multiple of \(n) neurons")
        return (model, effectiveTable(neurons: n))
    }

    /// Adds relative Gaussian mismatch (seeded; see `NeuronParameterTable.addMismatch`) to parameter `name`
    /// of `neurons` neurons; makes the parameters per-neuron.
    public mutating func addMismatch(_ name: String, fraction: Float, seed: UInt64, neurons n: Int) throws {
        guard n > 0 else { throw ParameterError("\(Model.id): mismatch needs neurons > 0") }
        if let t = table, t.neurons != n, t.neurons != 1 {
            throw ParameterError("\(Model.id): per-neuron parameters exist for \(t.neurons) neurons, not \(n)")
        }
        var t = effectiveTable(neurons: n)
        try t.addMismatch(name, fraction: fraction, seed: seed, model: Model.self)
        table = t
        if let i = learnable.firstIndex(where: { $0.name == name }) {
            learnable[i].value.value = Tensor(shape: [n], scalars: t[name])
        }
    }

    /// The gradient tensors of the learnable parameters from the kernel's `[P, neurons]` per-neuron gradients.
    @usableFromInline func learnableGradients(_ g: [Float], neurons n: Int) -> [Tensor] {
        learnable.map { l in
            let row = Array(g[(l.index * n)..<((l.index + 1) * n)])
            if l.value.value.count == n { return Tensor(shape: [n], scalars: row) }
            return Tensor(shape: [1], scalars: [row.reduce(0, +)])
        }
    }
}

/// A multi-step layer of neurons of any `NeuronModel`: `[T, B, ...]` in, `[T, B, ...]` out (spikes, or the
/// membrane for non-spiking models), one neuron per element of a time step.
///
/// The whole time loop runs in `NeuronKernel` forward, and backward through time in one fused VJP: one
/// tape node per layer, not one per step. Each call starts from the model's initial state (SpikingJelly's
/// `reset()` before every sequence).
///
/// Parameters may be per neuron (`parameters.table`, `addMismatch`) and learnable (`learn(["tau"])`): a
/// learnable parameter is a `Variable` named by the model's parameter name (`w` for PLIF as in SpikingJelly's
/// state_dict, `beta` for snnTorch's Leaky), of shape `[1]` or `[N]` where N is the number of neurons (the
/// product of the dimensions after `[T, B]`).
public final class SpikingLayer<Model: NeuronModel>: Module {
    /// Base model, per-neuron values and learnable parameters.
    public var parameters: NeuronLayerParameters<Model>
    /// The neuron model and its (shared) parameters.
    public var model: Model {
        get { parameters.model }
        set { parameters.model = newValue }
    }
    /// State traces of the last call, `[T, S, M]` flattened, when `recordStates` is set.
    public var lastStates: [Float] = []
    /// Keep the state traces of the last call in `lastStates`.
    public var recordStates = false

    public init(_ model: Model) { parameters = NeuronLayerParameters(model) }

    /// A layer whose parameters `learn` are trained (shared by all neurons, or one per neuron with `perNeuron`).
    public convenience init(_ model: Model, learn: [String], perNeuron: Int? = nil) throws {
        self.init(model)
        try parameters.learn(learn, perNeuron: perNeuron)
    }

    /// Makes parameters learnable (see `NeuronLayerParameters.learn`).
    public func learn(_ names: [String], perNeuron: Int? = nil) throws { try parameters.learn(names, perNeuron: perNeuron) }

    /// Adds device mismatch to a parameter of `neurons` neurons (see `NeuronParameterTable.addMismatch`).
    public func addMismatch(_ name: String, fraction: Float, seed: UInt64, neurons: Int) throws {
        try parameters.addMismatch(name, fraction: fraction, seed: seed, neurons: neurons)
    }

    public var ownParameters: [(String, Variable)] { parameters.learnable.map { ($0.name, $0.value) } }

    /// Inlinable so that the generic kernel is specialised for the concrete model at the call site.
    @inlinable
    public func callAsFunction(_ x: Variable) -> Variable {
        precondition(x.shape.count >= 2, "SpikingLayer: input must be [T, B, ...], got \(x.shape)")
        let T = x.shape[0], M = x.value.count / max(1, T)
        let (model, table) = parameters.resolved(elements: M)
        let input = x.value.scalars
        // Inference (no tape): no state history is kept unless asked for.
        let keep = Tape.isRecording || recordStates
        let fwd = NeuronKernel.forward(model, input: input, steps: T, elements: M, table: table, keepStates: keep)
        if recordStates { lastStates = fwd.states }
        let shape = x.shape
        let learnable = parameters.learnable
        if learnable.isEmpty {
            return Variable.record(Tensor(shape: shape, scalars: fwd.output), parents: [x]) { g in
                let b = NeuronKernel.backward(model, input: input, states: fwd.states, gradOutput: g.scalars, steps: T,
                                              elements: M, table: table, parameterGradients: false)
                return [Tensor(shape: shape, scalars: b.gradInput)]
            }
        }
        let params = parameters
        let n = params.neurons
        return Variable.record(Tensor(shape: shape, scalars: fwd.output), parents: [x] + learnable.map(\.value)) { g in
            let b = NeuronKernel.backward(model, input: input, states: fwd.states, gradOutput: g.scalars, steps: T,
                                          elements: M, table: table, parameterGradients: true, neurons: n)
            return [Tensor(shape: shape, scalars: b.gradInput)] + params.learnableGradients(b.gradParameters, neurons: n)
        }
    }
}

extension SpikingLayer {
    /// The layer over `[T, B, ...]` from a given state, returning its final state too (Norse's modules:
    /// `(output, state) = module(x, state)`): `initialState` is one `Variable` per state variable
    /// (`Model.stateNames`) of shape `[B, ...]`, nil for the model's initial state. Feeding the final state of one
    /// chunk as the initial state of the next gives the same outputs and gradients as one call on the whole
    /// sequence, so a long recording can be processed (and inference streamed) in pieces. Gradients flow to the
    /// input, the initial state and the learnable parameters.
    public func callAsFunction(_ x: Variable, initialState: [Variable]?) -> (out: Variable, finalState: [Variable]) {
        precondition(x.shape.count >= 2, "SpikingLayer: input must be [T, B, ...], got \(x.shape)")
        let T = x.shape[0], M = x.value.count / max(1, T), S = Model.State.count
        let stateShape = Array(x.shape.dropFirst())
        let initial: [Float]? = initialState.map { st in
            precondition(st.count == S && st.allSatisfy { $0.shape == stateShape },
                         "SpikingLayer: initial state must be \(S) tensors of shape \(stateShape)")
            return st.flatMap { $0.value.scalars }
        }
        let (model, table) = parameters.resolved(elements: M)
        let input = x.value.scalars
        let fwd = NeuronKernel.forward(model, input: input, steps: T, elements: M, initial: initial, table: table, keepStates: true)
        if recordStates { lastStates = fwd.states }
        let final = Array(fwd.states[((T - 1) * S * M)..<(T * S * M)])
        let shape = x.shape
        let packed = Tensor(shape: [T * M + S * M], scalars: fwd.output + final)
        let params = parameters, n = parameters.neurons
        let parents = [x] + (initialState ?? []) + params.learnable.map(\.value)
        let node = Variable.record(packed, parents: parents) { g in
            let gOut = Array(g.scalars[0..<(T * M)]), gFinal = Array(g.scalars[(T * M)...])
            let b = NeuronKernel.backward(model, input: input, states: fwd.states, gradOutput: gOut, steps: T, elements: M,
                                          initial: initial, gradFinalState: gFinal, table: table,
                                          parameterGradients: !params.learnable.isEmpty, neurons: n)
            var out: [Tensor?] = [Tensor(shape: shape, scalars: b.gradInput)]
            if initialState != nil {
                for k in 0..<S { out.append(Tensor(shape: stateShape, scalars: Array(b.gradInitial[(k * M)..<((k + 1) * M)]))) }
            }
            return out + params.learnableGradients(b.gradParameters, neurons: n).map { Optional($0) }
        }
        let out = node.slice(0..<(T * M)).reshaped(shape)
        let states = (0..<S).map { k in node.slice((T * M + k * M)..<(T * M + (k + 1) * M)).reshaped(stateShape) }
        return (out, states)
    }
}

/// A single-step neuron cell with explicit state, as Norse's cells: `(x[t], state[t-1]) -> (out[t], state[t])`.
///
/// Input `[B, ...]`; the state is one `Variable` per state variable (`Model.stateNames`), each of the
/// input's shape; pass nil for the model's initial state. Gradients flow through the state, so a Swift loop
/// over cells is backpropagation through time with one tape node per step (the fused `SpikingLayer` gives
/// the same numbers with one node per sequence).
public final class NeuronCell<Model: NeuronModel>: Module {
    /// Base model, per-neuron values and learnable parameters (as `SpikingLayer`).
    public var parameters: NeuronLayerParameters<Model>
    /// The neuron model and its (shared) parameters.
    public var model: Model {
        get { parameters.model }
        set { parameters.model = newValue }
    }
    public init(_ model: Model) { parameters = NeuronLayerParameters(model) }

    public var ownParameters: [(String, Variable)] { parameters.learnable.map { ($0.name, $0.value) } }

    /// One step.
    public func callAsFunction(_ x: Variable, state: [Variable]?) -> (out: Variable, state: [Variable]) {
        let S = Model.State.count, M = x.value.count
        let shape = x.shape
        let initial: [Float]? = state.map { st in
            precondition(st.count == S && st.allSatisfy { $0.shape == shape }, "NeuronCell: state must be \(S) tensors of shape \(shape)")
            return st.flatMap { $0.value.scalars }
        }
        let (model, table) = parameters.resolved(elements: M)
        let input = x.value.scalars
        let fwd = NeuronKernel.forward(model, input: input, steps: 1, elements: M, initial: initial, table: table)
        let packed = Tensor(shape: [S + 1] + shape, scalars: fwd.output + fwd.states)
        let params = parameters, n = parameters.neurons
        let parents = [x] + (state ?? []) + params.learnable.map(\.value)
        let node = Variable.record(packed, parents: parents) { g in
            let gOut = Array(g.scalars[0..<M]), gState = Array(g.scalars[M...])
            let b = NeuronKernel.backward(model, input: input, states: fwd.states, gradOutput: gOut, steps: 1,
                                          elements: M, initial: initial, gradFinalState: gState, table: table,
                                          parameterGradients: !params.learnable.isEmpty, neurons: n)
            var out: [Tensor?] = [Tensor(shape: shape, scalars: b.gradInput)]
            if state != nil { for k in 0..<S { out.append(Tensor(shape: shape, scalars: Array(b.gradInitial[(k * M)..<((k + 1) * M)]))) } }
            return out + params.learnableGradients(b.gradParameters, neurons: n).map { Optional($0) }
        }
        let pieces = (0...S).map { node.slice($0..<($0 + 1)).reshaped(shape) }
        return (pieces[0], Array(pieces[1...]))
    }

    /// Runs the cell over `[T, B, ...]` step by step (the single-step reference for the fused layer).
    public func callAsFunction(_ x: Variable) -> Variable {
        var state: [Variable]? = nil
        var outs: [Variable] = []
        for t in 0..<x.shape[0] {
            let xt = x.slice(t..<(t + 1)).reshaped(Array(x.shape.dropFirst()))
            let (o, s) = self(xt, state: state)
            outs.append(o); state = s
        }
        return Variable.stack(outs)
    }
}

/// A neuron layer that keeps its state between calls until `reset()`, as SpikingJelly's memory modules
/// (`step_mode='s'` or `'m'`, `store_v_seq`): each call continues from the state the previous call left.
///
/// - `.single` (SpikingJelly's 's'): input `[B, ...]`, one step per call.
/// - `.multi` ('m'): input `[T, B, ...]`, T steps per call.
///
/// The state is kept as values (the graph is cut between calls, as SpikingJelly's `detach` for truncated
/// BPTT); within a call gradients flow as in `SpikingLayer`. A call whose shape differs from the stored
/// state's starts from the model's initial state, as SpikingJelly re-creates its memories for a new shape.
/// With `storeVSeq` the membrane after every step since the last `reset()` is kept in `vSeq` (`[steps, B, ...]`
/// flattened), SpikingJelly's `v_seq`.
public final class MemorySpikingLayer<Model: NeuronModel>: Module {
    /// SpikingJelly's step modes.
    public enum StepMode: Sendable { case single, multi }
    /// The fused layer that runs each call.
    public let layer: SpikingLayer<Model>
    /// 's' (one step per call) or 'm' (a sequence per call).
    public var stepMode: StepMode
    /// Keep the membrane after every step in `vSeq`.
    public var storeVSeq: Bool
    /// The state after the last call (one tensor per state variable), nil after `reset()`.
    public private(set) var state: [Tensor]?
    /// The membrane after every step since `reset()` (with `storeVSeq`).
    public private(set) var vSeq: [Float] = []

    public init(_ model: Model, stepMode: StepMode = .single, storeVSeq: Bool = false) {
        layer = SpikingLayer(model); self.stepMode = stepMode; self.storeVSeq = storeVSeq
    }

    public var ownParameters: [(String, Variable)] { layer.ownParameters }

    /// Forgets the state (and `vSeq`): the next call starts from the model's initial state.
    public func reset() { state = nil; vSeq = [] }

    public func callAsFunction(_ x: Variable) -> Variable {
        let seq = stepMode == .single ? x.reshaped([1] + x.shape) : x
        let stateShape = Array(seq.shape.dropFirst())
        let initial = state.flatMap { s in s.allSatisfy { $0.shape == stateShape } ? s.map { Variable($0) } : nil }
        layer.recordStates = storeVSeq
        let (out, final) = layer(seq, initialState: initial)
        state = final.map(\.value)
        if storeVSeq {
            let S = Model.State.count, M = seq.value.count / max(1, seq.shape[0]), v = Model.membraneIndex
            for t in 0..<seq.shape[0] { vSeq += layer.lastStates[((t * S + v) * M)..<((t * S + v + 1) * M)] }
        }
        return stepMode == .single ? out.reshaped(x.shape) : out
    }
}
