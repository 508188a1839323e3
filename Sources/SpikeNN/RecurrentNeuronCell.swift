import SpikeCore
import SpikeNeurons

/// A recurrent cell with its own input and recurrent weights, as Norse's recurrent cells (`LIFAdExRecurrentCell`,
/// `LIFRecurrentCell`, ...: `SNNRecurrentCell`): one step
///
///     I[t] = x[t] W_in^T + z[t-1] W_rec^T          (W_in: [hidden, input], W_rec: [hidden, hidden])
///     (z[t], s[t]) = step(I[t], s[t-1])             (the model's step, e.g. `NorseLIFAdEx`, Norse's lif_adex_step)
///
/// Norse's initialisation: both matrices `randn * sqrt(2 / hidden)`; with `autapses` false the diagonal of W_rec
/// is zero and stays zero (its gradient is masked, Norse's hook). Custom matrices may be given. The state is the
/// neuron state (one `Variable` per `Model.stateNames`, `[B, hidden]`) and the last output z; nil starts from the
/// model's initial state and z = 0.
public final class RecurrentNeuronCell<Model: NeuronModel>: Module {
    /// The neuron dynamics.
    public let cell: NeuronCell<Model>
    /// `input_weights` `[hidden, input]`.
    public let inputWeights: Variable
    /// `recurrent_weights` `[hidden, hidden]`.
    public let recurrentWeights: Variable
    public let inputSize: Int, hiddenSize: Int
    /// Whether a neuron may feed back onto itself (Norse's `autapses`, default false).
    public let autapses: Bool
    let mask: Variable?

    /// The state between steps: the neuron state and the last output.
    public struct State {
        public var neuron: [Variable]
        public var z: Variable
    }

    /// Norse's defaults: `randn * sqrt(2 / hidden)` for both matrices unless given (shapes checked).
    public init(_ model: Model, inputSize: Int, hiddenSize: Int, autapses: Bool = false, inputWeights: Tensor? = nil,
                recurrentWeights: Tensor? = nil, rng: inout SeededRandom) {
        precondition(inputSize > 0 && hiddenSize > 0, "RecurrentNeuronCell: sizes must be > 0")
        let scale = (2 / Float(hiddenSize)).squareRoot()
        let win = inputWeights ?? Tensor.normal([hiddenSize, inputSize], rng: &rng) * scale
        var wrec = recurrentWeights ?? Tensor.normal([hiddenSize, hiddenSize], rng: &rng) * scale
        precondition(win.shape == [hiddenSize, inputSize], "RecurrentNeuronCell: input_weights must be [\(hiddenSize), \(inputSize)], got \(win.shape)")
        precondition(wrec.shape == [hiddenSize, hiddenSize], "RecurrentNeuronCell: recurrent_weights must be [\(hiddenSize), \(hiddenSize)], got \(wrec.shape)")
        if !autapses { for i in 0..<hiddenSize { wrec.scalars[i * hiddenSize + i] = 0 } }
        cell = NeuronCell(model)
        self.inputWeights = Variable(win, requiresGrad: true)
        self.recurrentWeights = Variable(wrec, requiresGrad: true)
        self.inputSize = inputSize; self.hiddenSize = hiddenSize; self.autapses = autapses
        if autapses { mask = nil } else {
            var m = Tensor(shape: [hiddenSize, hiddenSize], scalars: [Float](repeating: 1, count: hiddenSize * hiddenSize))
            for i in 0..<hiddenSize { m.scalars[i * hiddenSize + i] = 0 }
            mask = Variable(m)
        }
    }

    public var ownParameters: [(String, Variable)] {
        [("input_weights", inputWeights), ("recurrent_weights", recurrentWeights)] + cell.ownParameters
    }

    /// One step: `x` `[B, input]`.
    public func callAsFunction(_ x: Variable, state: State?) -> (out: Variable, state: State) {
        precondition(x.shape.count == 2 && x.shape[1] == inputSize, "RecurrentNeuronCell: input must be [B, \(inputSize)], got \(x.shape)")
        var drive = Variable.matmul(x, inputWeights, transposeB: true)
        if let z = state?.z {
            let w = mask.map { recurrentWeights * $0 } ?? recurrentWeights
            drive = drive + Variable.matmul(z, w, transposeB: true)
        }
        let (o, s) = cell(drive, state: state?.neuron)
        return (o, State(neuron: s, z: o))
    }

    /// Over `[T, B, input]` from `state` (nil: the initial state); returns `[T, B, hidden]` and the final state.
    public func sequence(_ x: Variable, state: State?) -> (out: Variable, finalState: State?) {
        var st = state
        var outs: [Variable] = []
        for t in 0..<x.shape[0] {
            let (o, s) = self(x.slice(t..<(t + 1)).reshaped(Array(x.shape.dropFirst())), state: st)
            outs.append(o); st = s
        }
        return (Variable.stack(outs), st)
    }

    public func callAsFunction(_ x: Variable) -> Variable { sequence(x, state: nil).out }
}
