import SpikeCore
import SpikeNeurons

/// A multi-step layer of neurons of any `NeuronModel`: `[T, B, ...]` in, `[T, B, ...]` out (spikes, or the
/// membrane for non-spiking models), one neuron per element of a time step.
///
/// The whole time loop runs in `NeuronKernel` forward, and backward through time in one fused VJP: one
/// tape node per layer, not one per step. Each call starts from the model's initial state (SpikingJelly's
/// `reset()` before every sequence).
public final class SpikingLayer<Model: NeuronModel>: Module {
    /// The neuron model and its parameters.
    public var model: Model
    /// State traces of the last call, `[T, S, M]` flattened, when `recordStates` is set.
    public var lastStates: [Float] = []
    /// Keep the state traces of the last call in `lastStates`.
    public var recordStates = false

    public init(_ model: Model) { self.model = model }

    /// Inlinable so that the generic kernel is specialised for the concrete model at the call site.
    @inlinable
    public func callAsFunction(_ x: Variable) -> Variable {
        precondition(x.shape.count >= 2, "SpikingLayer: input must be [T, B, ...], got \(x.shape)")
        let T = x.shape[0], M = x.value.count / max(1, T)
        let model = self.model
        let input = x.value.scalars
        // Inference (no tape): no state history is kept unless asked for.
        let keep = Tape.isRecording || recordStates
        let fwd = NeuronKernel.forward(model, input: input, steps: T, elements: M, keepStates: keep)
        if recordStates { lastStates = fwd.states }
        let shape = x.shape
        return Variable.record(Tensor(shape: shape, scalars: fwd.output), parents: [x]) { g in
            let (gi, _) = NeuronKernel.backward(model, input: input, states: fwd.states, gradOutput: g.scalars,
                                                steps: T, elements: M)
            return [Tensor(shape: shape, scalars: gi)]
        }
    }
}

/// A single-step neuron cell with explicit state, as Norse's cells: `(x[t], state[t-1]) -> (out[t], state[t])`.
///
/// Input `[B, ...]`; the state is one `Variable` per state variable (`Model.stateNames`), each of the
/// input's shape; pass nil for the model's initial state. Gradients flow through the state, so a Swift loop
/// over cells is backpropagation through time with one tape node per step (the fused `SpikingLayer` gives
/// the same numbers with one node per sequence).
public final class NeuronCell<Model: NeuronModel>: Module {
    public var model: Model
    public init(_ model: Model) { self.model = model }

    /// One step.
    public func callAsFunction(_ x: Variable, state: [Variable]?) -> (out: Variable, state: [Variable]) {
        let S = Model.State.count, M = x.value.count
        let shape = x.shape
        let initial: [Float]? = state.map { st in
            precondition(st.count == S && st.allSatisfy { $0.shape == shape }, "NeuronCell: state must be \(S) tensors of shape \(shape)")
            return st.flatMap { $0.value.scalars }
        }
        let model = self.model
        let input = x.value.scalars
        let fwd = NeuronKernel.forward(model, input: input, steps: 1, elements: M, initial: initial)
        let packed = Tensor(shape: [S + 1] + shape, scalars: fwd.output + fwd.states)
        let parents = [x] + (state ?? [])
        let node = Variable.record(packed, parents: parents) { g in
            let gOut = Array(g.scalars[0..<M]), gState = Array(g.scalars[M...])
            let (gi, g0) = NeuronKernel.backward(model, input: input, states: fwd.states, gradOutput: gOut, steps: 1,
                                                 elements: M, initial: initial, gradFinalState: gState)
            var out: [Tensor?] = [Tensor(shape: shape, scalars: gi)]
            if state != nil { for k in 0..<S { out.append(Tensor(shape: shape, scalars: Array(g0[(k * M)..<((k + 1) * M)]))) } }
            return out
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
