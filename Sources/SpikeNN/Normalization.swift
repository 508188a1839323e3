import Foundation
import SpikeCore
import SpikeCKernels
import SpikeNeurons

/// Batch normalisation over the channel axis of `[N, C, P]` (P: the product of the trailing axes), the core
/// of `BatchNorm1d`, `BatchNorm2d`, tdBN and BNTT (PyTorch's `nn.BatchNorm*d`).
///
/// Training (or without running statistics): per channel, `mean` and the biased variance over N and P,
/// `y = (x - mean) / sqrt(var + eps) * weight + bias`; the running statistics move by
/// `running = (1 - momentum) * running + momentum * batch` with the unbiased variance (momentum nil: the
/// cumulative average, `1 / num_batches_tracked`), and `num_batches_tracked` counts the batches.
/// Evaluation: the running statistics instead of the batch's. Channels run in parallel, each by one worker.
public class BatchNormCore: Module {
    public let numFeatures: Int
    public let eps: Float
    /// Momentum of the running statistics; nil: cumulative average (PyTorch's `momentum=None`).
    public let momentum: Float?
    public let weight: Variable?, bias: Variable?
    /// Buffers, as PyTorch's: `running_mean` `[C]` (zeros), `running_var` `[C]` (ones), `num_batches_tracked` (a
    /// scalar; PyTorch's is int64).
    public let runningMean: Variable?, runningVar: Variable?, numBatchesTracked: Variable?
    public private(set) var training = true

    /// `affine`: learnable `weight` (ones) and `bias` (zeros); `biasTerm: false` drops the bias (BNTT).
    public init(_ numFeatures: Int, eps: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true, trackRunningStats: Bool = true,
                biasTerm: Bool = true, initialWeight: Float = 1, name: String = "BatchNorm") {
        ConvOptions.check { try BatchNormCore.validate(name, numFeatures: numFeatures, eps: eps, momentum: momentum) }
        self.numFeatures = numFeatures; self.eps = eps; self.momentum = momentum
        weight = affine ? Variable(Tensor(repeating: initialWeight, shape: [numFeatures]), requiresGrad: true) : nil
        bias = affine && biasTerm ? Variable(.zeros([numFeatures]), requiresGrad: true) : nil
        runningMean = trackRunningStats ? Variable(.zeros([numFeatures])) : nil
        runningVar = trackRunningStats ? Variable(.ones([numFeatures])) : nil
        numBatchesTracked = trackRunningStats ? Variable(Tensor(0)) : nil
    }

    /// Throws a one-line `ParameterError` unless the feature count is positive, eps positive and momentum in [0, 1].
    public static func validate(_ name: String, numFeatures: Int, eps: Float, momentum: Float?) throws {
        guard numFeatures > 0 else { throw ParameterError("\(name): number of features must be positive, got \(numFeatures)") }
        guard eps > 0, eps.isFinite else { throw ParameterError("\(name): eps must be positive, got \(eps)") }
        if let m = momentum, !(m >= 0 && m <= 1) { throw ParameterError("\(name): momentum must be in [0, 1], got \(m)") }
    }

    public func setTraining(_ training: Bool) { self.training = training }
    public func callAsFunction(_ x: Variable) -> Variable { fatalError("BatchNormCore: use BatchNorm1d or BatchNorm2d") }

    public var ownParameters: [(String, Variable)] {
        (weight.map { [("weight", $0)] } ?? []) + (bias.map { [("bias", $0)] } ?? [])
    }
    public var ownBuffers: [(String, Variable)] {
        guard let runningMean, let runningVar, let numBatchesTracked else { return [] }
        return [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", numBatchesTracked)]
    }

    /// Normalises `x` viewed as `[n, C, p]` (the caller has checked that axis 1 of that view has C channels).
    func normalise(_ x: Variable, n: Int, p: Int) -> Variable {
        let c = numFeatures, m = n * p
        precondition(x.value.count == n * c * p, "\(type(of: self)): input \(x.shape) is not [\(n), \(c), \(p)]")
        let useBatch = training || runningMean == nil
        var mean = [Float](repeating: 0, count: c), invstd = [Float](repeating: 0, count: c)
        let xs = x.value.scalars
        if useBatch {
            precondition(m > 1 || !training, "\(type(of: self)): training needs more than one value per channel, got input \(x.shape)")
            var s = [Double](repeating: 0, count: c), s2 = [Double](repeating: 0, count: c)
            xs.withUnsafeBufferPointer { px in s.withUnsafeMutableBufferPointer { ps in s2.withUnsafeMutableBufferPointer { ps2 in
                let ptr = UncheckedSendable((px.baseAddress!, ps.baseAddress!, ps2.baseAddress!))
                Parallel.forEach(chunks: c) { ch in sk_channel_sums(ptr.value.0, n, c, p, ch, ch + 1, ptr.value.1, ptr.value.2) }
            } } }
            var unbiased = [Float](repeating: 0, count: c)
            for ch in 0..<c {
                let mu = s[ch] / Double(m)
                let v = Swift.max(0, s2[ch] / Double(m) - mu * mu)
                mean[ch] = Float(mu); invstd[ch] = Float(1 / (v + Double(eps)).squareRoot())
                unbiased[ch] = m > 1 ? Float(v * Double(m) / Double(m - 1)) : Float(v)
            }
            if training, let rm = runningMean, let rv = runningVar, let nb = numBatchesTracked {
                nb.value = Tensor(nb.value.scalar + 1)
                let f = momentum ?? 1 / nb.value.scalar
                rm.value = Tensor(shape: [c], scalars: (0..<c).map { (1 - f) * rm.value.scalars[$0] + f * mean[$0] })
                rv.value = Tensor(shape: [c], scalars: (0..<c).map { (1 - f) * rv.value.scalars[$0] + f * unbiased[$0] })
            }
        } else {
            mean = runningMean!.value.scalars
            invstd = runningVar!.value.scalars.map { 1 / ($0 + eps).squareRoot() }
        }
        let gamma = weight?.value.scalars ?? [Float](repeating: 1, count: c)
        let beta = bias?.value.scalars ?? [Float](repeating: 0, count: c)
        let y = [Float](unsafeUninitializedCapacity: xs.count) { py, count in
            xs.withUnsafeBufferPointer { px in
                let ptr = UncheckedSendable((px.baseAddress!, py.baseAddress!))
                Parallel.forEach(chunks: c) { ch in
                    let (px, py) = ptr.value
                    let mu = mean[ch], inv = invstd[ch], gm = gamma[ch], bt = beta[ch]
                    for i in 0..<n {
                        let base = (i * c + ch) * p
                        for q in 0..<p { py[base + q] = (px[base + q] - mu) * inv * gm + bt }
                    }
                }
            }
            count = xs.count
        }
        let parents = [x] + (weight.map { [$0] } ?? []) + (bias.map { [$0] } ?? [])
        let weight = self.weight, bias = self.bias, shape = x.shape
        return Variable.record(Tensor(shape: shape, scalars: y), parents: parents) { g in
            var gx = [Float](repeating: 0, count: xs.count)
            var dGamma = [Float](repeating: 0, count: c), dBeta = [Float](repeating: 0, count: c)
            g.scalars.withUnsafeBufferPointer { pg in xs.withUnsafeBufferPointer { px in gx.withUnsafeMutableBufferPointer { pgx in
                dGamma.withUnsafeMutableBufferPointer { pdg in dBeta.withUnsafeMutableBufferPointer { pdb in
                    let ptr = UncheckedSendable((pg.baseAddress!, px.baseAddress!, pgx.baseAddress!, pdg.baseAddress!, pdb.baseAddress!))
                    Parallel.forEach(chunks: c) { ch in
                        let (pg, px, pgx, pdg, pdb) = ptr.value
                        let mu = mean[ch], inv = invstd[ch], gm = gamma[ch]
                        var sg = 0.0, sgx = 0.0
                        for i in 0..<n {
                            let base = (i * c + ch) * p
                            var fs: Float = 0, fsx: Float = 0
                            for q in 0..<p { let gv = pg[base + q]; fs += gv; fsx += gv * (px[base + q] - mu) * inv }
                            sg += Double(fs); sgx += Double(fsx)
                        }
                        pdg[ch] = Float(sgx); pdb[ch] = Float(sg)
                        if useBatch {
                            // dx = gamma * invstd * (g - mean(g) - xhat * mean(g * xhat))
                            let mg = Float(sg / Double(m)), mgx = Float(sgx / Double(m))
                            for i in 0..<n {
                                let base = (i * c + ch) * p
                                for q in 0..<p {
                                    let xh = (px[base + q] - mu) * inv
                                    pgx[base + q] = gm * inv * (pg[base + q] - mg - xh * mgx)
                                }
                            }
                        } else {
                            for i in 0..<n {
                                let base = (i * c + ch) * p
                                for q in 0..<p { pgx[base + q] = pg[base + q] * gm * inv }
                            }
                        }
                    }
                } }
            } } }
            var grads: [Tensor?] = [Tensor(shape: shape, scalars: gx)]
            if weight != nil { grads.append(Tensor(shape: [c], scalars: dGamma)) }
            if bias != nil { grads.append(Tensor(shape: [c], scalars: dBeta)) }
            return grads
        }
    }
}

/// Batch normalisation of `[T, B, C, H, W]` (time folded into the batch: statistics over T, B, H, W) or
/// `[N, C, H, W]`, as PyTorch's `nn.BatchNorm2d(C, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True)`
/// (`BatchNormCore` gives the equations). Parameters `weight`, `bias`; buffers `running_mean`, `running_var`,
/// `num_batches_tracked` (PyTorch's state_dict keys).
public final class BatchNorm2d: BatchNormCore {
    public init(_ numFeatures: Int, eps: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true, trackRunningStats: Bool = true) {
        super.init(numFeatures, eps: eps, momentum: momentum, affine: affine, trackRunningStats: trackRunningStats, name: "BatchNorm2d")
    }
    init(_ numFeatures: Int, eps: Float, momentum: Float?, affine: Bool, biasTerm: Bool, initialWeight: Float, name: String) {
        super.init(numFeatures, eps: eps, momentum: momentum, affine: affine, biasTerm: biasTerm, initialWeight: initialWeight, name: name)
    }
    public override func callAsFunction(_ x: Variable) -> Variable {
        precondition(x.shape.count >= 4 && x.shape[x.shape.count - 3] == numFeatures,
                     "BatchNorm2d: input \(x.shape) is not [N, \(numFeatures), H, W] or [T, B, \(numFeatures), H, W]")
        let p = x.shape.suffix(2).reduce(1, *), n = x.shape.dropLast(3).reduce(1, *)
        return normalise(x, n: n, p: p)
    }
}

/// Batch normalisation of features, as PyTorch's `nn.BatchNorm1d` (defaults as `BatchNorm2d`). Multi-step
/// (the default): `[T, B, C]` or `[T, B, C, L]`, time folded into the batch; `multiStep: false`: PyTorch's own
/// `[N, C]` or `[N, C, L]`. Rank 2 is always `[N, C]`.
public final class BatchNorm1d: BatchNormCore {
    public let multiStep: Bool
    public init(_ numFeatures: Int, eps: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true, trackRunningStats: Bool = true, multiStep: Bool = true) {
        self.multiStep = multiStep
        super.init(numFeatures, eps: eps, momentum: momentum, affine: affine, trackRunningStats: trackRunningStats, name: "BatchNorm1d")
    }
    public override func callAsFunction(_ x: Variable) -> Variable {
        let s = x.shape
        let lead = s.count == 2 ? 1 : (multiStep ? 2 : 1)
        precondition(s.count >= 2 && s.count <= lead + 2 && s[lead] == numFeatures,
                     "BatchNorm1d: input \(s) is not \(multiStep ? "[T, B, \(numFeatures)] or [T, B, \(numFeatures), L]" : "[N, \(numFeatures)] or [N, \(numFeatures), L]")")
        let n = s.prefix(lead).reduce(1, *), p = s.dropFirst(lead + 1).reduce(1, *)
        return normalise(x, n: n, p: p)
    }
}

/// Threshold-dependent batch normalisation (tdBN, Zheng et al. 2021, "Going deeper with directly-trained larger
/// spiking neural networks"; SpikingJelly's `layer.ThresholdDependentBatchNorm2d`): over `[T, B, C, H, W]` the
/// statistics of each channel are taken over time, batch and space together, and the normalised input is scaled
/// by `alpha * V_th`: the affine weight starts at `alpha * vThreshold` (bias 0). The normalisation is the child
/// `bn` (a `BatchNorm2d`: keys `bn.weight`, `bn.running_mean`, ... as SpikingJelly's).
public final class ThresholdDependentBatchNorm2d: Module {
    public let alpha: Float, vThreshold: Float
    public let bn: BatchNorm2d
    public init(_ numFeatures: Int, alpha: Float = 1, vThreshold: Float = 1, eps: Float = 1e-5, momentum: Float? = 0.1) {
        ConvOptions.check { if !(alpha > 0 && vThreshold > 0) { throw ParameterError("ThresholdDependentBatchNorm2d: alpha and v_th must be positive, got \(alpha), \(vThreshold)") } }
        self.alpha = alpha; self.vThreshold = vThreshold
        bn = BatchNorm2d(numFeatures, eps: eps, momentum: momentum, affine: true, biasTerm: true, initialWeight: alpha * vThreshold, name: "ThresholdDependentBatchNorm2d")
    }
    public func callAsFunction(_ x: Variable) -> Variable {
        precondition(x.shape.count == 5, "ThresholdDependentBatchNorm2d: input \(x.shape) is not [T, B, C, H, W]")
        return bn(x)
    }
    public var children: [(String, any Module)] { [("bn", bn)] }
}

/// Batch normalisation through time (BNTT, Kim & Panda 2021, "Revisiting batch normalization for training
/// low-latency deep spiking neural networks from scratch"): over `[T, B, C, H, W]`, step t is normalised by its
/// own `BatchNorm2d` (statistics over B, H, W of that step, its own running statistics and weight). As the
/// authors' code: eps 1e-4, momentum 0.1, weight ones and no bias. Children "0" ..< "T" (keys `0.weight`,
/// `0.running_mean`, ...). The input must have exactly `steps` steps.
public final class BatchNormThroughTime2d: Module {
    public let steps: Int
    public let layers: [BatchNorm2d]
    public init(_ numFeatures: Int, steps: Int, eps: Float = 1e-4, momentum: Float? = 0.1, affine: Bool = true, bias: Bool = false) {
        ConvOptions.check { if steps <= 0 { throw ParameterError("BatchNormThroughTime2d: steps must be positive, got \(steps)") } }
        self.steps = steps
        layers = (0..<steps).map { _ in BatchNorm2d(numFeatures, eps: eps, momentum: momentum, affine: affine, biasTerm: bias, initialWeight: 1, name: "BatchNormThroughTime2d") }
    }
    public func callAsFunction(_ x: Variable) -> Variable {
        precondition(x.shape.count == 5 && x.shape[0] == steps, "BatchNormThroughTime2d: input \(x.shape) is not [\(steps), B, C, H, W]")
        let inner = Array(x.shape.dropFirst())
        return Variable.stack((0..<steps).map { t in layers[t](x.slice(t..<(t + 1)).reshaped(inner)) })
    }
    public var children: [(String, any Module)] { layers.enumerated().map { ("\($0.offset)", $0.element) } }
}
