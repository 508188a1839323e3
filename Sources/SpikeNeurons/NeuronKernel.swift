import SpikeCore

/// The fused multi-step kernel, generic over any `NeuronModel`.
///
/// Inputs are `[T, M]` (time first, M = batch x neurons, row-major). The forward pass runs the whole time
/// loop and keeps the state after every step (`[T, S, M]`), which is both the state trace users ask for and
/// all the backward pass needs: the backward pass runs the time loop in reverse (backpropagation through
/// time) and re-evaluates each step's VJP from the stored state. Elements are split into fixed chunks run in
/// parallel; each element's arithmetic is sequential in time, so results do not depend on the thread count.
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

    /// Runs `model` over `input` (`[T, M]`, flat) from `initial` states (`[S, M]`, or the model's initial state).
    @inlinable
    @_specialize(where Model == LIF)
    @_specialize(where Model == IF)
    @_specialize(where Model == LI)
    public static func forward<Model: NeuronModel>(_ model: Model, input: [Float], steps: Int, elements: Int,
                                                   initial: [Float]? = nil, keepStates: Bool = true) -> Forward {
        let S = Model.State.count, M = elements, T = steps
        precondition(input.count == T * M, "NeuronKernel.forward: input has \(input.count) values, expected \(T) x \(M)")
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
                var local = [Model.State](repeating: model.initialState, count: hi - lo)
                if let initial {
                    for i in lo..<hi { for k in 0..<S { local[i - lo][k] = initial[k * M + i] } }
                }
                guard let x = x.value, let o = o.value else { return }
                let st = keepStates ? st.value : nil
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
        let S = Model.State.count, M = elements, T = steps
        precondition(gradOutput.count == T * M && states.count == T * S * M, "NeuronKernel.backward: shapes differ")
        var gIn = [Float](repeating: 0, count: T * M)
        var gInit = [Float](repeating: 0, count: S * M)
        input.withUnsafeBufferPointer { px in
        states.withUnsafeBufferPointer { ps in
        gradOutput.withUnsafeBufferPointer { pg in
        gIn.withUnsafeMutableBufferPointer { pgi in
        gInit.withUnsafeMutableBufferPointer { pg0 in
            let ptrs = UncheckedSendable((px.baseAddress, ps.baseAddress, pg.baseAddress, pgi.baseAddress, pg0.baseAddress))
            let chunks = (M + chunk - 1) / chunk
            Parallel.forEach(chunks: chunks) { c in
                let lo = c * chunk, hi = min(M, lo + chunk)
                guard let x = ptrs.value.0, let st = ptrs.value.1, let go = ptrs.value.2, let gi = ptrs.value.3,
                      let g0 = ptrs.value.4 else { return }
                var gNext = [Model.State](repeating: Model.State(), count: hi - lo)
                if let gradFinalState {
                    for i in lo..<hi { for k in 0..<S { gNext[i - lo][k] = gradFinalState[k * M + i] } }
                }
                var prev = Model.State()
                for t in stride(from: T - 1, through: 0, by: -1) {
                    let stp = st + (t - 1) * S * M
                    for i in lo..<hi {
                        if t > 0 {
                            for k in 0..<S { prev[k] = stp[k * M + i] }
                        } else if let initial {
                            for k in 0..<S { prev[k] = initial[k * M + i] }
                        } else {
                            prev = model.initialState
                        }
                        let (gx, gp) = model.stepVJP(x[t * M + i], prev, gOut: go[t * M + i], gNext: gNext[i - lo])
                        gi[t * M + i] = gx
                        gNext[i - lo] = gp
                    }
                }
                for i in lo..<hi { for k in 0..<S { g0[k * M + i] = gNext[i - lo][k] } }
            }
        }}}}}
        return (gIn, gInit)
    }
}
