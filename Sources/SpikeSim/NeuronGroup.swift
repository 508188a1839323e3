import SpikeCKernels
import SpikeCore
import SpikeNeurons

/// Anything whose neurons emit spikes that synapses can carry: neuron groups and input generators.
public protocol SpikeSource: AnyObject {
    /// The name used in network files, monitors and checkpoints.
    var name: String { get }
    /// Number of neurons.
    var size: Int { get }
    /// Indices of the neurons that spiked at the current step, in increasing order.
    var spikes: [Int32] { get }
}

/// The per-step dynamics of one group, specialised for its model (the existential is opened once, when the
/// group is made, so the step loop is generic code over a concrete model).
public protocol GroupDynamics: AnyObject {
    /// Number of state variables.
    var stateCount: Int { get }
    /// Advances every neuron by one step with input `x` (`[size]`, consumed and zeroed) and appends the
    /// indices of neurons that fired to `spikes`.
    func step(_ x: UnsafeMutablePointer<Float>, spikes: inout [Int32])
    /// Adds `w[s] * scale` to state variable `k` of neuron `post[s]` for each of the given synapses.
    func deliver(_ k: Int, post: UnsafePointer<Int32>, weight: UnsafePointer<Float>, count: Int, scale: Float)
    /// Adds `value` to state variable `k` of neuron `i`.
    func add(_ k: Int, _ i: Int, _ value: Float)
    /// Adds `values[i]` to state variable `k` of every neuron i.
    func addAll(_ k: Int, _ values: UnsafePointer<Float>)
    /// State variable `k` of every neuron.
    func state(_ k: Int) -> [Float]
    /// Sets state variable `k` of every neuron.
    func setState(_ k: Int, _ values: [Float])
    /// State variable `k` of neuron `i`.
    func value(_ k: Int, _ i: Int) -> Float
}

/// The dynamics of a group of `M` neurons: the states (one `M.State` per neuron) and, when the neurons' parameters
/// differ, one model per neuron.
public final class ModelDynamics<M: NeuronModel>: GroupDynamics {
    /// The shared model.
    public let model: M
    /// One model per neuron (per-neuron parameters), or nil when all share `model`.
    public let models: [M]?
    /// The state of every neuron.
    public var states: [M.State]
    /// Whether the model's output is a spike.
    let spiking = M.isSpiking

    /// A group of `size` neurons of `model` at its initial state, with per-neuron parameters from `table`.
    public init(_ model: M, size: Int, table: NeuronParameterTable?) {
        self.model = model
        models = table.map { tb in (0..<size).map { tb.model(model, neuron: $0) } }
        states = models.map { $0.map(\.initialState) } ?? [M.State](repeating: model.initialState, count: size)
    }

    public var stateCount: Int { M.State.count }

    @inlinable
    @_specialize(where M == Brian2CUBA)
    @_specialize(where M == Brian2COBA)
    @_specialize(where M == Brian2DeltaLIF)
    @_specialize(where M == LIF)
    @_specialize(where M == IF)
    public func step(_ x: UnsafeMutablePointer<Float>, spikes: inout [Int32]) {
        let n = states.count
        let spiking = M.isSpiking
        states.withUnsafeMutableBufferPointer { st in
            if let models {
                for i in 0..<n {
                    let (y, next) = models[i].step(x[i], st[i])
                    st[i] = next
                    x[i] = 0
                    if spiking && y > 0 { spikes.append(Int32(i)) }
                }
            } else {
                let m = model
                for i in 0..<n {
                    let (y, next) = m.step(x[i], st[i])
                    st[i] = next
                    x[i] = 0
                    if spiking && y > 0 { spikes.append(Int32(i)) }
                }
            }
        }
    }

    @inlinable
    @_specialize(where M == Brian2CUBA)
    @_specialize(where M == Brian2COBA)
    @_specialize(where M == Brian2DeltaLIF)
    public func deliver(_ k: Int, post: UnsafePointer<Int32>, weight: UnsafePointer<Float>, count: Int, scale: Float) {
        states.withUnsafeMutableBufferPointer { st in
            if scale == 1 {
                for s in 0..<count { st[Int(post[s])][k] += weight[s] }
            } else {
                for s in 0..<count { st[Int(post[s])][k] += weight[s] * scale }
            }
        }
    }

    public func add(_ k: Int, _ i: Int, _ value: Float) { states[i][k] += value }
    public func addAll(_ k: Int, _ values: UnsafePointer<Float>) {
        states.withUnsafeMutableBufferPointer { st in for i in st.indices { st[i][k] += values[i] } }
    }
    public func state(_ k: Int) -> [Float] { states.map { $0[k] } }
    public func setState(_ k: Int, _ values: [Float]) {
        precondition(values.count == states.count, "setState: \(values.count) values for \(states.count) neurons")
        for i in states.indices { states[i][k] = values[i] }
    }
    public func value(_ k: Int, _ i: Int) -> Float { states[i][k] }
}

extension Brian2CUBA {
    /// The per-step constants in the layout of SpikeCKernels' `sk_cuba_step`.
    public var kernelParameters: sk_cuba_params {
        sk_cuba_params(rest: rest, dm: dm, one_minus_dm: 1 - dm, ke: ke, ki: ki, de: de, di: di, threshold: threshold,
                       reset: reset, refractory_after_spike: max(refSteps - 1, 0))
    }
}

/// The dynamics of a group of `M` neurons that share one model and can step eight at a time
/// (`LaneSteppable`): states in blocks of eight lanes (`[blocks, S, 8]`, structure of arrays), the same
/// numbers as `ModelDynamics` bit for bit.
public final class LaneDynamics<M: LaneSteppable>: GroupDynamics {
    /// The shared model.
    public let model: M
    /// Number of neurons.
    public let size: Int
    /// States: variable k of neuron i at `(i / 8) * S * 8 + k * 8 + i % 8`.
    public var blocks: [SIMD8<Float>]
    /// Number of state variables.
    public let S = M.State.count

    /// `size` neurons of `model` at its initial state.
    public init(_ model: M, size: Int) {
        self.model = model; self.size = size
        let S = M.State.count, nb = (size + 7) / 8
        blocks = [SIMD8<Float>](repeating: .zero, count: nb * S)
        let s0 = model.initialState
        for b in 0..<nb { for k in 0..<S { blocks[b * S + k] = SIMD8(repeating: s0[k]) } }
    }

    public var stateCount: Int { S }

    @inlinable @inline(__always) public func offset(_ k: Int, _ i: Int) -> Int { (i >> 3) * S * 8 + k * 8 + (i & 7) }

    @_specialize(where M == Brian2CUBA)
    @_specialize(where M == Brian2COBA)
    @_specialize(where M == Brian2DeltaLIF)
    public func step(_ x: UnsafeMutablePointer<Float>, spikes: inout [Int32]) {
        let nb = (size + 7) / 8
        blocks.withUnsafeMutableBufferPointer { bp in stepBlocks(0..<nb, bp.baseAddress!, x, &spikes) }
    }

    /// Steps blocks `range` (eight neurons each) and appends the indices of neurons that fired.
    @inline(__always)
    func stepBlocks(_ range: Range<Int>, _ base: UnsafeMutablePointer<SIMD8<Float>>, _ x: UnsafeMutablePointer<Float>,
                    _ spikes: inout [Int32]) {
        let n = size, S = self.S, m = model
        if M.self == Brian2CUBA.self {
            // The benchmark neuron: the C kernel does the same operations on eight lanes of AVX2 (same bits).
            var p = (m as! Brian2CUBA).kernelParameters
            let start = spikes.count
            spikes.append(contentsOf: repeatElement(0, count: range.count * 8))
            let found = spikes.withUnsafeMutableBufferPointer { sp in
                UnsafeMutableRawPointer(base).withMemoryRebound(to: Float.self, capacity: (n + 7) / 8 * 32) { f in
                    sk_cuba_step(&p, f, x, n, range.lowerBound, range.upperBound, sp.baseAddress! + start)
                }
            }
            spikes.removeLast(range.count * 8 - found)
            return
        }
        let full = n / 8
        if m.prefersBlocks {
            // Models compiled at run time: one call per chunk of blocks, so each instruction's dispatch is shared.
            let chunk = 32
            withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 2 * chunk) { buf in
                let xs = buf.baseAddress!, ys = xs + chunk
                var b0 = range.lowerBound
                while b0 < range.upperBound {
                    let w = min(chunk, range.upperBound - b0)
                    for j in 0..<w {
                        let b = b0 + j
                        if b < full {
                            xs[j] = UnsafeRawPointer(x + b * 8).loadUnaligned(as: SIMD8<Float>.self)
                            UnsafeMutableRawPointer(x + b * 8).storeBytes(of: SIMD8<Float>.zero, as: SIMD8<Float>.self)
                        } else {
                            xs[j] = .zero
                            for l in 0..<(n - b * 8) { xs[j][l] = x[b * 8 + l]; x[b * 8 + l] = 0 }
                        }
                    }
                    m.stepBlocks(w, x: xs, states: base + b0 * S, stride: S, spikes: ys)
                    if M.isSpiking {
                        for j in 0..<w where any(ys[j] .> 0) {
                            let b = b0 + j
                            for l in 0..<8 where ys[j][l] > 0 && b * 8 + l < n { spikes.append(Int32(b * 8 + l)) }
                        }
                    }
                    b0 += w
                }
            }
            return
        }
        for b in range {
            var xv = SIMD8<Float>.zero
            if b < full {
                xv = UnsafeRawPointer(x + b * 8).loadUnaligned(as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(x + b * 8).storeBytes(of: SIMD8<Float>.zero, as: SIMD8<Float>.self)
            } else {
                for l in 0..<(n - b * 8) { xv[l] = x[b * 8 + l]; x[b * 8 + l] = 0 }
            }
            let y = m.stepLanes(xv, base + b * S)
            if M.isSpiking, any(y .> 0) {
                for l in 0..<8 where y[l] > 0 && b * 8 + l < n { spikes.append(Int32(b * 8 + l)) }
            }
        }
    }

    @inlinable
    @_specialize(where M == Brian2CUBA)
    @_specialize(where M == Brian2COBA)
    @_specialize(where M == Brian2DeltaLIF)
    public func deliver(_ k: Int, post: UnsafePointer<Int32>, weight: UnsafePointer<Float>, count: Int, scale: Float) {
        let S = self.S
        blocks.withUnsafeMutableBufferPointer { bp in
            let f = UnsafeMutableRawPointer(bp.baseAddress!).assumingMemoryBound(to: Float.self)
            let fk = f + k * 8, stride = S * 8
            if scale == 1 {
                for s in 0..<count { let i = Int(post[s]); fk[(i >> 3) * stride + (i & 7)] += weight[s] }
            } else {
                for s in 0..<count { let i = Int(post[s]); fk[(i >> 3) * stride + (i & 7)] += weight[s] * scale }
            }
        }
    }

    public func add(_ k: Int, _ i: Int, _ value: Float) {
        blocks.withUnsafeMutableBufferPointer { bp in
            UnsafeMutableRawPointer(bp.baseAddress!).assumingMemoryBound(to: Float.self)[offset(k, i)] += value
        }
    }
    public func addAll(_ k: Int, _ values: UnsafePointer<Float>) {
        let S = self.S
        blocks.withUnsafeMutableBufferPointer { bp in
            let f = UnsafeMutableRawPointer(bp.baseAddress!).assumingMemoryBound(to: Float.self)
            for i in 0..<size { f[(i >> 3) * S * 8 + k * 8 + (i & 7)] += values[i] }
        }
    }
    public func state(_ k: Int) -> [Float] { (0..<size).map { value(k, $0) } }
    public func setState(_ k: Int, _ values: [Float]) {
        precondition(values.count == size, "setState: \(values.count) values for \(size) neurons")
        for i in 0..<size { setValue(k, i, values[i]) }
    }
    func setValue(_ k: Int, _ i: Int, _ v: Float) {
        blocks.withUnsafeMutableBufferPointer { bp in
            UnsafeMutableRawPointer(bp.baseAddress!).assumingMemoryBound(to: Float.self)[offset(k, i)] = v
        }
    }
    public func value(_ k: Int, _ i: Int) -> Float {
        blocks.withUnsafeBufferPointer { bp in
            UnsafeRawPointer(bp.baseAddress!).assumingMemoryBound(to: Float.self)[offset(k, i)]
        }
    }
}

/// A population of neurons of one zoo model (Brian2's `NeuronGroup`, SPAIC's `NeuronGroup`), stepped at the
/// network's clock. Each step the neurons take their accumulated input (the model's `x`: synapses that target
/// `input` and current inputs) and update; synapses that target a state variable (e.g. `ge`, or `v` for delta
/// synapses) add to it between steps, as Brian2's `on_pre` statements do.
public final class NeuronGroup: SpikeSource {
    public let name: String
    public let size: Int
    /// The model (from the zoo or a model of one's own).
    public let model: AnyNeuronModel
    /// Per-neuron parameter values, when they differ between neurons.
    public let table: NeuronParameterTable?
    /// The step loop over the concrete model.
    public let dynamics: GroupDynamics
    /// Input for the next step (the model's `x`), accumulated by synapses and current inputs.
    public var input: [Float]
    public private(set) var spikes: [Int32] = []

    /// `size` neurons of `model`, per-neuron parameters from `table` (validated), at the model's initial state.
    public init(name: String, size: Int, model: AnyNeuronModel, table: NeuronParameterTable? = nil) throws {
        guard size > 0 else { throw SimulationError("group '\(name)': size must be > 0, got \(size)") }
        guard size <= Int(Int32.max) else { throw SimulationError("group '\(name)': size must be at most \(Int32.max), got \(size)") }
        // The state variables, the input, the spike list and (with a table) the per-neuron parameters, in float32.
        try MemoryBudget.checkProduct([size, model.stateNames.count + 2 + (table == nil ? 0 : model.parameterNames.count)], elementSize: 4,
                                      what: "group '\(name)' (\(size) neurons)")
        if let table {
            guard table.neurons == size else { throw SimulationError("group '\(name)': parameter table has \(table.neurons) neurons, group \(size)") }
            try model.validate(table)
        }
        self.name = name; self.size = size; self.model = model; self.table = table
        func make<M: NeuronModel>(_ m: M) -> GroupDynamics { ModelDynamics(m, size: size, table: table) }
        func makeLanes<M: LaneSteppable>(_ m: M) -> GroupDynamics? { m.canStepLanes ? LaneDynamics(m, size: size) : nil }
        if table == nil, let lanes = model.base as? any LaneSteppable, let d = makeLanes(lanes) {
            dynamics = d
        } else {
            dynamics = make(model.base)
        }
        input = [Float](repeating: 0, count: size)
        spikes.reserveCapacity(size)
    }

    /// A group of a concrete model.
    public convenience init<M: NeuronModel>(name: String, size: Int, model: M, table: NeuronParameterTable? = nil) throws {
        try self.init(name: name, size: size, model: AnyNeuronModel(model), table: table)
    }

    /// Names of the state variables (the model's).
    public var stateNames: [String] { model.stateNames }

    /// The index of state variable `name`, or an error listing the model's variables.
    public func stateIndex(_ name: String) throws -> Int {
        guard let k = model.stateNames.firstIndex(of: name) else {
            throw SimulationError("group '\(self.name)': model \(model.id) has no state variable '\(name)' (has \(model.stateNames.joined(separator: ", ")))")
        }
        return k
    }

    /// State variable `name` of every neuron.
    public func state(_ name: String) throws -> [Float] { dynamics.state(try stateIndex(name)) }

    /// Sets state variable `name` of every neuron (e.g. random initial membranes).
    public func setState(_ name: String, _ values: [Float]) throws {
        guard values.count == size else { throw SimulationError("group '\(self.name)': \(values.count) values of '\(name)' for \(size) neurons") }
        guard values.allSatisfy(\.isFinite) else { throw SimulationError("group '\(self.name)': initial '\(name)' must be finite") }
        dynamics.setState(try stateIndex(name), values)
    }

    /// One step: update every neuron from its input, record which fired.
    public func update() {
        spikes.removeAll(keepingCapacity: true)
        input.withUnsafeMutableBufferPointer { dynamics.step($0.baseAddress!, spikes: &spikes) }
    }
}
