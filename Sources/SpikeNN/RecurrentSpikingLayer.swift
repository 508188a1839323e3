import SpikeCore
import SpikeNeurons

/// A recurrent layer of any spiking `NeuronModel`: the input of step t is the feed-forward input plus the
/// layer's own output of step t-1 through recurrent weights,
///
///     I[t] = X[t] + O[t-1] W^T        (W: [N, N], `recurrent.weight`, row = target, column = source; O[-1] = 0)
///     (O[t], state[t]) = step(I[t], state[t-1])
///
/// as Norse's `LIFRecurrentCell` (whose input weights are a `Linear` before this layer here) and snnTorch's
/// `RLeaky` with `all_to_all` (its `V` weights; snnTorch adds the recurrent term at the same step through its
/// reset-delayed membrane, we use the previous output as Norse does). Without `selfConnections` the diagonal of
/// W is zero and stays zero (its gradient is masked), as Norse's `autapses=False`.
///
/// Input and output `[T, B, N]`. Backward is BPTT through both the neuron state and the recurrence; the
/// neuron dynamics use the model's fused single-step VJP. W is initialised uniform in
/// `[-1/sqrt(N), 1/sqrt(N)] * gain` (PyTorch's Linear default for `gain` 1).
public final class RecurrentSpikingLayer<Model: NeuronModel>: Module {
    /// Base model, per-neuron values and learnable neuron parameters.
    public var parameters: NeuronLayerParameters<Model>
    /// Recurrent weights `[N, N]`.
    public let weight: Variable
    /// Number of neurons.
    public let neurons: Int
    /// Whether a neuron may feed back onto itself.
    public let selfConnections: Bool

    public init(_ model: Model, neurons: Int, selfConnections: Bool = false, gain: Float = 1, rng: inout SeededRandom) {
        precondition(neurons > 0, "RecurrentSpikingLayer: neurons must be > 0")
        parameters = NeuronLayerParameters(model)
        self.neurons = neurons; self.selfConnections = selfConnections
        let bound = gain / Float(neurons).squareRoot()
        var w = Tensor.uniform([neurons, neurons], low: -bound, high: bound, rng: &rng)
        if !selfConnections { for i in 0..<neurons { w.scalars[i * neurons + i] = 0 } }
        weight = Variable(w, requiresGrad: true)
    }

    /// Makes neuron parameters learnable (see `NeuronLayerParameters.learn`).
    public func learn(_ names: [String], perNeuron: Bool = false) throws {
        try parameters.learn(names, perNeuron: perNeuron ? neurons : nil)
    }

    public var ownParameters: [(String, Variable)] {
        [("recurrent.weight", weight)] + parameters.learnable.map { ($0.name, $0.value) }
    }

    /// W with the diagonal masked when self-connections are off.
    func effectiveWeight() -> Tensor {
        var w = weight.value
        if !selfConnections { for i in 0..<neurons { w.scalars[i * neurons + i] = 0 } }
        return w
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        precondition(x.shape.count == 3 && x.shape[2] == neurons, "RecurrentSpikingLayer: input must be [T, B, \(neurons)], got \(x.shape)")
        let (T, B, N) = (x.shape[0], x.shape[1], neurons)
        let M = B * N, S = Model.State.count
        let (model, table) = parameters.resolved(elements: M)
        let w = effectiveWeight()
        var out = [Float](repeating: 0, count: T * M)
        var drive = [Float](repeating: 0, count: T * M)      // I[t], kept for the backward pass
        var states = [Float](repeating: 0, count: T * S * M)
        var state: [Float]? = nil
        for t in 0..<T {
            var it = Array(x.value.scalars[(t * M)..<((t + 1) * M)])
            if t > 0 {
                let prev = Tensor(shape: [B, N], scalars: Array(out[((t - 1) * M)..<(t * M)]))
                let rec = Tensor.matmul(prev, w, transposeB: true).scalars
                for i in 0..<M { it[i] += rec[i] }
            }
            let f = NeuronKernel.forward(model, input: it, steps: 1, elements: M, initial: state, table: table)
            out.replaceSubrange((t * M)..<((t + 1) * M), with: f.output)
            drive.replaceSubrange((t * M)..<((t + 1) * M), with: it)
            states.replaceSubrange((t * S * M)..<((t + 1) * S * M), with: f.states)
            state = f.states
        }
        let params = parameters, mask = !selfConnections
        let n = params.neurons
        let output = out
        return Variable.record(Tensor(shape: x.shape, scalars: out), parents: [x, weight] + params.learnable.map(\.value)) { g in
            var gx = [Float](repeating: 0, count: T * M)
            var gW = Tensor.zeros([N, N])
            var gParams = [Float](repeating: 0, count: Model.Parameters.count * n)
            var gState: [Float]? = nil
            var gDriveNext: Tensor? = nil        // dL/dI[t+1], [B, N]
            for t in stride(from: T - 1, through: 0, by: -1) {
                var gOut = Array(g.scalars[(t * M)..<((t + 1) * M)])
                if let gd = gDriveNext {
                    // I[t+1] = X[t+1] + O[t] W^T: dO[t] += dI[t+1] W; dW += dI[t+1]^T O[t].
                    let back = Tensor.matmul(gd, w).scalars
                    for i in 0..<M { gOut[i] += back[i] }
                    let o = Tensor(shape: [B, N], scalars: Array(output[(t * M)..<((t + 1) * M)]))
                    gW = gW + Tensor.matmul(gd, o, transposeA: true)
                }
                let initial: [Float]? = t > 0 ? Array(states[((t - 1) * S * M)..<(t * S * M)]) : nil
                let b = NeuronKernel.backward(model, input: Array(drive[(t * M)..<((t + 1) * M)]),
                                              states: Array(states[(t * S * M)..<((t + 1) * S * M)]), gradOutput: gOut,
                                              steps: 1, elements: M, initial: initial, gradFinalState: gState,
                                              table: table, parameterGradients: !params.learnable.isEmpty, neurons: n)
                gx.replaceSubrange((t * M)..<((t + 1) * M), with: b.gradInput)
                for k in b.gradParameters.indices { gParams[k] += b.gradParameters[k] }
                gState = b.gradInitial
                gDriveNext = Tensor(shape: [B, N], scalars: b.gradInput)
            }
            if mask { for i in 0..<N { gW.scalars[i * N + i] = 0 } }
            return [Tensor(shape: [T, B, N], scalars: gx), gW] + params.learnableGradients(gParams, neurons: n)
        }
    }
}
