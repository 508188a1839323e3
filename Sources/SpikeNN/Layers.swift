import Foundation
import SpikeCore
import SpikeNeurons

/// Fully connected layer `y = x W^T + b` over the last axis (any leading axes, e.g. `[T, B, in]`).
///
/// `weight` is `[out, in]` and `bias` `[out]`, initialised as PyTorch's `nn.Linear`: both uniform in
/// `[-1/sqrt(in), 1/sqrt(in)]` (Kaiming-uniform with a = sqrt(5)).
public final class Linear: Module {
    /// `[out, in]`.
    public let weight: Variable
    /// `[out]`, or nil without bias.
    public let bias: Variable?
    public let inFeatures: Int, outFeatures: Int

    /// A layer from `inFeatures` to `outFeatures`, initialised from `rng`.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, rng: inout SeededRandom) {
        precondition(inFeatures > 0 && outFeatures > 0, "Linear: sizes must be positive, got \(inFeatures) -> \(outFeatures)")
        self.inFeatures = inFeatures; self.outFeatures = outFeatures
        let bound = 1 / Float(inFeatures).squareRoot()
        weight = Variable(.uniform([outFeatures, inFeatures], low: -bound, high: bound, rng: &rng), requiresGrad: true)
        self.bias = bias ? Variable(.uniform([outFeatures], low: -bound, high: bound, rng: &rng), requiresGrad: true) : nil
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        let lead = Array(x.shape.dropLast())
        precondition(x.shape.last == inFeatures, "Linear: input \(x.shape) does not end in \(inFeatures)")
        let flat = x.reshaped([lead.reduce(1, *), inFeatures])
        var y = Variable.matmul(flat, weight, transposeB: true)
        if let bias { y = y + bias }
        return y.reshaped(lead + [outFeatures])
    }

    public var ownParameters: [(String, Variable)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// W^T in the column panels the fused inference reads, with the weight version it was made from.
    private var panelCache: (version: Int, panels: WeightPanels)?
    private let panelLock = NSLock()

    /// The weight transposed into column panels (`WeightPanels`), made once per weight version and kept
    /// (a second copy of the weight) so that repeated inference does not transpose again; any change of
    /// `weight.value` makes a new one.
    public func weightPanels() -> WeightPanels {
        panelLock.lock(); defer { panelLock.unlock() }
        if let c = panelCache, c.version == weight.version { return c.panels }
        let panels = WeightPanels(weight.value)
        panelCache = (weight.version, panels)
        return panels
    }
}

/// Flattens axes from `startAxis` on: `[T, B, C, H, W]` -> `[T, B, C*H*W]` with the default 2 (multi-step).
public final class Flatten: Module {
    public let startAxis: Int
    public init(startAxis: Int = 2) { self.startAxis = startAxis }
    public func callAsFunction(_ x: Variable) -> Variable {
        guard x.shape.count > startAxis else { return x }
        return x.reshaped(Array(x.shape[..<startAxis]) + [x.shape[startAxis...].reduce(1, *)])
    }
}

/// Dropout for multi-step inputs `[T, B, ...]`: one mask per sample drawn once and shared by every time
/// step (SpikingJelly's `layer.Dropout`), kept elements scaled by 1/(1-p). Identity when not training.
/// A module that draws random numbers in training (Dropout, Dropout2d). Its generator's state is saved with a
/// run between epochs (`TrainingState.randomStates`), so a resumed run draws the masks the uninterrupted run
/// would have drawn.
public protocol RandomStateModule: Module {
    /// The generator's state (`SeededRandom.state`); setting a value that is not a valid state is ignored.
    var randomState: [UInt64] { get set }
}

public final class Dropout: Module, RandomStateModule {
    /// The mask generator's state.
    public var randomState: [UInt64] {
        get { rng.state }
        set { if let r = SeededRandom(state: newValue) { rng = r } }
    }

    /// Probability of dropping an element.
    public let p: Float
    public private(set) var training = true
    var rng: SeededRandom

    public init(p: Float = 0.5, seed: UInt64 = 0) {
        precondition(p >= 0 && p < 1, "Dropout: p must be in [0, 1), got \(p)")
        self.p = p; rng = SeededRandom(seed: seed)
    }

    public func setTraining(_ training: Bool) { self.training = training }

    public func callAsFunction(_ x: Variable) -> Variable {
        guard training, p > 0, x.shape.count >= 2 else { return x }
        let maskShape = [1] + Array(x.shape.dropFirst())
        let keep = 1 - p
        let mask = Tensor.bernoulli(maskShape, p: keep, rng: &rng) / keep
        return x * Variable(mask)
    }
}
