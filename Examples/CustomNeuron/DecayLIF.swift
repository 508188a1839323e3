// The example of docs/CUSTOM_MODELS.md, quoted there verbatim between the snippet marks (DocumentationTests
// checks that the document and this file agree). Also compiled into SpikeNNTests (CustomModelExampleSupport.swift
// is a link to this file), where CustomModelExampleTests checks its gradients and that it trains.
// snippet: model
import SpikeCore
import SpikeData
import SpikeNeurons
import SpikeNN

/// A LIF neuron with a learnable decay factor and reset by subtraction:
///
///     H[t] = beta V[t-1] + X[t],   S[t] = Θ(H[t] - threshold),   V[t] = H[t] - threshold S[t]
///
/// Parameters: beta in [0, 1] (learnable), threshold (a.u.). State: the membrane v.
struct DecayLIF: NeuronModel {
    typealias State = Membrane
    typealias Parameters = FloatVector<2>
    static var id: String { "decay_lif" }
    static var stateNames: [String] { ["v"] }
    static var isSpiking: Bool { true }
    static var parameterNames: [String] { ["beta", "threshold"] }
    static var learnableParameterNames: [String] { ["beta"] }
    static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        k == 0 && !(0...1).contains(value) ? "in [0, 1]" : nil
    }

    var beta: Float = 0.9
    var threshold: Float = 1
    var surrogate = Surrogate(.fastSigmoid)

    var parameters: FloatVector<2> {
        get { FloatVector([beta, threshold]) }
        set { beta = newValue[0]; threshold = newValue[1] }
    }
    var initialState: Membrane { Membrane(v: 0) }

    func step(_ x: Float, _ s: Membrane) -> (out: Float, next: Membrane) {
        let h = beta * s.v + x
        let spike = surrogate.spike(h - threshold)
        return (spike, Membrane(v: h - threshold * spike))
    }

    /// dL/dH from the spike (surrogate) and from the next membrane (through the reset), then the chain rule.
    func stepVJP(_ x: Float, _ s: Membrane, gOut: Float, gNext: Membrane) -> (gx: Float, gPrev: Membrane) {
        let sg = surrogate.derivative(beta * s.v + x - threshold)
        let gH = gOut * sg + gNext.v * (1 - threshold * sg)
        return (gH, Membrane(v: gH * beta))
    }

    /// dL/dbeta = dL/dH V[t-1]; threshold is not learnable here (its entry stays 0).
    func parameterVJP(_ x: Float, _ s: Membrane, gOut: Float, gNext: Membrane) -> FloatVector<2> {
        let (gH, _) = stepVJP(x, s, gOut: gOut, gNext: gNext)
        return FloatVector([gH * s.v, 0])
    }
}

/// Trains `in -> 64 DecayLIF -> classes LI` on a small Randman task and returns the test accuracy.
func trainDecayLIFOnRandman(epochs: Int = 10) throws -> Float {
    let data = try SpikeDataset.randman(RandmanConfig(classes: 3, units: 20, steps: 25, samplesPerClass: 100, seed: 1))
    let (train, test) = data.split(trainFraction: 0.75)
    var rng = SeededRandom(seed: 0)
    let net = Sequential {
        Linear(20, 64, rng: &rng)
        try! SpikingLayer(DecayLIF(), learn: ["beta"])
        Linear(64, 3, rng: &rng)
        SpikingLayer(LI(tau: 5))
    }
    for layer in net.layers.compactMap({ $0 as? Linear }) { layer.weight.value = layer.weight.value * 3 }
    let optimizer = Adam(net.parameters, learningRate: 1e-2)
    for epoch in 0..<epochs {
        for indices in BatchIterator(dataset: train, batchSize: 16, seed: 0, epoch: epoch) {
            let (x, labels) = train.batch(indices: indices)
            optimizer.zeroGrad()
            let loss = Loss.maxMembraneCrossEntropy(net(Variable(x)), labels: labels)
            loss.backward()
            optimizer.step()
        }
    }
    let (x, labels) = test.batch(indices: Array(0..<test.count))
    let scores = Tape.withoutGradients { net(Variable(x)).value.max(axis: 0) }
    return Loss.accuracy(scores, labels: labels)
}
// snippet: end
