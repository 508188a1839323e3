import Foundation

/// What a BrainScaleS-2 run returns: hxtorch's observables of a neuron population (`spikes`,
/// `membrane_cadc`, `current`, `adaptation_cadc`) in model units.
public struct BSS2RunResult: Sendable {
    /// Spikes after the refractory mask, `[T, M]`.
    public var spikes: [Float]
    /// Every state after each step, `[T, S, M]` (as `NeuronKernel.Forward.states`).
    public var states: [Float]
    /// The membrane trace `v`, `[T, M]` (hxtorch's `membrane_cadc`, in model units).
    public var membrane: [Float]
    /// Number of steps T.
    public var steps: Int
    /// Number of elements M (batch x neurons).
    public var elements: Int
}

/// Why a BrainScaleS-2 backend could not run.
public enum BSS2BackendError: Error, Equatable, CustomStringConvertible {
    /// There is no hardware backend in SpikeKit.
    case hardwareUnavailable
    /// The input does not fit the request.
    case badInput(String)

    public var description: String {
        switch self {
        case .hardwareUnavailable:
            return "BrainScaleS-2 hardware is not available in SpikeKit: no hardware backend is implemented; use the mock backend"
        case .badInput(let m): return m
        }
    }
}

/// The boundary between a BrainScaleS-2 neuron population and what executes it (hxtorch's
/// `Experiment(mock=...)`): the numerical model (`BSS2MockBackend`, hxtorch's mock mode) or the chip
/// (`BSS2HardwareBackend`, which SpikeKit does not have and which therefore always throws).
public protocol BSS2Backend: Sendable {
    /// "mock" or "hardware".
    var name: String { get }
    /// Runs `model` on the graded input spikes `input` (`[T, M]`, M = batch x neurons) with optional per-neuron
    /// parameters (model values) from `table`.
    func run<Model: BSS2NeuronModel>(_ model: Model, input: [Float], steps: Int, elements: Int,
                                     table: NeuronParameterTable?) throws -> BSS2RunResult
}

extension BSS2Backend {
    /// Runs `model` with its own parameters for every neuron.
    public func run<Model: BSS2NeuronModel>(_ model: Model, input: [Float], steps: Int, elements: Int) throws -> BSS2RunResult {
        try run(model, input: input, steps: steps, elements: elements, table: nil)
    }
}

/// hxtorch's mock mode: the model values integrated by `NeuronKernel` (the fused forward of the model's step).
/// Throws `BSS2BackendError.badInput` for inconsistent shapes and `ParameterError` for parameter values
/// outside their domains (e.g. a table with a negative time constant, holdoff_time > refractory_time).
public struct BSS2MockBackend: BSS2Backend {
    /// The mock backend.
    public init() {}
    public var name: String { "mock" }

    public func run<Model: BSS2NeuronModel>(_ model: Model, input: [Float], steps: Int, elements: Int,
                                            table: NeuronParameterTable?) throws -> BSS2RunResult {
        guard steps > 0, elements > 0 else { throw BSS2BackendError.badInput("BSS-2 mock: steps and elements must be > 0, got \(steps) x \(elements)") }
        guard input.count == steps * elements else {
            throw BSS2BackendError.badInput("BSS-2 mock: input has \(input.count) values, expected \(steps) x \(elements)")
        }
        guard model.dt > 0, model.dt.isFinite else { throw BSS2BackendError.badInput("BSS-2 mock: dt must be > 0, got \(model.dt)") }
        guard input.allSatisfy(\.isFinite) else { throw BSS2BackendError.badInput("BSS-2 mock: input contains a non-finite value") }
        try NeuronParameterTable(model, neurons: 1).validate(for: Model.self)
        try bss2CheckHoldoff(Model.id, model.hx.refractoryTime.modelValue, model.hx.holdoffTime.modelValue)
        if let table {
            guard table.names == Model.parameterNames else {
                throw BSS2BackendError.badInput("BSS-2 mock: the table's parameters \(table.names) are not those of \(Model.id)")
            }
            guard elements % table.neurons == 0 else {
                throw BSS2BackendError.badInput("BSS-2 mock: \(elements) elements is not a multiple of the table's \(table.neurons) neurons")
            }
            try table.validate(for: Model.self)
            if let kr = table.names.firstIndex(of: "refractory_time"), let kh = table.names.firstIndex(of: "holdoff_time") {
                for n in 0..<table.neurons {
                    try bss2CheckHoldoff(Model.id, table.values[kr * table.neurons + n], table.values[kh * table.neurons + n], neuron: n)
                }
            }
        }
        let f = NeuronKernel.forward(model, input: input, steps: steps, elements: elements, table: table)
        let S = Model.State.count, k = Model.membraneIndex
        var membrane = [Float](repeating: 0, count: steps * elements)
        for t in 0..<steps {
            let base = (t * S + k) * elements
            for i in 0..<elements { membrane[t * elements + i] = f.states[base + i] }
        }
        return BSS2RunResult(spikes: f.output, states: f.states, membrane: membrane, steps: steps, elements: elements)
    }
}

/// The chip. SpikeKit has no BrainScaleS-2 hardware backend: `run` always throws
/// `BSS2BackendError.hardwareUnavailable` (no results are made up).
public struct BSS2HardwareBackend: BSS2Backend {
    /// The (unavailable) hardware backend.
    public init() {}
    public var name: String { "hardware" }

    public func run<Model: BSS2NeuronModel>(_ model: Model, input: [Float], steps: Int, elements: Int,
                                            table: NeuronParameterTable?) throws -> BSS2RunResult {
        throw BSS2BackendError.hardwareUnavailable
    }
}

/// The two ways to execute a BSS-2 population (hxtorch's `Experiment(mock=True)` / `mock=False`).
public enum BSS2Mode: String, Sendable, CaseIterable {
    /// Numerical simulation (`BSS2MockBackend`).
    case mock
    /// The chip (`BSS2HardwareBackend`, unavailable).
    case hardware

    /// The backend of this mode.
    public var backend: any BSS2Backend {
        switch self {
        case .mock: return BSS2MockBackend()
        case .hardware: return BSS2HardwareBackend()
        }
    }
}

/// `holdoff_time <= refractory_time` (the holdoff period is the end of the refractory period on BSS-2).
func bss2CheckHoldoff(_ model: String, _ refractory: Float, _ holdoff: Float, neuron: Int? = nil) throws {
    if holdoff > refractory {
        let which = neuron.map { " of neuron \($0)" } ?? ""
        throw ParameterError("\(model): holdoff_time\(which) must be <= refractory_time (\(refractory)), got \(holdoff)")
    }
}
