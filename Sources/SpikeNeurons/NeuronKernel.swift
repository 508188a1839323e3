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
    ///
    /// LIF and IF with shared parameters run the vectorised C kernel (same bits); every other case runs the
    /// model's `kernelForward`, the generic loop compiled for the model's own type (see `NeuronModel`), so a
    /// layer that holds its model generically (chosen by id at run time) still runs specialised code.
    @inlinable
    @_specialize(where Model == LIF)
    @_specialize(where Model == IF)
    @_specialize(where Model == LI)
    public static func forward<Model: NeuronModel>(_ model: Model, input: [Float], steps: Int, elements: Int,
                                                   initial: [Float]? = nil, table: NeuronParameterTable? = nil,
                                                   keepStates: Bool = true) -> Forward {
        let S = Model.State.count, M = elements, T = steps
        precondition(input.count == T * M, "NeuronKernel.forward: input has \(input.count) values, expected \(T) x \(M)")
        precondition(initial.map { $0.count == S * M } ?? true, "NeuronKernel.forward: initial state has \(initial?.count ?? 0) values, expected \(S) x \(M)")
        precondition(table.map { M % $0.neurons == 0 } ?? true, "NeuronKernel.forward: \(M) elements is not a multiple of the table's neurons")
        // LIF and IF with shared parameters: the vectorised C kernel (same bits).
        if table == nil, let fast = FusedIntegrateAndFire.forward(model, input: input, steps: T, elements: M, initial: initial,
                                                                  keepStates: keepStates) { return fast }
        return model.kernelForward(input: input, steps: T, elements: M, initial: initial, table: table, keepStates: keepStates)
    }

    /// The generic forward loop (what `NeuronModel.kernelForward` runs): elements in fixed chunks of `chunk`,
    /// in parallel; within a chunk, time outer and elements inner, the state of the chunk held
    /// structure-of-arrays (`state[k * n + j]`) so the inner loop is one `step` per element on contiguous
    /// memory, which the compiler vectorises where the model's step allows (each lane the scalar step's own
    /// operations, so the same bits).
    @inlinable
    public static func genericForward<Model: NeuronModel>(_ model: Model, input: [Float], steps T: Int, elements M: Int,
                                                          initial: [Float]?, table: NeuronParameterTable?,
                                                          keepStates: Bool) -> Forward {
        let S = Model.State.count
        if T * M == 0 { return Forward(output: [], states: []) }
        // Every output and state value is written by the loop below, so the arrays are not zero-filled first.
        // Inference (`keepStates: false`) keeps no history: only the current state of each element.
        var states: [Float] = []
        let output = [Float](unsafeUninitializedCapacity: T * M) { po, written in
        states = [Float](unsafeUninitializedCapacity: keepStates ? T * S * M : 0) { ps, writtenStates in
        input.withUnsafeBufferPointer { px in
        (initial ?? []).withUnsafeBufferPointer { pin in
            let ptrs = UncheckedSendable((px.baseAddress!, po.baseAddress!, keepStates ? ps.baseAddress : nil,
                                          initial == nil ? nil : pin.baseAddress))
            let chunks = (M + chunk - 1) / chunk
            Parallel.forEach(chunks: chunks) { c in
                let lo = c * chunk, hi = min(M, lo + chunk), n = hi - lo
                let (x, o, st, ini) = ptrs.value
                // A local copy: its fields stay in registers across the loops (a captured value might alias the stores).
                let model = model
                let models = table.map { tb in (lo..<hi).map { tb.model(model, neuron: $0 % tb.neurons) } }
                let buf = UnsafeMutablePointer<Float>.allocate(capacity: max(1, S * n))
                defer { buf.deallocate() }
                for j in 0..<n {
                    let s0 = ini == nil ? (models?[j] ?? model).initialState : Model.State()
                    for k in 0..<S { buf[k * n + j] = ini.map { $0[k * M + lo + j] } ?? s0[k] }
                }
                if let models {
                    models.withUnsafeBufferPointer { pm in
                        let pm = pm.baseAddress!
                        for t in 0..<T {
                            let xt = x + t * M + lo, ot = o + t * M + lo
                            let stt = st.map { $0 + t * S * M + lo }
                            for j in 0..<n {
                                var s = Model.State()
                                for k in 0..<S { s[k] = buf[k * n + j] }
                                let (y, next) = pm[j].step(xt[j], s)
                                ot[j] = y
                                for k in 0..<S { buf[k * n + j] = next[k] }
                                if let stt { for k in 0..<S { stt[k * M + j] = next[k] } }
                            }
                        }
                    }
                    return
                }
                forwardChunk(model, x: x + lo, o: o + lo, st: st.map { $0 + lo }, buf: buf, n: n, steps: T, stride: M)
            }
        }}
        writtenStates = keepStates ? T * S * M : 0
        }
        written = T * M
        }
        return Forward(output: output, states: states)
    }

    /// The time loop of one chunk of `n` elements with shared parameters (`genericForward`): `x`, `o` and `st`
    /// point at the chunk's first element of step 0 (steps `stride` apart), `buf` holds the chunk's state
    /// (`[S, n]`). A function of its own, not inlined into the parallel closure, so that the compiler sees
    /// the pointers as arguments and vectorises the element loop.
    @inlinable @inline(never)
    static func forwardChunk<Model: NeuronModel>(_ model: Model, x: UnsafePointer<Float>, o: UnsafeMutablePointer<Float>,
                                                 st: UnsafeMutablePointer<Float>?, buf: UnsafeMutablePointer<Float>,
                                                 n: Int, steps T: Int, stride M: Int) {
        let S = Model.State.count
        for t in 0..<T {
            let xt = x + t * M, ot = o + t * M
            if let st {
                let stt = st + t * S * M
                for j in 0..<n {
                    var s = Model.State()
                    for k in 0..<S { s[k] = buf[k * n + j] }
                    let (y, next) = model.step(xt[j], s)
                    ot[j] = y
                    for k in 0..<S { buf[k * n + j] = next[k]; stt[k * M + j] = next[k] }
                }
            } else {
                for j in 0..<n {
                    var s = Model.State()
                    for k in 0..<S { s[k] = buf[k * n + j] }
                    let (y, next) = model.step(xt[j], s)
                    ot[j] = y
                    for k in 0..<S { buf[k * n + j] = next[k] }
                }
            }
        }
    }

    /// Steps `T-1` down to 1 of one chunk with shared parameters (`genericBackward`), the previous states read
    /// from the stored trace: `x`, `st`, `go` and `gi` point at the chunk's first element of step 0, `gNext`
    /// (`[S, n]`) and `gParam` (`[P, n]`, when `wantP`) are the chunk's running gradients. A function of its
    /// own for the same reason as `forwardChunk`.
    @inlinable @inline(never)
    static func backwardChunk<Model: NeuronModel>(_ model: Model, x: UnsafePointer<Float>, st: UnsafePointer<Float>,
                                                  go: UnsafePointer<Float>, gi: UnsafeMutablePointer<Float>,
                                                  gNext: UnsafeMutablePointer<Float>, gParam: UnsafeMutablePointer<Float>,
                                                  wantP: Bool, n: Int, steps T: Int, stride M: Int) {
        let S = Model.State.count, P = Model.Parameters.count
        guard T > 1 else { return }
        for t in stride(from: T - 1, through: 1, by: -1) {
            let xt = x + t * M, gt = go + t * M, git = gi + t * M, stp = st + (t - 1) * S * M
            if wantP {
                for j in 0..<n {
                    var s = Model.State(), g = Model.State()
                    for k in 0..<S { s[k] = stp[k * M + j]; g[k] = gNext[k * n + j] }
                    let d = model.parameterVJP(xt[j], s, gOut: gt[j], gNext: g)
                    for k in 0..<P { gParam[k * n + j] += d[k] }
                    let (gx, gprev) = model.stepVJP(xt[j], s, gOut: gt[j], gNext: g)
                    git[j] = gx
                    for k in 0..<S { gNext[k * n + j] = gprev[k] }
                }
            } else {
                for j in 0..<n {
                    var s = Model.State(), g = Model.State()
                    for k in 0..<S { s[k] = stp[k * M + j]; g[k] = gNext[k * n + j] }
                    let (gx, gprev) = model.stepVJP(xt[j], s, gOut: gt[j], gNext: g)
                    git[j] = gx
                    for k in 0..<S { gNext[k * n + j] = gprev[k] }
                }
            }
        }
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
    ///
    /// LIF and IF with shared parameters and no parameter gradient run the vectorised C kernel (same bits);
    /// every other case runs the model's `kernelBackward` (the generic loop compiled for the model's type).
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
        precondition(input.count == T * M && gradOutput.count == T * M && states.count == T * S * M, "NeuronKernel.backward: shapes differ")
        precondition(initial.map { $0.count == S * M } ?? true, "NeuronKernel.backward: initial state has \(initial?.count ?? 0) values, expected \(S) x \(M)")
        precondition(gradFinalState.map { $0.count == S * M } ?? true, "NeuronKernel.backward: final-state gradient has \(gradFinalState?.count ?? 0) values, expected \(S) x \(M)")
        precondition(M % max(1, N) == 0, "NeuronKernel.backward: \(M) elements is not a multiple of \(N) neurons")
        let wantP = parameterGradients && P > 0
        // LIF and IF with shared parameters and no parameter gradient: the vectorised C kernel (same bits).
        if !wantP, table == nil, let fast = FusedIntegrateAndFire.backward(model, input: input, states: states, gradOutput: gradOutput,
                                                                           steps: T, elements: M, initial: initial,
                                                                           gradFinalState: gradFinalState) { return fast }
        return model.kernelBackward(input: input, states: states, gradOutput: gradOutput, steps: T, elements: M, initial: initial,
                                    gradFinalState: gradFinalState, table: table, parameterGradients: wantP, neurons: N)
    }

    /// The generic backward loop (what `NeuronModel.kernelBackward` runs): the chunks of `genericForward`,
    /// time in reverse, elements inner; the previous state of each step is read from the stored trace (`[T, S, M]`),
    /// the gradient of the next state is held structure-of-arrays per chunk. Parameter gradients are summed per
    /// element over time (in reverse time order), then over the batch in a fixed order, so the result does not
    /// depend on the thread count.
    @inlinable
    public static func genericBackward<Model: NeuronModel>(_ model: Model, input: [Float], states: [Float], gradOutput: [Float],
                                                           steps T: Int, elements M: Int, initial: [Float]?, gradFinalState: [Float]?,
                                                           table: NeuronParameterTable?, parameterGradients wantP: Bool,
                                                           neurons N: Int) -> Backward {
        let S = Model.State.count, P = Model.Parameters.count
        var gIn = [Float](repeating: 0, count: T * M)
        var gInit = [Float](repeating: 0, count: S * M)
        var gPer = [Float](repeating: 0, count: wantP ? P * M : 0)   // per element, reduced over the batch below
        if M > 0 {
        input.withUnsafeBufferPointer { px in
        states.withUnsafeBufferPointer { ps in
        gradOutput.withUnsafeBufferPointer { pg in
        gIn.withUnsafeMutableBufferPointer { pgi in
        gInit.withUnsafeMutableBufferPointer { pg0 in
        gPer.withUnsafeMutableBufferPointer { pgp in
        (initial ?? []).withUnsafeBufferPointer { pin in
        (gradFinalState ?? []).withUnsafeBufferPointer { pgf in
            let ptrs = UncheckedSendable((px.baseAddress, ps.baseAddress, pg.baseAddress, pgi.baseAddress!, pg0.baseAddress!,
                                          pgp.baseAddress, initial == nil ? nil : pin.baseAddress,
                                          gradFinalState == nil ? nil : pgf.baseAddress))
            let chunks = (M + chunk - 1) / chunk
            Parallel.forEach(chunks: chunks) { c in
                let lo = c * chunk, hi = min(M, lo + chunk), n = hi - lo
                let (x, st, go, gi, g0, gp, ini, gf) = ptrs.value
                let model = model
                let models = table.map { tb in (lo..<hi).map { tb.model(model, neuron: $0 % tb.neurons) } }
                let gNext = UnsafeMutablePointer<Float>.allocate(capacity: max(1, S * n))
                let gParam = UnsafeMutablePointer<Float>.allocate(capacity: max(1, wantP ? P * n : 1))
                defer { gNext.deallocate(); gParam.deallocate() }
                for k in 0..<S { for j in 0..<n { gNext[k * n + j] = gf.map { $0[k * M + lo + j] } ?? 0 } }
                if wantP { gParam.initialize(repeating: 0, count: P * n) }
                /// One step of every element of the chunk at time t, from previous states `prev(j, k)`.
                @inline(__always) func stepBack(_ t: Int, _ m: (Int) -> Model, _ prev: (Int, Int) -> Float) {
                    guard let x, let go else { return }
                    let xt = x + t * M + lo, gt = go + t * M + lo, git = gi + t * M + lo
                    for j in 0..<n {
                        var s = Model.State(), g = Model.State()
                        for k in 0..<S { s[k] = prev(j, k); g[k] = gNext[k * n + j] }
                        let mj = m(j)
                        if wantP {
                            let d = mj.parameterVJP(xt[j], s, gOut: gt[j], gNext: g)
                            for k in 0..<P { gParam[k * n + j] += d[k] }
                        }
                        let (gx, gprev) = mj.stepVJP(xt[j], s, gOut: gt[j], gNext: g)
                        git[j] = gx
                        for k in 0..<S { gNext[k * n + j] = gprev[k] }
                    }
                }
                /// Steps T-1 ... 1 read the stored states of the step before; step 0 the initial state.
                @inline(__always) func run(_ m: (Int) -> Model) {
                    if models == nil, T > 1, let st, let x, let go {
                        backwardChunk(model, x: x + lo, st: st + lo, go: go + lo, gi: gi + lo, gNext: gNext, gParam: gParam,
                                      wantP: wantP, n: n, steps: T, stride: M)
                    } else if T > 1, let st {
                        for t in stride(from: T - 1, through: 1, by: -1) {
                            let stp = st + (t - 1) * S * M + lo
                            stepBack(t, m) { j, k in stp[k * M + j] }
                        }
                    }
                    if let ini {
                        stepBack(0, m) { j, k in ini[k * M + lo + j] }
                    } else {
                        stepBack(0, m) { j, k in m(j).initialState[k] }
                    }
                }
                if let models {
                    models.withUnsafeBufferPointer { pm in let pm = pm.baseAddress!; run { pm[$0] } }
                } else {
                    run { _ in model }
                }
                for k in 0..<S { for j in 0..<n { g0[k * M + lo + j] = gNext[k * n + j] } }
                if wantP, let gp { for k in 0..<P { for j in 0..<n { gp[k * M + lo + j] = gParam[k * n + j] } } }
            }
        }}}}}}}}
        }
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

extension NeuronModel {
    /// The default `kernelForward`: `NeuronKernel.genericForward` over this model. As the default of a protocol
    /// requirement it is compiled once per conforming type (the conformance's witness), so it runs the
    /// model's `step` inlined and vectorised even when called through a generic or existential model.
    @inlinable
    public func kernelForward(input: [Float], steps: Int, elements: Int, initial: [Float]?, table: NeuronParameterTable?,
                              keepStates: Bool) -> NeuronKernel.Forward {
        NeuronKernel.genericForward(self, input: input, steps: steps, elements: elements, initial: initial, table: table,
                                    keepStates: keepStates)
    }

    /// The default `kernelBackward`: `NeuronKernel.genericBackward` over this model, compiled per conforming type
    /// as `kernelForward`.
    @inlinable
    public func kernelBackward(input: [Float], states: [Float], gradOutput: [Float], steps: Int, elements: Int,
                               initial: [Float]?, gradFinalState: [Float]?, table: NeuronParameterTable?,
                               parameterGradients: Bool, neurons: Int) -> NeuronKernel.Backward {
        NeuronKernel.genericBackward(self, input: input, states: states, gradOutput: gradOutput, steps: steps, elements: elements,
                                     initial: initial, gradFinalState: gradFinalState, table: table,
                                     parameterGradients: parameterGradients, neurons: neurons)
    }
}
