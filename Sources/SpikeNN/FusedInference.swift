import SpikeCore
import SpikeNeurons

/// A layer that can run the inference forward of the `Linear` layer before it together with its own, in one
/// pass. `Sequential` hands it such pairs while gradients are not being recorded (`Tape.withoutGradients`).
public protocol LinearFusable: Module {
    /// `self(linear(x))` computed in one pass without recording, or nil when the fused kernel does not cover
    /// the case (the caller then runs the two layers one after the other). Both ways give the same bits.
    func inference(after linear: Linear, _ x: Variable) -> Variable?
}

extension SpikingLayer: LinearFusable {
    /// The fused inference of `linear` and these neurons (`FusedIntegrateAndFire.linearForward`): each
    /// product row of the spike-driven Linear is summed in registers, the bias added, and the membranes,
    /// kept in registers across the time loop, integrate, fire and reset at once, so the Linear output
    /// `[T, B, n]` is never written and read back, and W^T is transposed once per weight version
    /// (`Linear.weightPanels`). Covered: LIF and IF with shared parameters (the fused neuron kernels' models),
    /// no `recordStates`, an input sparse enough for the spike-driven product (density below
    /// `GEMM.sparseCrossover`, the unfused layer's own choice); otherwise nil.
    public func inference(after linear: Linear, _ x: Variable) -> Variable? {
        guard !Tape.isRecording, !recordStates, x.shape.count >= 2, x.shape.last == linear.inFeatures else { return nil }
        let lead = Array(x.shape.dropLast())
        let steps = lead[0], rows = lead.reduce(1, *), n = linear.outFeatures
        guard steps > 0, rows > 0 else { return nil }
        let (model, table) = parameters.resolved(elements: rows / steps * n)
        guard table == nil, FusedIntegrateAndFire.covers(model),
              let compressed = CompressedRows.ifSparse(x.value.reshaped([rows, linear.inFeatures]), below: GEMM.sparseCrossover),
              let out = FusedIntegrateAndFire.linearForward(model, rows: compressed, panels: linear.weightPanels(),
                                                            bias: linear.bias?.value.scalars, steps: steps,
                                                            batch: rows / steps)
        else { return nil }
        return Variable(Tensor(shape: lead + [n], scalars: out))
    }
}
