import SpikeCore
import SpikeNeurons

/// A layer that can run the `Linear` layer before it together with its own forward, in one pass.
/// `Sequential` hands it such pairs; it declines (nil) whatever its fused kernel does not cover.
public protocol LinearFusable: Module {
    /// `self(linear(x))` computed in one pass, or nil when the fused kernel does not cover the case (the
    /// caller then runs the two layers one after the other). Both ways give the same bits: outputs, and
    /// gradients of the input, the weight and the bias.
    func fused(after linear: Linear, _ x: Variable) -> Variable?
}

extension SpikingLayer: LinearFusable {
    /// `linear` and these neurons in one pass (`FusedIntegrateAndFire.linearForward`): each product row of
    /// the spike-driven Linear is summed in registers, the bias added, and the membranes, kept in registers
    /// across the time loop, integrate, fire and reset at once, so the Linear output `[T, B, n]` is never
    /// written and read back. Without recording (inference) nothing else is kept, and W^T is transposed once
    /// per weight version (`Linear.weightPanels`). While recording (training) the pass also keeps H, the
    /// membrane before firing and reset, which is all the backward needs: one tape node whose VJP runs the
    /// neurons' backward from H (`backwardFromH`) and then the Linear's own gradients (the dense input
    /// gradient g W, the spike-driven weight gradient on the same compressed rows, the bias gradient), so
    /// neither the Linear output nor the membrane trace is stored.
    ///
    /// Covered: LIF and IF with shared parameters (the fused neuron kernels' models), no `recordStates`, no
    /// learnable neuron parameters while recording, an input sparse enough for the spike-driven product
    /// (density below `GEMM.sparseCrossover`: the unfused Linear's own choice); otherwise nil.
    public func fused(after linear: Linear, _ x: Variable) -> Variable? {
        guard !recordStates, x.shape.count >= 2, x.shape.last == linear.inFeatures else { return nil }
        let recording = Tape.isRecording
        if recording && !parameters.learnable.isEmpty { return nil }
        let lead = Array(x.shape.dropLast())
        let steps = lead[0], rows = lead.reduce(1, *), n = linear.outFeatures
        guard steps > 0, rows > 0 else { return nil }
        let (model, table) = parameters.resolved(elements: rows / steps * n)
        guard table == nil, FusedIntegrateAndFire.covers(model),
              let compressed = CompressedRows.ifSparse(x.value.reshaped([rows, linear.inFeatures]), below: GEMM.sparseCrossover),
              let forward = FusedIntegrateAndFire.linearForward(model, rows: compressed, panels: linear.weightPanels(),
                                                                bias: linear.bias?.value.scalars, steps: steps,
                                                                batch: rows / steps, keepH: recording)
        else { return nil }
        let spikes = Tensor(shape: lead + [n], scalars: forward.spikes)
        if !recording { return Variable(spikes) }
        let weight = linear.weight, bias = linear.bias, w = weight.value
        let h = forward.h, elements = rows / steps * n
        return Variable.record(spikes, parents: [x, weight] + (bias.map { [$0] } ?? [])) { g in
            // The unfused layers' VJPs in order: neurons, reshape, bias add, spike-driven matmul, reshape.
            let gin = FusedIntegrateAndFire.backwardFromH(model, h: h, gradOutput: g.scalars, steps: steps, elements: elements)!
            let gy = Tensor(shape: [rows, n], scalars: gin)
            var grads: [Tensor?] = [x.requiresGrad ? Tensor.matmul(gy, w).reshaped(x.shape) : nil,
                                    weight.requiresGrad ? compressed.transposedTimes(gy).transposed() : nil]
            if let bias { grads.append(bias.requiresGrad ? gy.sumToShape([n]) : nil) }
            return grads
        }
    }
}
