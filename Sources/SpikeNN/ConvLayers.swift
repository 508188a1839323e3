import SpikeCore
import SpikeNeurons

/// Padding of a convolution, as PyTorch's `padding` argument.
public enum ConvPadding: Equatable, Sendable {
    /// The same zero padding on both sides of each spatial axis (height, width; Conv1d uses the width).
    case explicit(Int, Int)
    /// Output of the input's size (stride 1 only): total padding `dilation * (kernel - 1)` per axis, the
    /// smaller half before (PyTorch's "same", which pads the extra element after for even kernels).
    case same
    /// No padding (PyTorch's "valid", the default 0).
    case valid

    /// `.explicit(p, p)`.
    public static func uniform(_ p: Int) -> ConvPadding { .explicit(p, p) }
}

/// Stateless layers over multi-step input: the leading axes before the last `spatial + 1` (channels and
/// spatial axes) are folded into one batch axis and restored afterwards (SpikingJelly's `SeqToANNContainer`):
/// `[T, B, C, H, W]` runs as `[T*B, C, H, W]`, and `[N, C, H, W]` as itself.
@usableFromInline func foldLeading(_ x: Variable, trailing: Int, _ what: String) -> (lead: [Int], folded: Variable) {
    precondition(x.shape.count >= trailing + 1,
                 "\(what): input \(x.shape) needs at least \(trailing + 1) axes ([N, C, ...] or [T, B, C, ...])")
    let lead = Array(x.shape.dropLast(trailing))
    if lead.count == 1 { return (lead, x) }
    return (lead, x.reshaped([lead.reduce(1, *)] + Array(x.shape.suffix(trailing))))
}

@usableFromInline func unfoldLeading(_ y: Variable, lead: [Int]) -> Variable {
    if lead.count == 1 { return y }
    return y.reshaped(lead + Array(y.shape.dropFirst()))
}

/// Checks the options of a convolution given from outside (model files, CLI); the layers' initialisers trap
/// with the same one-line message on values that fail it.
public enum ConvOptions {
    /// Throws a one-line `ParameterError` for channel counts, kernel, stride, dilation, groups or padding that
    /// do not form a convolution.
    public static func validate(_ name: String, inChannels: Int, outChannels: Int, kernel: [Int], stride: [Int], dilation: [Int],
                                padding: ConvPadding, groups: Int) throws {
        guard inChannels > 0, outChannels > 0 else { throw ParameterError("\(name): channels must be positive, got \(inChannels) -> \(outChannels)") }
        guard kernel.allSatisfy({ $0 > 0 }) else { throw ParameterError("\(name): kernel size must be positive, got \(kernel)") }
        guard stride.allSatisfy({ $0 > 0 }) else { throw ParameterError("\(name): stride must be positive, got \(stride)") }
        guard dilation.allSatisfy({ $0 > 0 }) else { throw ParameterError("\(name): dilation must be positive, got \(dilation)") }
        guard groups > 0, inChannels % groups == 0, outChannels % groups == 0 else {
            throw ParameterError("\(name): groups \(groups) must divide the channels \(inChannels) and \(outChannels)")
        }
        if case .explicit(let a, let b) = padding, a < 0 || b < 0 { throw ParameterError("\(name): padding must be non-negative, got (\(a), \(b))") }
        if padding == .same && stride.contains(where: { $0 != 1 }) { throw ParameterError("\(name): padding 'same' needs stride 1, got \(stride)") }
    }

    static func check(_ body: () throws -> Void) {
        do { try body() } catch { preconditionFailure("\(error)") }
    }

    /// (before, after) padding of one axis.
    static func pads(_ padding: ConvPadding, axis: Int, kernel: Int, dilation: Int) -> (Int, Int) {
        switch padding {
        case .valid: return (0, 0)
        case .explicit(let h, let w): let p = axis == 0 ? h : w; return (p, p)
        case .same: let total = dilation * (kernel - 1); return (total / 2, total - total / 2)
        }
    }
}

/// 2-D convolution over `[T, B, C, H, W]` (time folded into the batch) or `[N, C, H, W]`, as PyTorch's
/// `nn.Conv2d`: `y[n, o] = b[o] + sum_{c in group(o), ky, kx} W[o, c, ky, kx] x[n, c, oy*s - p + ky*d, ox*s - p + kx*d]`.
///
/// Parameters `weight` `[Co, Ci/groups, kH, kW]` and `bias` `[Co]`, both initialised uniform in
/// `[-1/sqrt(fan_in), 1/sqrt(fan_in)]`, fan_in = Ci/groups * kH * kW (PyTorch's default). Defaults: stride 1,
/// padding `.valid` (0), dilation 1, groups 1, bias. On spikes the product is spike-driven (`Conv2D`): each active
/// input adds its kernel slice to the outputs it reaches, and the weight gradient accumulates only there.
public final class Conv2d: Module {
    public let weight: Variable
    public let bias: Variable?
    public let inChannels: Int, outChannels: Int
    public let kernelSize: (Int, Int), stride: (Int, Int), dilation: (Int, Int)
    public let padding: ConvPadding
    public let groups: Int

    /// A convolution from `inChannels` to `outChannels` with a `kernelSize` kernel (height, width), initialised from `rng`.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1), padding: ConvPadding = .valid,
                dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true, rng: inout SeededRandom) {
        ConvOptions.check {
            try ConvOptions.validate("Conv2d", inChannels: inChannels, outChannels: outChannels, kernel: [kernelSize.0, kernelSize.1],
                                     stride: [stride.0, stride.1], dilation: [dilation.0, dilation.1], padding: padding, groups: groups)
        }
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernelSize = kernelSize; self.stride = stride; self.dilation = dilation; self.padding = padding; self.groups = groups
        let fanIn = inChannels / groups * kernelSize.0 * kernelSize.1
        let bound = 1 / Float(fanIn).squareRoot()
        weight = Variable(.uniform([outChannels, inChannels / groups, kernelSize.0, kernelSize.1], low: -bound, high: bound, rng: &rng), requiresGrad: true)
        self.bias = bias ? Variable(.uniform([outChannels], low: -bound, high: bound, rng: &rng), requiresGrad: true) : nil
    }

    /// A square kernel, stride and dilation.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: ConvPadding = .valid,
                            dilation: Int = 1, groups: Int = 1, bias: Bool = true, rng: inout SeededRandom) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride), padding: padding,
                  dilation: (dilation, dilation), groups: groups, bias: bias, rng: &rng)
    }

    /// The geometry for an input of `height` x `width`.
    public func geometry(height: Int, width: Int) -> ConvGeometry {
        let (pt, pb) = ConvOptions.pads(padding, axis: 0, kernel: kernelSize.0, dilation: dilation.0)
        let (pl, pr) = ConvOptions.pads(padding, axis: 1, kernel: kernelSize.1, dilation: dilation.1)
        return ConvGeometry(inChannels: inChannels, height: height, width: width, outChannels: outChannels, kernel: kernelSize,
                            stride: stride, padding: (pt, pb, pl, pr), dilation: dilation, groups: groups)
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        let (lead, xf) = foldLeading(x, trailing: 3, "Conv2d")
        precondition(xf.shape[1] == inChannels, "Conv2d: input \(x.shape) has \(xf.shape[1]) channels, the layer \(inChannels)")
        let g = geometry(height: xf.shape[2], width: xf.shape[3])
        return unfoldLeading(Variable.conv2d(xf, weight: weight, bias: bias, geometry: g), lead: lead)
    }

    public var ownParameters: [(String, Variable)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }
}

/// 1-D convolution over `[T, B, C, L]` or `[N, C, L]`, as PyTorch's `nn.Conv1d` (weight `[Co, Ci/groups, k]`,
/// bias `[Co]`, the same initialisation and defaults as `Conv2d`); runs as a `Conv2d` of height 1.
public final class Conv1d: Module {
    public let weight: Variable
    public let bias: Variable?
    public let inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int, dilation: Int, groups: Int
    public let padding: ConvPadding

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: ConvPadding = .valid,
                dilation: Int = 1, groups: Int = 1, bias: Bool = true, rng: inout SeededRandom) {
        ConvOptions.check {
            try ConvOptions.validate("Conv1d", inChannels: inChannels, outChannels: outChannels, kernel: [kernelSize], stride: [stride],
                                     dilation: [dilation], padding: padding, groups: groups)
        }
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernelSize = kernelSize
        self.stride = stride; self.dilation = dilation; self.groups = groups; self.padding = padding
        let bound = 1 / Float(inChannels / groups * kernelSize).squareRoot()
        weight = Variable(.uniform([outChannels, inChannels / groups, kernelSize], low: -bound, high: bound, rng: &rng), requiresGrad: true)
        self.bias = bias ? Variable(.uniform([outChannels], low: -bound, high: bound, rng: &rng), requiresGrad: true) : nil
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        let (lead, xf) = foldLeading(x, trailing: 2, "Conv1d")
        precondition(xf.shape[1] == inChannels, "Conv1d: input \(x.shape) has \(xf.shape[1]) channels, the layer \(inChannels)")
        let (n, l) = (xf.shape[0], xf.shape[2])
        let (pl, pr) = ConvOptions.pads(padding, axis: 1, kernel: kernelSize, dilation: dilation)
        let g = ConvGeometry(inChannels: inChannels, height: 1, width: l, outChannels: outChannels, kernel: (1, kernelSize),
                             stride: (1, stride), padding: (0, 0, pl, pr), dilation: (1, dilation), groups: groups)
        let w4 = weight.reshaped([outChannels, inChannels / groups, 1, kernelSize])
        let y = Variable.conv2d(xf.reshaped([n, inChannels, 1, l]), weight: w4, bias: bias, geometry: g)
        return unfoldLeading(y.reshaped([n, outChannels, g.outWidth]), lead: lead)
    }

    public var ownParameters: [(String, Variable)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }
}

/// 2-D transposed convolution over `[T, B, C, H, W]` or `[N, C, H, W]`, as PyTorch's `nn.ConvTranspose2d`: the
/// adjoint of a `Conv2d` from `outChannels` to `inChannels` (each input element scatters its weights into
/// the output), output size `(H - 1) * stride - 2 * padding + dilation * (k - 1) + outputPadding + 1`.
///
/// Parameters `weight` `[Ci, Co/groups, kH, kW]` and `bias` `[Co]`, uniform in `±1/sqrt(Co/groups * kH * kW)`
/// (PyTorch's default). `outputPadding` must be smaller than the stride (PyTorch also allows it below the dilation).
public final class ConvTranspose2d: Module {
    public let weight: Variable
    public let bias: Variable?
    public let inChannels: Int, outChannels: Int
    public let kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int), outputPadding: (Int, Int), dilation: (Int, Int)
    public let groups: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                outputPadding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true, rng: inout SeededRandom) {
        ConvOptions.check {
            try ConvOptions.validate("ConvTranspose2d", inChannels: inChannels, outChannels: outChannels, kernel: [kernelSize.0, kernelSize.1],
                                     stride: [stride.0, stride.1], dilation: [dilation.0, dilation.1], padding: .explicit(padding.0, padding.1), groups: groups)
            for (op, s) in [(outputPadding.0, stride.0), (outputPadding.1, stride.1)] where op < 0 || op >= s {
                throw ParameterError("ConvTranspose2d: output padding \(outputPadding) must be non-negative and smaller than the stride \(stride)")
            }
        }
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernelSize = kernelSize; self.stride = stride
        self.padding = padding; self.outputPadding = outputPadding; self.dilation = dilation; self.groups = groups
        let bound = 1 / Float(outChannels / groups * kernelSize.0 * kernelSize.1).squareRoot()
        weight = Variable(.uniform([inChannels, outChannels / groups, kernelSize.0, kernelSize.1], low: -bound, high: bound, rng: &rng), requiresGrad: true)
        self.bias = bias ? Variable(.uniform([outChannels], low: -bound, high: bound, rng: &rng), requiresGrad: true) : nil
    }

    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0,
                            dilation: Int = 1, groups: Int = 1, bias: Bool = true, rng: inout SeededRandom) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride), padding: (padding, padding),
                  outputPadding: (outputPadding, outputPadding), dilation: (dilation, dilation), groups: groups, bias: bias, rng: &rng)
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        let (lead, xf) = foldLeading(x, trailing: 3, "ConvTranspose2d")
        precondition(xf.shape[1] == inChannels, "ConvTranspose2d: input \(x.shape) has \(xf.shape[1]) channels, the layer \(inChannels)")
        let (h, w) = (xf.shape[2], xf.shape[3])
        let ho = (h - 1) * stride.0 - 2 * padding.0 + dilation.0 * (kernelSize.0 - 1) + outputPadding.0 + 1
        let wo = (w - 1) * stride.1 - 2 * padding.1 + dilation.1 * (kernelSize.1 - 1) + outputPadding.1 + 1
        precondition(ho > 0 && wo > 0, "ConvTranspose2d: input \(x.shape) gives an empty output \(ho)x\(wo)")
        // The convolution this layer is the adjoint of: from [outChannels, ho, wo] to [inChannels, h, w] (the
        // output padding, smaller than the stride, adds rows and columns that no window of stride s reaches past).
        let g = ConvGeometry(inChannels: outChannels, height: ho, width: wo, outChannels: inChannels, kernel: kernelSize, stride: stride,
                             padding: (padding.0, padding.0, padding.1, padding.1),
                             dilation: dilation, groups: groups)
        precondition(g.outHeight == h && g.outWidth == w, "ConvTranspose2d: internal geometry \(g.outHeight)x\(g.outWidth) for input \(h)x\(w)")
        return unfoldLeading(Variable.convTranspose2d(xf, weight: weight, bias: bias, geometry: g), lead: lead)
    }

    public var ownParameters: [(String, Variable)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }
}
