import SpikeCore
import SpikeNeurons
import SpikeCKernels

/// A layer that can run the `Conv2d` (and the `MaxPool2d`) before it together with its own forward, in one
/// pass. `Sequential` hands it `Conv2d, MaxPool2d, self` and `Conv2d, self`; it declines (nil) whatever its
/// fused kernel does not cover.
public protocol ConvFusable: Module {
    /// `self(pool(conv(x)))` (or `self(conv(x))` when `pool` is nil) computed in one pass, or nil when the
    /// fused kernel does not cover the case (the caller then runs the layers one after the other). Both ways
    /// give the same bits: outputs, and gradients of the input, the weight and the bias.
    func fused(after conv: Conv2d, pool: MaxPool2d?, _ x: Variable) -> Variable?
}

extension SpikingLayer: ConvFusable {
    /// `conv`, `pool` and these neurons in one pass over `[T, B, Ci, H, W]`: one task per batch element runs
    /// its time steps in order; for each step the convolution of that sample (`Conv2D.ForwardPlan`: the path the
    /// unfused `Conv2d` takes, spike-driven or dense by the input's density) is written into a per-task buffer
    /// that stays in cache, max-pooled from there (`sk_maxpool2d`), and the membranes of that batch element
    /// (`sk_lif_step`) integrate, fire and reset. The conv output `[T*B, Co, Ho, Wo]` and the pooled input of the
    /// neurons are never written to memory. Pooling that reads only the first rows/columns of the conv output
    /// (floor mode: the N-MNIST CSNN's second conv, 11 x 11 pooled to 5 x 5) has only those computed.
    ///
    /// Without recording (inference) only the spikes are kept. While recording (training) the pass also keeps
    /// H (the membrane before firing and reset) and the pooling's argmax, which is all the backward needs: one
    /// tape node whose VJP runs the neurons' backward from H (`backwardFromH`), the pooling's gradient and the
    /// convolution's own gradients (`Conv2D.inputGradient`, `weightGradient`, `channelSums`), the same
    /// operations in the same order as the unfused layers' VJPs.
    ///
    /// Covered: input `[T, B, C, H, W]` with at least as many batch elements as threads; LIF and IF with shared
    /// parameters (the fused neuron kernels' models), no `recordStates`, no learnable neuron parameters while
    /// recording; otherwise nil.
    public func fused(after conv: Conv2d, pool: MaxPool2d?, _ x: Variable) -> Variable? {
        guard !recordStates, x.shape.count == 5, x.shape[2] == conv.inChannels else { return nil }
        let recording = Tape.isRecording
        if recording && !parameters.learnable.isEmpty { return nil }
        let (steps, batch) = (x.shape[0], x.shape[1]), n = steps * batch
        guard n > 0, batch >= Parallel.threadCount else { return nil }
        let g = conv.geometry(height: x.shape[3], width: x.shape[4])
        let (co, ho, wo) = (g.outChannels, g.outHeight, g.outWidth)
        // Pooled size and the conv output rows/columns the pooling reads.
        var (hp, wp, rows, columns) = (ho, wo, ho, wo)
        if let pool {
            hp = Pool2D.outputSize(ho, kernel: pool.kernelSize.0, stride: pool.stride.0, pad: pool.padding.0, dilation: pool.dilation.0, ceilMode: pool.ceilMode)
            wp = Pool2D.outputSize(wo, kernel: pool.kernelSize.1, stride: pool.stride.1, pad: pool.padding.1, dilation: pool.dilation.1, ceilMode: pool.ceilMode)
            guard hp > 0, wp > 0 else { return nil }
            rows = Swift.min(ho, (hp - 1) * pool.stride.0 - pool.padding.0 + (pool.kernelSize.0 - 1) * pool.dilation.0 + 1)
            columns = Swift.min(wo, (wp - 1) * pool.stride.1 - pool.padding.1 + (pool.kernelSize.1 - 1) * pool.dilation.1 + 1)
        }
        let per = co * hp * wp   // neurons per batch element
        let (model, table) = parameters.resolved(elements: batch * per)
        guard table == nil, let lif = FusedIntegrateAndFire.kernelParameters(model) else { return nil }

        let xv = x.value, density = xv.density
        let plan = Conv2D.ForwardPlan(weight: conv.weight.value, bias: conv.bias?.value, geometry: g, density: density,
                                      rows: rows, columns: columns)
        let perIn = g.inChannels * g.height * g.width, convCount = plan.outputCount
        let total = n * per
        var h = [Float](), arg = [Int32]()
        let keep = recording, isa = Conv2D.isa
        let spikes = [Float](unsafeUninitializedCapacity: total) { ps, written in
            h = [Float](unsafeUninitializedCapacity: keep ? total : 0) { ph, hw in
                arg = [Int32](unsafeUninitializedCapacity: keep && pool != nil ? total : 0) { pa, aw in
                    xv.scalars.withUnsafeBufferPointer { px in
                        let all = UncheckedSendable((px.baseAddress!, ps.baseAddress!, keep ? ph.baseAddress : nil,
                                                     keep && pool != nil ? pa.baseAddress : nil))
                        Parallel.forEach(chunks: batch) { b in
                            let (px, ps, ph, pa) = all.value
                            var p = lif
                            let work = UnsafeMutablePointer<Float>.allocate(capacity: plan.scratchCount + convCount + 3 * per)
                            defer { work.deallocate() }
                            let scratch = work, convOut = work + plan.scratchCount, pooled = convOut + convCount
                            let v = pooled + per, hb = v + per
                            v.update(repeating: p.hard != 0 ? p.reset : 0, count: per)   // the resting level
                            for t in 0..<steps {
                                let s = t * batch + b
                                plan.run(px + s * perIn, convOut, scratch: scratch)
                                let input: UnsafeMutablePointer<Float>
                                if let pool {
                                    sk_maxpool2d(convOut, pooled, pa.map { $0 + s * per }, co, rows, columns, hp, wp,
                                                 pool.kernelSize.0, pool.kernelSize.1, pool.stride.0, pool.stride.1,
                                                 pool.padding.0, pool.padding.1, pool.dilation.0, pool.dilation.1, isa)
                                    input = pooled
                                } else {
                                    input = convOut
                                }
                                sk_lif_step(&p, v, input, ph.map { $0 + s * per } ?? hb, ps + s * per, per, 0)
                            }
                        }
                    }
                    aw = keep && pool != nil ? total : 0
                }
                hw = keep ? total : 0
            }
            written = total
        }
        let outShape = [steps, batch, co, hp, wp]
        if !recording { return Variable(Tensor(shape: outShape, scalars: spikes)) }
        // The argmax is an index into the plane of `columns` columns; the backward scatters into the full plane.
        if pool != nil && columns != wo {
            arg.withUnsafeMutableBufferPointer { pa in
                for i in pa.indices { let a = Int(pa[i]); pa[i] = Int32(a / columns * wo + a % columns) }
            }
        }
        let weight = conv.weight, bias = conv.bias, w = weight.value
        let xf = xv.reshaped([n, g.inChannels, g.height, g.width])
        return Variable.record(Tensor(shape: outShape, scalars: spikes), parents: [x, weight] + (bias.map { [$0] } ?? [])) { gOut in
            // The unfused layers' VJPs in order: neurons, pooling, reshape, convolution.
            let gin = FusedIntegrateAndFire.backwardFromH(model, h: h, gradOutput: gOut.scalars, steps: steps, elements: batch * per)!
            let gy: Tensor
            if pool != nil {
                gy = Pool2D.maxPoolBackward(gin, arg: arg, planes: n * co, h: ho, w: wo, ho: hp, wo: wp, shape: [n, co, ho, wo])
            } else {
                gy = Tensor(shape: [n, co, ho, wo], scalars: gin)
            }
            var grads: [Tensor?] = [x.requiresGrad ? Conv2D.inputGradient(gy, weight: w, geometry: g).reshaped(x.shape) : nil,
                                    weight.requiresGrad ? Conv2D.weightGradient(xf, gy, geometry: g, density: density) : nil]
            if let bias { grads.append(bias.requiresGrad ? Conv2D.channelSums(gy) : nil) }
            return grads
        }
    }
}
