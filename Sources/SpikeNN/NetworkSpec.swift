import SpikeCore
import SpikeNeurons

/// A feed-forward spiking classifier described by value, so that it can be stored in a checkpoint's
/// metadata and rebuilt: `Linear -> neuron layer` per hidden size, then `Linear -> readout`.
///
/// The readout (its decoder and loss) is named here and interpreted by SpikeCoding's `Readout`; the network
/// only needs to know whether the output layer is a non-spiking leaky integrator (`membraneOutput`, for
/// membrane readouts such as max-membrane) or a spiking layer of the hidden model (for spike readouts).
public struct NetworkSpec: Codable, Equatable, Sendable {
    /// Input units.
    public var inputs: Int
    /// Sizes of the hidden spiking layers.
    public var hidden: [Int]
    /// Output classes.
    public var outputs: Int
    /// Hidden neuron model id: any spiking model of `NeuronRegistry` ("lif", "plif", "leaky", "adex", ...).
    public var neuron: String
    /// Parameters of the hidden neurons (and of a spiking output layer), as for `spike neuron --set`.
    public var neuronParameters: [String: String]
    /// Readout name (SpikeCoding's `Readout.names`, e.g. "max-membrane", "count", "first-spike").
    public var readout: String
    /// Readout parameters (`Readout.named(_:parameters:)`).
    public var readoutParameters: [String: String]
    /// Whether the output layer is an LI (membrane readouts) rather than a spiking layer.
    public var membraneOutput: Bool
    /// Time constant (steps) of the LI readout.
    public var readoutTau: Float
    /// Gain applied to PyTorch's default initialisation of every Linear weight (1 = PyTorch's default).
    public var weightGain: Float
    /// Neuron parameters trained with the weights (e.g. `["w"]` for PLIF, `["beta"]` for snnTorch's Leaky),
    /// one value per layer as in the references; nil or empty: none.
    public var learn: [String]?
    /// Hidden layers with recurrent weights (`RecurrentSpikingLayer`, `N.recurrent.weight`); nil or false: feed-forward.
    public var recurrent: Bool?
    /// Whether recurrent hidden neurons may connect to themselves.
    public var selfConnections: Bool?

    public init(inputs: Int, hidden: [Int], outputs: Int, neuron: String = "lif", neuronParameters: [String: String] = [:],
                readout: String = "max-membrane", readoutParameters: [String: String] = [:], membraneOutput: Bool = true,
                readoutTau: Float = 10, weightGain: Float = 1, learn: [String]? = nil,
                recurrent: Bool? = nil, selfConnections: Bool? = nil) {
        self.inputs = inputs; self.hidden = hidden; self.outputs = outputs; self.neuron = neuron
        self.neuronParameters = neuronParameters; self.readout = readout; self.readoutParameters = readoutParameters
        self.membraneOutput = membraneOutput; self.readoutTau = readoutTau; self.weightGain = weightGain
        self.learn = learn; self.recurrent = recurrent; self.selfConnections = selfConnections
    }

    /// The number of weights and biases of the Linear layers (and recurrent weights), nil when it overflows `Int`.
    public var parameterCount: Int? {
        let widths = [inputs] + hidden + [outputs]
        var terms: [Int?] = []
        for k in 1..<widths.count { terms.append(MemoryBudget.sum([widths[k - 1], 1]).flatMap { MemoryBudget.product([$0, widths[k]]) }) }
        if recurrent == true { for h in hidden { terms.append(MemoryBudget.product([h, h])) } }
        return MemoryBudget.sum(terms)
    }

    /// Checks sizes, names and parameters (and that the weights, their gradients and two optimizer moments fit
    /// the memory budget, `MemoryBudget`); throws a one-line `ParameterError` or `MemoryBudgetError`.
    public func validate() throws {
        guard inputs > 0 else { throw ParameterError("network: inputs must be positive, got \(inputs)") }
        guard outputs >= 2 else { throw ParameterError("network: outputs must be at least 2, got \(outputs)") }
        for h in hidden where h <= 0 { throw ParameterError("network: hidden sizes must be positive, got \(h)") }
        try MemoryBudget.check(bytes: MemoryBudget.product([parameterCount ?? -1, 16]),
                               what: "network \(([inputs] + hidden + [outputs]).map(String.init).joined(separator: "-")) (weights, gradients and optimizer state)")
        guard readoutTau > 0, readoutTau.isFinite else { throw ParameterError("network: readout tau must be > 0, got \(readoutTau)") }
        guard weightGain > 0, weightGain.isFinite else { throw ParameterError("network: weight gain must be > 0, got \(weightGain)") }
        _ = try neuronLayer()
    }

    /// A hidden layer of `width` neurons: recurrent (weights drawn from `rng`) or not.
    func hiddenLayer(width: Int, rng: inout SeededRandom) throws -> any Module {
        guard recurrent == true else { return try neuronLayer() }
        let model = try NeuronRegistry.entry(neuron).build(neuronParameters)
        let names = learn ?? [], selfConn = selfConnections ?? false
        func layer<M: NeuronModel>(_ m: M, _ rng: inout SeededRandom) throws -> any Module {
            let l = RecurrentSpikingLayer(m, neurons: width, selfConnections: selfConn, rng: &rng)
            try l.learn(names)
            return l
        }
        return try layer(model, &rng)
    }

    /// A fresh spiking layer of the hidden neuron model (with its `learn` parameters learnable).
    public func neuronLayer() throws -> any Module {
        let names = learn ?? []
        // LIF and IF by their concrete types so that the kernel is specialised for them.
        switch neuron {
        case "lif": return try SpikingLayer(try NeuronRegistry.lif(parameters: neuronParameters), learn: names)
        case "if": return try SpikingLayer(try NeuronRegistry.ifModel(parameters: neuronParameters), learn: names)
        default:
            let model = try NeuronRegistry.entry(neuron).build(neuronParameters)
            guard type(of: model).isSpiking else {
                throw ParameterError("network: hidden neuron '\(neuron)' does not spike; choose a spiking model")
            }
            func layer<M: NeuronModel>(_ m: M) throws -> any Module { try SpikingLayer(m, learn: names) }
            return try layer(model)
        }
    }

    /// Builds the network with weights drawn from `rng` (PyTorch's default initialisation times `weightGain`).
    public func build(rng: inout SeededRandom) throws -> Sequential {
        try validate()
        var layers: [any Module] = []
        var width = inputs
        for h in hidden {
            layers.append(scaled(Linear(width, h, rng: &rng)))
            layers.append(try hiddenLayer(width: h, rng: &rng))
            width = h
        }
        layers.append(scaled(Linear(width, outputs, rng: &rng)))
        layers.append(membraneOutput ? SpikingLayer(LI(tau: readoutTau)) : try neuronLayer())
        return Sequential(layers: layers)
    }

    func scaled(_ l: Linear) -> Linear {
        if weightGain != 1 { l.weight.value = l.weight.value * weightGain }
        return l
    }
}
