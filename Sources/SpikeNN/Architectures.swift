import SpikeCore
import SpikeNeurons

/// SpikingJelly's `layer.VotingLayer(voting_size)`: the mean of each group of `votingSize` consecutive outputs
/// over the last axis (`[..., n]` -> `[..., n / votingSize]`), e.g. 110 -> 11 classes with a size of 10.
public final class VotingLayer: Module {
    /// Outputs per class.
    public let votingSize: Int
    /// A layer averaging groups of `votingSize` (> 0) outputs.
    public init(_ votingSize: Int = 10) {
        precondition(votingSize > 0, "VotingLayer: votingSize must be > 0, got \(votingSize)")
        self.votingSize = votingSize
    }
    /// `[..., n]` -> `[..., n / votingSize]` (n must be a multiple of `votingSize`).
    public func callAsFunction(_ x: Variable) -> Variable {
        let n = x.shape.last ?? 0
        precondition(n % votingSize == 0, "VotingLayer: last axis \(n) is not a multiple of \(votingSize)")
        let lead = Array(x.shape.dropLast())
        return x.reshaped(lead + [n / votingSize, votingSize]).mean(axis: lead.count + 1)
    }
}

/// SpikingJelly's SEW-ResNet `BasicBlock` (Fang et al. 2021) with its state-dict names: `conv1 bn1 sn1 conv2 bn2
/// sn2`, optional `downsample` (`Sequential(conv1x1, BatchNorm2d)`) and `downsample_sn`; output
/// `connect(out, identity)` as `sew_function(identity, out, cnf)`.
public final class SEWBasicBlock: Module {
    /// First 3x3 convolution (stride `stride`, no bias) and its batch norm.
    public let conv1: Conv2d, bn1: BatchNorm2d
    /// Second 3x3 convolution (no bias) and its batch norm.
    public let conv2: Conv2d, bn2: BatchNorm2d
    /// Spiking neurons after each batch norm.
    public let sn1: any Module, sn2: any Module
    /// The shortcut's 1x1 convolution + batch norm and its neurons, when the block changes the shape.
    public let downsample: Sequential?, downsampleSN: (any Module)?
    /// How the block's spikes and the shortcut combine.
    public let connect: SEWConnect

    /// A block from `inPlanes` to `planes` channels; a shortcut projection is made when `stride` != 1 or the
    /// channel counts differ (as SpikingJelly's `_make_layer`).
    public init(_ inPlanes: Int, _ planes: Int, stride: Int = 1, connect: SEWConnect = .add,
                neuron: () -> any Module, rng: inout SeededRandom) {
        conv1 = Conv2d(inPlanes, planes, kernelSize: 3, stride: stride, padding: .uniform(1), bias: false, rng: &rng)
        bn1 = BatchNorm2d(planes); sn1 = neuron()
        conv2 = Conv2d(planes, planes, kernelSize: 3, padding: .uniform(1), bias: false, rng: &rng)
        bn2 = BatchNorm2d(planes); sn2 = neuron()
        if stride != 1 || inPlanes != planes {
            downsample = Sequential(layers: [Conv2d(inPlanes, planes, kernelSize: 1, stride: stride, bias: false, rng: &rng), BatchNorm2d(planes)])
            downsampleSN = neuron()
        } else {
            downsample = nil; downsampleSN = nil
        }
        self.connect = connect
    }
    /// `[T, B, C, H, W]` -> `[T, B, planes, H/stride, W/stride]`.
    public func callAsFunction(_ x: Variable) -> Variable {
        let out = sn2(bn2(conv2(sn1(bn1(conv1(x))))))
        var identity = x
        if let downsample, let downsampleSN { identity = downsampleSN(downsample(x)) }
        return connect.apply(out, identity: identity)
    }
    /// Children by SpikingJelly's names.
    public var children: [(String, any Module)] {
        var c: [(String, any Module)] = [("conv1", conv1), ("bn1", bn1), ("sn1", sn1), ("conv2", conv2), ("bn2", bn2), ("sn2", sn2)]
        if let downsample, let downsampleSN { c += [("downsample", downsample), ("downsample_sn", downsampleSN)] }
        return c
    }
}

/// A module whose children have given names (PyTorch's attribute names), applied in order.
public final class NamedSequential: Module {
    /// The named layers in order.
    public let named: [(String, any Module)]
    /// Layers applied in the order given, named as given (names must be unique).
    public init(_ named: [(String, any Module)]) { self.named = named }
    /// Applies the layers in order.
    public func callAsFunction(_ x: Variable) -> Variable { named.reduce(x) { $1.1($0) } }
    /// The layers by name.
    public var children: [(String, any Module)] { named }
}

/// Reference spiking architectures with PyTorch / SpikingJelly / snnTorch parameter names, so that a state dict
/// moves between SpikeKit and the reference model unchanged. Inputs are multi-step `[T, B, C, H, W]` (or
/// `[T, B, 700]` for `shdRNN`); outputs `[T, B, classes]`.
///
/// `neuron` makes each spiking layer (called once per layer, so per-layer learnable parameters stay separate);
/// by default a LIF (tau 2, threshold 1, hard reset to 0), SpikingJelly's `LIFNode` defaults.
public enum Architectures {
    /// The default neuron factory: `SpikingLayer(LIF())`.
    public static func defaultNeuron() -> any Module { SpikingLayer(LIF()) }

    /// snnTorch tutorial 7's convolutional SNN for N-MNIST (34x34, 2 polarities), as
    /// ../shared/bench/peers/conv_train_step.py builds it:
    ///
    ///     0 Conv2d(2, 12, 5)  1 MaxPool2d(2)  2 LIF  3 Conv2d(12, 32, 5)  4 MaxPool2d(2)  5 LIF
    ///     6 Flatten  7 Linear(32*5*5, 10)  8 LIF
    ///
    /// Keys `0.weight 0.bias 3.weight 3.bias 7.weight 7.bias`; snnTorch's `Leaky` adds four buffers per neuron layer
    /// (`2.threshold`, `2.beta`, ...) that SpikeKit's LIF does not hold (load into snnTorch with `strict=False`).
    /// `[T, B, 2, 34, 34]` -> `[T, B, classes]`.
    public static func csnn(inChannels: Int = 2, classes: Int = 10, neuron: () -> any Module = defaultNeuron,
                            rng: inout SeededRandom) -> Sequential {
        Sequential(layers: [
            Conv2d(inChannels, 12, kernelSize: 5, rng: &rng), MaxPool2d(2), neuron(),
            Conv2d(12, 32, kernelSize: 5, rng: &rng), MaxPool2d(2), neuron(),
            Flatten(), Linear(32 * 5 * 5, classes, rng: &rng), neuron(),
        ])
    }

    /// SpikingJelly's DVS128 Gesture network (Fang et al. 2021, "Incorporating learnable membrane time constant",
    /// `spikingjelly.activation_based.model.parametric_lif_net.DVSGestureNet`), for 128x128 input, one child
    /// `conv_fc` holding:
    ///
    ///     5 x { Conv2d(c, channels, 3, padding 1, bias false)  BatchNorm2d(channels)  neuron  MaxPool2d(2, 2) }
    ///     Flatten  Dropout(0.5)  Linear(channels*4*4, 512)  neuron  Dropout(0.5)  Linear(512, 110)  neuron
    ///     VotingLayer(10)
    ///
    /// so `[T, B, 2, 128, 128]` -> `[T, B, 11]` (110 outputs averaged in groups of 10: the 11 gesture classes).
    /// Keys `conv_fc.0.weight`, `conv_fc.1.{weight,bias,running_mean,running_var,num_batches_tracked}`, ...,
    /// `conv_fc.22.weight/bias`, `conv_fc.25.weight/bias` (plus `conv_fc.N.w` with a PLIF neuron learning `w`).
    /// `imageSize` (a multiple of 32) sets the input side: Linear gets `channels * (imageSize/32)^2` inputs.
    public static func dvsgesture(channels: Int = 128, imageSize: Int = 128, dropoutSeed: UInt64 = 0,
                                  neuron: () -> any Module = defaultNeuron, rng: inout SeededRandom) -> NamedSequential {
        precondition(channels > 0 && imageSize >= 32 && imageSize % 32 == 0, "dvsgesture: channels > 0 and imageSize a multiple of 32")
        var layers: [any Module] = []
        var c = 2
        for _ in 0..<5 {
            layers += [Conv2d(c, channels, kernelSize: 3, padding: .uniform(1), bias: false, rng: &rng), BatchNorm2d(channels),
                       neuron(), MaxPool2d(2, stride: 2)]
            c = channels
        }
        let side = imageSize / 32
        layers += [Flatten(), Dropout(p: 0.5, seed: dropoutSeed), Linear(channels * side * side, 512, rng: &rng), neuron(),
                   Dropout(p: 0.5, seed: dropoutSeed &+ 1), Linear(512, 110, rng: &rng), neuron(), VotingLayer(10)]
        return NamedSequential([("conv_fc", Sequential(layers: layers))])
    }

    /// The recurrent SHD network of Cramer et al. 2020 (IEEE TNNLS, "The Heidelberg spiking data sets") and
    /// Zenke & Vogels 2021 (Neural Computation, SpyTorch's SHD tutorial): 700 input channels -> one recurrent
    /// LIF hidden layer -> a non-spiking leaky-integrator readout of 20 classes, no biases:
    ///
    ///     0 Linear(700, hidden, bias false)  1 RecurrentSpikingLayer(LIF, hidden)  2 Linear(hidden, 20, bias false)
    ///     3 LI (readout membrane)
    ///
    /// Keys `0.weight [hidden, 700]`, `1.recurrent.weight [hidden, hidden]`, `2.weight [20, hidden]`. `hidden`
    /// defaults to 256 (an option: the papers and SpyTorch's tutorial use other sizes too, so set it to the one
    /// being replicated). The neurons are SpikeKit's discrete LIF (`LIF(tau:)`, time constants in steps), not the
    /// papers' current-based LIF with a separate synaptic trace; the readout is `LI(tau: readoutTau)`.
    /// `[T, B, 700]` -> `[T, B, 20]`.
    public static func shdRNN(inputs: Int = 700, hidden: Int = 256, classes: Int = 20, tau: Float = 10,
                              readoutTau: Float = 20, rng: inout SeededRandom) -> Sequential {
        Sequential(layers: [
            Linear(inputs, hidden, bias: false, rng: &rng),
            RecurrentSpikingLayer(LIF(tau: tau), neurons: hidden, rng: &rng),
            Linear(hidden, classes, bias: false, rng: &rng),
            SpikingLayer(LI(tau: readoutTau)),
        ])
    }

    /// SpikingJelly's spiking VGG-11 (`spiking_vgg11` / `spiking_vgg11_bn`, after torchvision's VGG-11 "A"
    /// configuration 64 M 128 M 256 256 M 512 512 M 512 512 M): children `features` (per configuration entry
    /// Conv2d(c, v, 3, padding 1) [BatchNorm2d(v)] neuron, or MaxPool2d(2, 2)), `avgpool`
    /// (AdaptiveAvgPool2d(poolSize)), `classifier` (0 Linear(512*poolSize^2, hidden) 1 neuron 2 Dropout
    /// 3 Linear(hidden, hidden) 4 neuron 5 Dropout 6 Linear(hidden, classes)); the flatten between them as
    /// SpikingJelly's `torch.flatten(x, 2)`. Defaults are the reference's (3 channels, 1000 classes, pool 7,
    /// hidden 4096: 132.9 M parameters); smaller `hidden`/`poolSize` keep the same keys.
    public static func vgg11(inChannels: Int = 3, classes: Int = 1000, batchNorm: Bool = false, poolSize: Int = 7,
                             hidden: Int = 4096, dropoutSeed: UInt64 = 0, neuron: () -> any Module = defaultNeuron,
                             rng: inout SeededRandom) -> NamedSequential {
        let cfg = [64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0]
        var features: [any Module] = []
        var c = inChannels
        for v in cfg {
            if v == 0 { features.append(MaxPool2d(2, stride: 2)); continue }
            features.append(Conv2d(c, v, kernelSize: 3, padding: .uniform(1), rng: &rng))
            if batchNorm { features.append(BatchNorm2d(v)) }
            features.append(neuron())
            c = v
        }
        let classifier = Sequential(layers: [
            Linear(512 * poolSize * poolSize, hidden, rng: &rng), neuron(), Dropout(p: 0.5, seed: dropoutSeed),
            Linear(hidden, hidden, rng: &rng), neuron(), Dropout(p: 0.5, seed: dropoutSeed &+ 1),
            Linear(hidden, classes, rng: &rng),
        ])
        return NamedSequential([("features", Sequential(layers: features)), ("avgpool", AdaptiveAvgPool2d(poolSize)),
                                ("flatten", Flatten()), ("classifier", classifier)])
    }

    /// SpikingJelly's SEW-ResNet-18 (Fang et al. 2021, "Deep residual learning in spiking neural networks",
    /// `sew_resnet.sew_resnet18(cnf=...)`): `conv1` Conv2d(inChannels, 64, 7, stride 2, padding 3, no bias),
    /// `bn1`, `sn1`, `maxpool` MaxPool2d(3, 2, padding 1), `layer1`..`layer4` of two `SEWBasicBlock`s each
    /// (64, 128, 256, 512 planes; stride 2 from layer2 on), `avgpool` AdaptiveAvgPool2d(1), flatten, `fc`
    /// Linear(512, classes). ADD connect by default. 11.69 M parameters at 1000 classes.
    public static func sewResnet18(inChannels: Int = 3, classes: Int = 1000, connect: SEWConnect = .add,
                                   neuron: () -> any Module = defaultNeuron, rng: inout SeededRandom) -> NamedSequential {
        var named: [(String, any Module)] = [
            ("conv1", Conv2d(inChannels, 64, kernelSize: 7, stride: 2, padding: .uniform(3), bias: false, rng: &rng)),
            ("bn1", BatchNorm2d(64)), ("sn1", neuron()), ("maxpool", MaxPool2d(3, stride: 2, padding: 1)),
        ]
        var inPlanes = 64
        for (i, planes) in [64, 128, 256, 512].enumerated() {
            let stride = i == 0 ? 1 : 2
            let b0 = SEWBasicBlock(inPlanes, planes, stride: stride, connect: connect, neuron: neuron, rng: &rng)
            let b1 = SEWBasicBlock(planes, planes, connect: connect, neuron: neuron, rng: &rng)
            named.append(("layer\(i + 1)", Sequential(layers: [b0, b1])))
            inPlanes = planes
        }
        named += [("avgpool", AdaptiveAvgPool2d(1)), ("flatten", Flatten()), ("fc", Linear(512, classes, rng: &rng))]
        return NamedSequential(named)
    }
}
