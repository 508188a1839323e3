import Foundation
import SpikeCore
import SpikeCKernels

/// The vectorised fast path of `NeuronKernel` for `LIF` and `IF` with shared parameters and the Heaviside
/// forward (no `smoothForward`): the C kernels `sk_lif_forward` / `sk_lif_backward` (SpikeCKernels/lif.c),
/// AVX-512, AVX2 or portable, chosen at run time. Each element's arithmetic is the Swift models' own, in
/// the same order and without fused multiply-adds, so the results are bitwise those of the generic kernel
/// (tested). Elements run in the generic kernel's fixed chunks, so they do not depend on the thread count.
public enum FusedIntegrateAndFire {
    /// Whether the backward kernels skip the work that is exactly zero with a surrogate of compact support
    /// (triangle, piecewise quadratic, rectangle): block-steps of 256 elements whose surrogate derivatives and
    /// carried membrane gradients are all +0 get their zero gradients written directly (Perez-Nieves &
    /// Goodman, NeurIPS 2021). The same bits either way (tested); the tests switch it off to compare, and
    /// `SPIKEKIT_SPARSE_BACKWARD=0` does for paired timings.
    nonisolated(unsafe) public static var sparseBackward = ProcessInfo.processInfo.environment["SPIKEKIT_SPARSE_BACKWARD"] != "0"

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
        p.sparse = sparseBackward ? 1 : 0
        let a = sg.alpha
        p.alpha = a
        switch sg.kind {
        case .atan: p.k = Float.pi / 2 * a
        case .erf: p.k = a / Float.pi.squareRoot(); p.c = -a * a
        default: break
        }
        return p
    }

    /// The forward pass of `model` (`NeuronKernel.forward` without a table), or nil when the fast path does not
    /// cover it. Output and states are written in full by the kernel, so they are not zero-filled first.
    @usableFromInline static func forward<Model: NeuronModel>(_ model: Model, input: [Float], steps: Int, elements m: Int,
                                                            initial: [Float]?, keepStates: Bool) -> NeuronKernel.Forward? {
        guard Model.State.count == 1, steps * m > 0, var p = parameters(model) else { return nil }
        let count = steps * m, chunk = NeuronKernel.chunk
        func run(_ po: UnsafeMutablePointer<Float>, _ ps: UnsafeMutablePointer<Float>?) {
            input.withUnsafeBufferPointer { px in (initial ?? []).withUnsafeBufferPointer { pi in
                withUnsafePointer(to: &p) { pp in
                    let all = UncheckedSendable((pp, px.baseAddress!, po, ps, initial == nil ? nil : pi.baseAddress))
                    Parallel.forEach(chunks: (m + chunk - 1) / chunk) { c in
                        let lo = c * chunk, hi = Swift.min(m, lo + chunk)
                        let (pp, x, out, st, ini) = all.value
                        sk_lif_forward(pp, x, out, st, ini, steps, m, lo, hi)
                    }
                }
            } }
        }
        var states: [Float] = [], output: [Float] = []
        if keepStates {
            states = [Float](unsafeUninitializedCapacity: count) { ps, k in
                output = [Float](unsafeUninitializedCapacity: count) { po, n in run(po.baseAddress!, ps.baseAddress!); n = count }
                k = count
            }
        } else {
            output = [Float](unsafeUninitializedCapacity: count) { po, n in run(po.baseAddress!, nil); n = count }
        }
        return NeuronKernel.Forward(output: output, states: states)
    }

    /// The backward pass of `model` (`NeuronKernel.backward` without a table or parameter gradients), or nil
    /// when the fast path does not cover it.
    @usableFromInline static func backward<Model: NeuronModel>(_ model: Model, input: [Float], states: [Float], gradOutput: [Float],
                                                             steps: Int, elements m: Int, initial: [Float]?,
                                                             gradFinalState: [Float]?) -> NeuronKernel.Backward? {
        guard Model.State.count == 1, steps * m > 0, var p = parameters(model) else { return nil }
        let count = steps * m, chunk = NeuronKernel.chunk
        var gInit: [Float] = []
        let gIn = [Float](unsafeUninitializedCapacity: count) { pgi, n in
            gInit = [Float](unsafeUninitializedCapacity: m) { pg0, k in
                input.withUnsafeBufferPointer { px in states.withUnsafeBufferPointer { ps in gradOutput.withUnsafeBufferPointer { pg in
                    (initial ?? []).withUnsafeBufferPointer { pi in (gradFinalState ?? []).withUnsafeBufferPointer { pf in
                        withUnsafePointer(to: &p) { pp in
                            let all = UncheckedSendable((pp, px.baseAddress!, ps.baseAddress!, pg.baseAddress!,
                                                         initial == nil ? nil : pi.baseAddress, gradFinalState == nil ? nil : pf.baseAddress,
                                                         pgi.baseAddress!, pg0.baseAddress!))
                            Parallel.forEach(chunks: (m + chunk - 1) / chunk) { c in
                                let lo = c * chunk, hi = Swift.min(m, lo + chunk)
                                let (pp, x, st, go, ini, gf, gi, g0) = all.value
                                sk_lif_backward(pp, x, st, go, ini, gf, gi, g0, steps, m, lo, hi)
                            }
                        }
                    } }
                } } }
                k = m
            }
            n = count
        }
        return NeuronKernel.Backward(gradInput: gIn, gradInitial: gInit, gradParameters: [])
    }

    /// The C parameters of `model` for the fused kernels (`sk_lif_step`, `sk_lif_forward`, ...), or nil when
    /// they do not cover it (as `covers`).
    public static func kernelParameters<Model: NeuronModel>(_ model: Model) -> sk_lif_params? {
        Model.State.count == 1 ? parameters(model) : nil
    }

    /// Whether the fused kernels cover `model` (LIF or IF with a Heaviside forward and a closed-form surrogate).
    public static func covers<Model: NeuronModel>(_ model: Model) -> Bool {
        Model.State.count == 1 && parameters(model) != nil
    }

    /// The forward of a Linear layer followed by neurons of `model` (shared parameters, starting at rest), in
    /// one pass (`sk_linear_lif_forward`): `rows` is the layer input `[steps * batch, k]` compressed,
    /// `panels` is W^T (W `[n, k]`) in column panels, `bias` `[n]` or nil. Returns the spikes
    /// `[steps * batch, n]` (the same bits as the product on `rows`, `CompressedRows.timesTransposed`, plus
    /// the bias, through `NeuronKernel.forward`) and, with `keepH`, the trace of H (the membrane after
    /// integration, before firing and reset) that `backwardFromH` needs; nil when `model` is not covered.
    /// Work is split into (four batch elements, panel) tasks in fixed order, so the result does not depend
    /// on the thread count. `isa` pins the instruction set (0: the best available; 1 portable, 2 AVX2,
    /// 3 AVX-512) for tests.
    public static func linearForward<Model: NeuronModel>(_ model: Model, rows: CompressedRows, panels: WeightPanels, bias: [Float]?,
                                                       steps: Int, batch: Int, keepH: Bool = false,
                                                       isa: Int32 = 0) -> (spikes: [Float], h: [Float])? {
        guard Model.State.count == 1, var p = parameters(model) else { return nil }
        let k = rows.columns, n = panels.outputs
        precondition(steps * batch == rows.rows && steps > 0 && batch > 0, "linearForward: \(rows.rows) rows are not \(steps) x \(batch)")
        precondition(panels.inputs == k && (bias?.count ?? n) == n, "linearForward: panels \(n) x \(panels.inputs) or bias do not match \(k) inputs")
        let count = rows.rows * n
        if count == 0 { return ([], []) }
        let panelCount = (n + WeightPanels.width - 1) / WeightPanels.width
        let binary: Int32 = rows.isBinary ? 1 : 0
        func run(_ po: UnsafeMutablePointer<Float>, _ ph: UnsafeMutablePointer<Float>?) {
            rows.rowStart.withUnsafeBufferPointer { rp in rows.columnIndex.withUnsafeBufferPointer { cp in
                rows.values.withUnsafeBufferPointer { vp in
                    (bias ?? []).withUnsafeBufferPointer { bp in withUnsafePointer(to: &p) { pp in
                        let all = UncheckedSendable((pp, rp.baseAddress!, cp.baseAddress!, vp.baseAddress!, UnsafePointer(panels.pointer),
                                                     bias == nil ? nil : bp.baseAddress, po, ph))
                        // Tasks of (four batch elements, panel), panel-major: consecutive tasks share a panel of W^T.
                        let groups = (batch + 3) / 4
                        Parallel.forEach(chunks: panelCount * groups) { c in
                            let (pp, rp, cp, vp, wp, bp, out, hout) = all.value
                            let b0 = (c % groups) * 4
                            sk_linear_lif_forward(pp, rp, cp, vp, wp, bp, out, hout, steps, batch, n, k, b0, Swift.min(batch, b0 + 4),
                                                  c / groups, binary, isa)
                        }
                    } }
                }
            } }
        }
        var h: [Float] = []
        let spikes = [Float](unsafeUninitializedCapacity: count) { po, written in
            if keepH {
                h = [Float](unsafeUninitializedCapacity: count) { ph, hw in run(po.baseAddress!, ph.baseAddress!); hw = count }
            } else {
                run(po.baseAddress!, nil)
            }
            written = count
        }
        return (spikes, h)
    }

    /// The backward of neurons of `model` that started at rest, from the H trace of `linearForward(keepH:)`
    /// and the gradient of the spikes (`sk_lif_backward_h`): the gradient of the input current, the same bits
    /// as `NeuronKernel.backward` (which recomputes H from the stored membranes and the input). Elements run in
    /// the generic kernel's fixed chunks, so the result does not depend on the thread count.
    public static func backwardFromH<Model: NeuronModel>(_ model: Model, h: [Float], gradOutput: [Float], steps: Int,
                                                       elements m: Int, isa: Int32 = 0) -> [Float]? {
        guard Model.State.count == 1, var p = parameters(model) else { return nil }
        let count = steps * m
        precondition(h.count == count && gradOutput.count == count, "backwardFromH: \(h.count) / \(gradOutput.count) values for \(steps) x \(m)")
        if count == 0 { return [] }
        let chunk = NeuronKernel.chunk
        return [Float](unsafeUninitializedCapacity: count) { pgi, written in
            h.withUnsafeBufferPointer { ph in gradOutput.withUnsafeBufferPointer { pg in withUnsafePointer(to: &p) { pp in
                let all = UncheckedSendable((pp, ph.baseAddress!, pg.baseAddress!, pgi.baseAddress!))
                Parallel.forEach(chunks: (m + chunk - 1) / chunk) { c in
                    let lo = c * chunk, hi = Swift.min(m, lo + chunk)
                    sk_lif_backward_h(all.value.0, all.value.1, all.value.2, all.value.3, steps, m, lo, hi, isa)
                }
            } } }
            written = count
        }
    }
}
