import SpikeCore
import SpikeCKernels

/// The vectorised fast path of `NeuronKernel` for `LIF` and `IF` with shared parameters and the Heaviside
/// forward (no `smoothForward`): the C kernels `sk_lif_forward` / `sk_lif_backward` (SpikeCKernels/lif.c),
/// AVX-512, AVX2 or portable, chosen at run time. Each element's arithmetic is the Swift models' own, in
/// the same order and without fused multiply-adds, so the results are bitwise those of the generic kernel
/// (tested). Elements run in the generic kernel's fixed chunks, so they do not depend on the thread count.
@usableFromInline enum FusedIntegrateAndFire {
    /// The C parameters of `model`, or nil when the fast path does not cover it.
    static func parameters<Model: NeuronModel>(_ model: Model) -> sk_lif_params? {
        var p = sk_lif_params()
        let sg: Surrogate, reset: ResetMode
        if let m = model as? LIF {
            p.kind = m.decayInput ? 0 : 1
            p.tau = m.tau; p.threshold = m.threshold
            sg = m.surrogate; reset = m.reset; p.detach = m.detachReset ? 1 : 0
        } else if let m = model as? IF {
            p.kind = 2
            p.tau = 1; p.threshold = m.threshold
            sg = m.surrogate; reset = m.reset; p.detach = m.detachReset ? 1 : 0
        } else {
            return nil
        }
        if sg.smoothForward { return nil }
        switch reset {
        case .hard(let r): p.hard = 1; p.reset = r
        case .soft: p.hard = 0; p.reset = 0
        }
        guard let kind = Surrogate.Kind.allCases.firstIndex(of: sg.kind) else { return nil }
        p.surrogate = Int32(kind)
        let a = sg.alpha
        p.alpha = a
        switch sg.kind {
        case .atan: p.k = Float.pi / 2 * a
        case .erf: p.k = a / Float.pi.squareRoot(); p.c = -a * a
        default: break
        }
        return p
    }

    /// Runs the forward fast path if it covers `model` (returns false otherwise, having done nothing).
    @usableFromInline static func forward<Model: NeuronModel>(_ model: Model, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                                            states: UnsafeMutablePointer<Float>?, initial: UnsafePointer<Float>?,
                                                            steps: Int, elements m: Int) -> Bool {
        guard Model.State.count == 1, var p = parameters(model) else { return false }
        let chunk = NeuronKernel.chunk
        withUnsafePointer(to: &p) { pp in
            let all = UncheckedSendable((pp, x, out, states, initial))
            Parallel.forEach(chunks: (m + chunk - 1) / chunk) { c in
                let lo = c * chunk, hi = Swift.min(m, lo + chunk)
                let (pp, x, out, states, initial) = all.value
                sk_lif_forward(pp, x, out, states, initial, steps, m, lo, hi)
            }
        }
        return true
    }

    /// Runs the backward fast path if it covers `model` (returns false otherwise, having done nothing).
    @usableFromInline static func backward<Model: NeuronModel>(_ model: Model, x: UnsafePointer<Float>, states: UnsafePointer<Float>,
                                                             gradOutput: UnsafePointer<Float>, initial: UnsafePointer<Float>?,
                                                             gradFinal: UnsafePointer<Float>?, gradInput: UnsafeMutablePointer<Float>,
                                                             gradInitial: UnsafeMutablePointer<Float>?, steps: Int, elements m: Int) -> Bool {
        guard Model.State.count == 1, var p = parameters(model) else { return false }
        let chunk = NeuronKernel.chunk
        withUnsafePointer(to: &p) { pp in
            let all = UncheckedSendable((pp, x, states, gradOutput, initial, gradFinal, gradInput, gradInitial))
            Parallel.forEach(chunks: (m + chunk - 1) / chunk) { c in
                let lo = c * chunk, hi = Swift.min(m, lo + chunk)
                let (pp, x, st, go, initial, gf, gi, g0) = all.value
                sk_lif_backward(pp, x, st, go, initial, gf, gi, g0, steps, m, lo, hi)
            }
        }
        return true
    }
}
