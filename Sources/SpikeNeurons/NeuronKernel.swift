import SpikeCore

/// Per-neuron values of a model's numeric parameters: `values[k * neurons + n]` is parameter k
/// (`Model.parameterNames[k]`) of neuron n. In a `[T, M]` run with `M = batch x neurons` (row-major, neurons
/// last), element i is neuron `i % neurons`.
public struct NeuronParameterTable: Sendable, Equatable {
    /// Number of neurons.
    public let neurons: Int
    /// Parameter names, in the model's order.
    public let names: [String]
    /// `[P, neurons]`, row-major.
    public var values: [Float]

    /// Every neuron with the parameters of `model`.
    public init<Model: NeuronModel>(_ model: Model, neurons: Int) {
        precondition(neurons > 0, "NeuronParameterTable: neurons must be > 0")
        self.neurons = neurons
        names = model.instanceParameterNames
        let p = model.parameters
        values = (0..<Model.Parameters.count).flatMap { k in [Float](repeating: p[k], count: neurons) }
    }

    /// The values of one parameter, `[neurons]`.
    public subscript(name: String) -> [Float] {
        get {
            guard let k = names.firstIndex(of: name) else { preconditionFailure("no parameter '\(name)' (have \(names))") }
            return Array(values[(k * neurons)..<((k + 1) * neurons)])
        }
        set {
            guard let k = names.firstIndex(of: name) else { preconditionFailure("no parameter '\(name)' (have \(names))") }
            precondition(newValue.count == neurons, "parameter '\(name)': \(newValue.count) values for \(neurons) neurons")
            values.replaceSubrange((k * neurons)..<((k + 1) * neurons), with: newValue)
        }
    }

    /// The model of neuron `n`: `base` with this table's values.
    @inlinable public func model<Model: NeuronModel>(_ base: Model, neuron n: Int) -> Model {
        var m = base
        var p = m.parameters
        for k in 0..<Model.Parameters.count { p[k] = values[k * neurons + n] }
        m.parameters = p
        return m
    }

    /// Checks every value against the model's domains; throws naming the parameter, neuron and range.
    public func validate<Model: NeuronModel>(for _: Model.Type) throws {
        for k in names.indices {
            for n in 0..<neurons {
                if let range = Model.parameterDomainError(k, values[k * neurons + n]) {
                    throw ParameterError("\(Model.id): \(names[k]) of neuron \(n) must be \(range), got \(values[k * neurons + n])")
                }
            }
        }
    }

    /// Device mismatch: multiplies each neuron's `name` by `1 + fraction * z` with z standard normal (a fresh
    /// draw per neuron from `seed`, stream per parameter name), as arcana's and SPAIC's mismatch models. A draw
    /// that leaves the parameter's domain (e.g. a negative time constant) is drawn again, so the distribution
    /// is the Gaussian truncated to the domain. `fraction` must be in [0, 1).
    public mutating func addMismatch<Model: NeuronModel>(_ name: String, fraction: Float, seed: UInt64, model _: Model.Type) throws {
        guard let k = names.firstIndex(of: name) else {
            throw ParameterError("\(Model.id): no parameter '\(name)' to mismatch (numeric parameters: \(names.joined(separator: ", ")))")
        }
        guard fraction >= 0, fraction < 1 else { throw ParameterError("\(Model.id): mismatch fraction of \(name) must be in [0, 1), got \(fraction)") }
        var rng = SeededRandom(seed: seed).split(stream: UInt64(k + 1))
        for n in 0..<neurons {
            let base = values[k * neurons + n]
            var v = base
            for _ in 0..<1000 {
                v = base * (1 + fraction * rng.nextNormal())
                if Model.parameterDomainError(k, v) == nil { break }
                v = base
            }
            values[k * neurons + n] = v
        }
    }
}

/// The fused multi-step kernel, generic over any `NeuronModel`.
///
/// Inputs are `[T, M]` (time first, M = batch x neurons, row-major). The forward pass runs the whole time
/// loop and keeps the state after every step (`[T, S, M]`), which is both the state trace users ask for and
/// all the backward pass needs: the backward pass runs the time loop in reverse (backpropagation through
/// time) and re-evaluates each step's VJP from the stored state. Elements are split into fixed chunks run in
/// parallel; each element's arithmetic is sequential in time, so results do not depend on the thread count.
/// With a `NeuronParameterTable` each element runs with its neuron's parameters.
public enum NeuronKernel {
    /// Elements per parallel chunk.
    public static let chunk = 256

    /// The result of a forward pass.
    public struct Forward: Sendable {
        /// Output (spikes, or the membrane for non-spiking models), `[T, M]`.
        public var output: [Float]
        /// State after each step, `[T, S, M]` (state variable k of element i at step t at `(t*S + k)*M + i`).
        public var states: [Float]
        @inlinable public init(output: [Float], states: [Float]) { self.output = output; self.states = states }
    }

    /// The result of a backward pass.
    public struct Backward: Sendable {
        /// Gradient of the input, `[T, M]`.
        public var gradInput: [Float]
        /// Gradient of the initial state, `[S, M]`.
        public var gradInitial: [Float]
        /// Gradient of each neuron's parameters summed over time and batch, `[P, neurons]` (empty unless asked for).
        public var gradParameters: [Float]
        @inlinable public init(gradInput: [Float], gradInitial: [Float], gradParameters: [Float]) {
            self.gradInput = gradInput; self.gradInitial = gradInitial; self.gradParameters = gradParameters
        }
    }

    /// Runs `model` over `input` (`[T, M]`, flat) from `initial` states (`[S, M]`, or the model's initial state),
    /// with per-neuron parameters from `table` when given (`M` a multiple of `table.neurons`).
    @inlinable
    @_specialize(where Model == LIF)
    @_specialize(where Model == IF)
    @_specialize(where Model == LI)
    public static func forward<Model: NeuronModel>(_ model: Model, input: [Float], steps: Int, elements: Int,
                                                   initial: [Float]? = nil, table: NeuronParameterTable? = nil,
                                                   keepStates: Bool = true) -> Forward {
        let S = Model.State.count, M = elements, T = steps
        precondition(input.count == T * M, "NeuronKernel.forward: input has \(input.count) values, expected \(T) x \(M)")
        precondition(table.map { M % $0.neurons == 0 } ?? true, "NeuronKernel.forward: \(M) elements is not a multiple of the table's neurons")
        // LIF and IF with shared parameters: the vectorised C kernel (same bits).
        if table == nil, let fast = FusedIntegrateAndFire.forward(model, input: input, steps: T, elements: M, initial: initial,
                                                                  keepStates: keepStates) { return fast }
        var output = [Float](repeating: 0, count: T * M)
        // Inference (`keepStates: false`) keeps no history: only the final state of each element, in registers.
        var states = [Float](repeating: 0, count: keepStates ? T * S * M : 0)
        input.withUnsafeBufferPointer { px in
        output.withUnsafeMutableBufferPointer { po in
        states.withUnsafeMutableBufferPointer { ps in
            let (x, o, st) = (UncheckedSendable(px.baseAddress), UncheckedSendable(po.baseAddress), UncheckedSendable(ps.baseAddress))
            let chunks = (M + chunk - 1) / chunk
            Parallel.forEach(chunks: chunks) { c in
                let lo = c * chunk, hi = min(M, lo + chunk)
                guard let x = x.value, let o = o.value else { return }
                let st = keepStates ? st.value : nil
                if let table {
                    let models = (lo..<hi).map { table.model(model, neuron: $0 % table.neurons) }
                    var local = models.map(\.initialState)
                    if let initial { for i in lo..<hi { for k in 0..<S { local[i - lo][k] = initial[k * M + i] } } }
                    for t in 0..<T {
                        let xt = x + t * M, ot = o + t * M, stt = st.map { $0 + t * S * M }
                        for i in lo..<hi {
                            let (y, next) = models[i - lo].step(xt[i], local[i - lo])
                            ot[i] = y
                            local[i - lo] = next
                            if let stt { for k in 0..<S { stt[k * M + i] = next[k] } }
                        }
                    }
                    return
                }
                var local = [Model.State](repeating: model.initialState, count: hi - lo)
                if let initial {
                    for i in lo..<hi { for k in 0..<S { local[i - lo][k] = initial[k * M + i] } }
                }
                for t in 0..<T {
                    let xt = x + t * M, ot = o + t * M, stt = st.map { $0 + t * S * M }
                    for i in lo..<hi {
                        let (y, next) = model.step(xt[i], local[i - lo])
                        ot[i] = y
                        local[i - lo] = next
                        if let stt { for k in 0..<S { stt[k * M + i] = next[k] } }
                    }
                }
            }
        }}}
        return Forward(output: output, states: states)
    }

    /// Backpropagation through time: the gradient of the input (`[T, M]`) and of the initial state (`[S, M]`)
    /// given the gradient of the output (`[T, M]`) and optionally of the final state (`[S, M]`).
    @inlinable
    @_specialize(where Model == LIF)
    @_specialize(where Model == IF)
    @_specialize(where Model == LI)
    public static func backward<Model: NeuronModel>(_ model: Model, input: [Float], states: [Float], gradOutput: [Float],
                                                    steps: Int, elements: Int, initial: [Float]? = nil,
                                                    gradFinalState: [Float]? = nil) -> (gradInput: [Float], gradInitial: [Float]) {
        let b = backward(model, input: input, states: states, gradOutput: gradOutput, steps: steps, elements: elements,
                         initial: initial, gradFinalState: gradFinalState, table: nil, parameterGradients: false)
        return (b.gradInput, b.gradInitial)
    }

    /// Backpropagation through time with per-neuron parameters (`table`) and, with `parameterGradients`, the
    /// gradient of every neuron's parameters (`[P, neurons]`, summed over time and batch in a fixed order).
    /// Without a table, `neurons` is `elements` unless given (`neurons` must divide `elements`).
    @inlinable
    @_specialize(where Model == LIF)
    @_specialize(where Model == IF)
    @_specialize(where Model == LI)
    public static func backward<Model: NeuronModel>(_ model: Model, input: [Float], states: [Float], gradOutput: [Float],
                                                    steps: Int, elements: Int, initial: [Float]? = nil,
                                                    gradFinalState: [Float]? = nil, table: NeuronParameterTable?,
                                                    parameterGradients: Bool, neurons: Int? = nil) -> Backward {
        let S = Model.State.count, M = elements, T = steps, P = Model.Parameters.count
        let N = table?.neurons ?? neurons ?? M
        precondition(gradOutput.count == T * M && states.count == T * S * M, "NeuronKernel.backward: shapes differ")
        precondition(M % max(1, N) == 0, "NeuronKernel.backward: \(M) elements is not a multiple of \(N) neurons")
        let wantP = parameterGradients && P > 0
        // LIF and IF with shared parameters and no parameter gradient: the vectorised C kernel (same bits).
        if !wantP, table == nil, let fast = FusedIntegrateAndFire.backward(model, input: input, states: states, gradOutput: gradOutput,
                                                                           steps: T, elements: M, initial: initial,
                                                                           gradFinalState: gradFinalState) { return fast }
        var gIn = [Float](repeating: 0, count: T * M)
        var gInit = [Float](repeating: 0, count: S * M)
        var gPer = [Float](repeating: 0, count: wantP ? P * M : 0)   // per element, reduced over the batch below
        input.withUnsafeBufferPointer { px in
        states.withUnsafeBufferPointer { ps in
        gradOutput.withUnsafeBufferPointer { pg in
        gIn.withUnsafeMutableBufferPointer { pgi in
        gInit.withUnsafeMutableBufferPointer { pg0 in
        gPer.withUnsafeMutableBufferPointer { pgp in
            let ptrs = UncheckedSendable((px.baseAddress, ps.baseAddress, pg.baseAddress, pgi.baseAddress, pg0.baseAddress, pgp.baseAddress))
            let chunks = (M + chunk - 1) / chunk
            Parallel.forEach(chunks: chunks) { c in
                let lo = c * chunk, hi = min(M, lo + chunk)
                guard let x = ptrs.value.0, let st = ptrs.value.1, let go = ptrs.value.2, let gi = ptrs.value.3,
                      let g0 = ptrs.value.4 else { return }
                let gp = ptrs.value.5
                let models = table.map { tb in (lo..<hi).map { tb.model(model, neuron: $0 % tb.neurons) } }
                var gNext = [Model.State](repeating: Model.State(), count: hi - lo)
                var gParam = [Model.Parameters](repeating: Model.Parameters(), count: wantP ? hi - lo : 0)
                if let gradFinalState {
                    for i in lo..<hi { for k in 0..<S { gNext[i - lo][k] = gradFinalState[k * M + i] } }
                }
                var prev = Model.State()
                for t in stride(from: T - 1, through: 0, by: -1) {
                    let stp = st + (t - 1) * S * M
                    for i in lo..<hi {
                        let m = models?[i - lo] ?? model
                        if t > 0 {
                            for k in 0..<S { prev[k] = stp[k * M + i] }
                        } else if let initial {
                            for k in 0..<S { prev[k] = initial[k * M + i] }
                        } else {
                            prev = m.initialState
                        }
                        let xi = x[t * M + i], gOut = go[t * M + i]
                        if wantP {
                            let d = m.parameterVJP(xi, prev, gOut: gOut, gNext: gNext[i - lo])
                            for k in 0..<P { gParam[i - lo][k] += d[k] }
                        }
                        let (gx, gprev) = m.stepVJP(xi, prev, gOut: gOut, gNext: gNext[i - lo])
                        gi[t * M + i] = gx
                        gNext[i - lo] = gprev
                    }
                }
                for i in lo..<hi { for k in 0..<S { g0[k * M + i] = gNext[i - lo][k] } }
                if wantP, let gp { for i in lo..<hi { for k in 0..<P { gp[k * M + i] = gParam[i - lo][k] } } }
            }
        }}}}}}
        var gParams: [Float] = []
        if wantP {
            // Sum over the batch in a fixed order: neuron n collects elements n, n + N, n + 2N, ...
            gParams = [Float](repeating: 0, count: P * N)
            for k in 0..<P {
                for b in 0..<(M / N) { for n in 0..<N { gParams[k * N + n] += gPer[k * M + b * N + n] } }
            }
        }
        return Backward(gradInput: gIn, gradInitial: gInit, gradParameters: gParams)
    }
}
