import SpikeCore
import SpikeNeurons

/// Channel dropout for `[T, B, C, H, W]` (one mask per sample and channel, shared by every time step, as
/// SpikingJelly's `layer.Dropout2d` in multi-step mode) or `[N, C, H, W]` (PyTorch's `nn.Dropout2d`): whole
/// channels are zeroed with probability `p`, the kept ones scaled by 1/(1-p). Identity when not training.
public final class Dropout2d: Module, RandomStateModule {
    /// The mask generator's state.
    public var randomState: [UInt64] {
        get { rng.state }
        set { if let r = SeededRandom(state: newValue) { rng = r } }
    }

    /// Probability of dropping a channel.
    public let p: Float
    /// Training mode (batch statistics, dropping); `setTraining` switches it.
    public private(set) var training = true
    var rng: SeededRandom

    /// Drops channels with probability `p`; masks drawn from `seed`.
    public init(p: Float = 0.5, seed: UInt64 = 0) {
        ConvOptions.check { if !(p >= 0 && p < 1) { throw ParameterError("Dropout2d: p must be in [0, 1), got \(p)") } }
        self.p = p; rng = SeededRandom(seed: seed)
    }
    /// Training (true) or evaluation (false) behaviour.
    public func setTraining(_ training: Bool) { self.training = training }

    /// Applies the layer (see the type's summary for shapes and equations).
    public func callAsFunction(_ x: Variable) -> Variable {
        let s = x.shape
        precondition(s.count == 4 || s.count == 5, "Dropout2d: input \(s) is not [N, C, H, W] or [T, B, C, H, W]")
        guard training, p > 0 else { return x }
        let maskShape = s.count == 5 ? [1, s[1], s[2], 1, 1] : [s[0], s[1], 1, 1]
        let keep = 1 - p
        return x * Variable(Tensor.bernoulli(maskShape, p: keep, rng: &rng) / keep)
    }
}

/// Nearest-neighbour upsampling of the last two axes (`[T, B, C, H, W]`, `[N, C, H, W]`), as PyTorch's
/// `nn.Upsample(mode="nearest")`: output (i, j) copies input (floor(i * H / Ho), floor(j * W / Wo)) (with an
/// integer `scaleFactor`, input (i / s, j / s)). VJP: each input gathers the gradients of its copies.
public final class Upsample: Module {
    /// Integer factors (height, width), or a fixed output size (the other is nil).
    public let scaleFactor: (Int, Int)?, size: (Int, Int)?

    /// Upsampling by integer factors (height, width).
    public init(scaleFactor: (Int, Int)) {
        ConvOptions.check { if scaleFactor.0 <= 0 || scaleFactor.1 <= 0 { throw ParameterError("Upsample: scale factor must be positive, got \(scaleFactor)") } }
        self.scaleFactor = scaleFactor; size = nil
    }
    /// Upsampling by an integer factor on both axes.
    public convenience init(scaleFactor: Int) { self.init(scaleFactor: (scaleFactor, scaleFactor)) }
    /// Upsampling (or downsampling) to a fixed `size` (height, width).
    public init(size: (Int, Int)) {
        ConvOptions.check { if size.0 <= 0 || size.1 <= 0 { throw ParameterError("Upsample: size must be positive, got \(size)") } }
        self.size = size; scaleFactor = nil
    }

    /// Applies the layer (see the type's summary for shapes and equations).
    public func callAsFunction(_ x: Variable) -> Variable {
        let s = x.shape
        precondition(s.count >= 3, "Upsample: input \(s) needs at least 3 axes")
        let (h, w) = (s[s.count - 2], s[s.count - 1]), planes = s.dropLast(2).reduce(1, *)
        let (ho, wo) = size ?? (h * scaleFactor!.0, w * scaleFactor!.1)
        // PyTorch's nearest source index: floor(dst * in / out) (dst / factor with an integer factor), clamped.
        func sources(_ n: Int, _ o: Int, _ f: Int?) -> [Int] {
            (0..<o).map { i in f.map { i / $0 } ?? Swift.min(Int(Float(i) * (Float(n) / Float(o))), n - 1) }
        }
        let rows = sources(h, ho, scaleFactor?.0), cols = sources(w, wo, scaleFactor?.1)
        let xs = x.value.scalars
        var y = [Float](repeating: 0, count: planes * ho * wo)
        for p in 0..<planes { for i in 0..<ho { for j in 0..<wo { y[(p * ho + i) * wo + j] = xs[(p * h + rows[i]) * w + cols[j]] } } }
        return Variable.record(Tensor(shape: Array(s.dropLast(2)) + [ho, wo], scalars: y), parents: [x]) { g in
            var gx = [Float](repeating: 0, count: planes * h * w)
            for p in 0..<planes { for i in 0..<ho { for j in 0..<wo { gx[(p * h + rows[i]) * w + cols[j]] += g.scalars[(p * ho + i) * wo + j] } } }
            return [Tensor(shape: s, scalars: gx)]
        }
    }
}

/// The connect functions of spike-element-wise residual blocks (SEW-ResNet, Fang et al. 2021; SpikingJelly's
/// `sew_function(identity, out, cnf)`), g(A, S) of the block's spikes A and the shortcut's S.
public enum SEWConnect: String, Sendable, CaseIterable {
    /// A + S.
    case add = "ADD"
    /// A * S (A AND S on spikes).
    case and = "AND"
    /// S * (1 - A) ((NOT A) AND S on spikes, SpikingJelly's IAND: `identity * (1 - out)`).
    case iand = "IAND"

    /// g(out, identity) with the element-wise VJPs of the formulas above (shapes must match).
    public func apply(_ out: Variable, identity: Variable) -> Variable {
        precondition(out.shape == identity.shape, "SEWConnect.\(self): block output \(out.shape) and shortcut \(identity.shape) differ")
        switch self {
        case .add: return out + identity
        case .and: return out * identity
        case .iand: return identity * (1 - out)
        }
    }

    /// Parses "ADD", "AND" or "IAND" (any case), with a one-line error otherwise.
    public init(parsing s: String) throws {
        guard let c = SEWConnect(rawValue: s.uppercased()) else { throw ParameterError("SEW connect function must be ADD, AND or IAND, got '\(s)'") }
        self = c
    }
}

extension Variable {
    /// c - a for a constant c.
    static func - (c: Float, a: Variable) -> Variable { -a + c }
}

/// A spike-element-wise residual block (SEW-ResNet, Fang et al. 2021): `g(residual(x), downsample(x) or x)` with
/// `connect` one of `SEWConnect` (ADD by default). `residual` is the block's body ending in spiking neurons (e.g.
/// conv-BN-LIF-conv-BN-LIF); `downsample` (conv-BN-LIF in SpikingJelly's SEW-ResNet) matches the shortcut's
/// shape when the body changes it. Children `residual` and `downsample`.
public final class SEWResidual: Module {
    /// The block's body and the optional shortcut module.
    public let residual: any Module, downsample: (any Module)?
    /// How the body's spikes and the shortcut combine.
    public let connect: SEWConnect
    /// A block of `residual` (the body) and `downsample` (nil: the identity shortcut).
    public init(_ residual: any Module, downsample: (any Module)? = nil, connect: SEWConnect = .add) {
        self.residual = residual; self.downsample = downsample; self.connect = connect
    }
    /// Applies the layer (see the type's summary for shapes and equations).
    public func callAsFunction(_ x: Variable) -> Variable {
        connect.apply(residual(x), identity: downsample.map { $0(x) } ?? x)
    }
    /// Child modules by PyTorch's names.
    public var children: [(String, any Module)] { [("residual", residual)] + (downsample.map { [("downsample", $0)] } ?? []) }
}
