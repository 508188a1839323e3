import SpikeCore

/// A layer or network: a differentiable function of a `Variable` with named parameters.
///
/// Multi-step modules take and return `[T, B, ...]` tensors (time first). Parameters are leaf `Variable`s
/// with `requiresGrad`, named as in PyTorch's `state_dict` (`weight`, `0.weight`, `fc1.bias`), so
/// checkpoints map onto PyTorch keys.
public protocol Module: AnyObject {
    /// Applies the module.
    func callAsFunction(_ x: Variable) -> Variable
    /// This module's own parameters (not its children's), by local name.
    var ownParameters: [(String, Variable)] { get }
    /// Child modules by local name.
    var children: [(String, any Module)] { get }
    /// This module's own buffers (state that is saved but not trained, as PyTorch's `register_buffer`:
    /// BatchNorm's `running_mean`, `running_var`, `num_batches_tracked`), by local name.
    var ownBuffers: [(String, Variable)] { get }
    /// Switches training behaviour (dropout) on or off, here and in children.
    func setTraining(_ training: Bool)
}

extension Module {
    public var ownParameters: [(String, Variable)] { [] }
    public var children: [(String, any Module)] { [] }
    public var ownBuffers: [(String, Variable)] { [] }
    public func setTraining(_ training: Bool) { for (_, c) in children { c.setTraining(training) } }

    /// Every parameter of this module and its descendants, named by dotted path (`0.weight`).
    public var namedParameters: [(String, Variable)] {
        var out = ownParameters
        for (name, child) in children {
            out += child.namedParameters.map { ("\(name).\($0.0)", $0.1) }
        }
        return out
    }

    /// Every buffer of this module and its descendants, named by dotted path (`1.running_mean`).
    public var namedBuffers: [(String, Variable)] {
        var out = ownBuffers
        for (name, child) in children {
            out += child.namedBuffers.map { ("\(name).\($0.0)", $0.1) }
        }
        return out
    }

    /// Parameters and buffers in the order of PyTorch's `state_dict()`: each module's own parameters, then its
    /// own buffers, then its children's entries in turn (the same keys, so weights move to and from PyTorch).
    public var stateDict: [(String, Variable)] {
        var out = ownParameters + ownBuffers
        for (name, child) in children {
            out += child.stateDict.map { ("\(name).\($0.0)", $0.1) }
        }
        return out
    }

    /// The parameters in `namedParameters` order.
    public var parameters: [Variable] { namedParameters.map(\.1) }

    /// Clears the gradients of all parameters.
    public func zeroGrad() { for p in parameters { p.grad = nil } }
}

/// Builds an array of modules from a block of expressions (the body of `Sequential { ... }`).
@resultBuilder
public enum ModuleBuilder {
    public static func buildExpression(_ m: any Module) -> [any Module] { [m] }
    public static func buildBlock(_ parts: [any Module]...) -> [any Module] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [any Module]?) -> [any Module] { part ?? [] }
    public static func buildEither(first: [any Module]) -> [any Module] { first }
    public static func buildEither(second: [any Module]) -> [any Module] { second }
    public static func buildArray(_ parts: [[any Module]]) -> [any Module] { parts.flatMap { $0 } }
}

/// Modules applied one after another; children are named "0", "1", ... as in PyTorch's `nn.Sequential`.
public final class Sequential: Module {
    /// The layers in order.
    public let layers: [any Module]

    /// `Sequential { Linear(...); SpikingLayer(LIF()); ... }`.
    public init(@ModuleBuilder _ build: () -> [any Module]) { layers = build() }
    /// From an array of layers.
    public init(layers: [any Module]) { self.layers = layers }

    /// The layers in order. A `Linear` followed by a `LinearFusable` layer (a LIF or IF `SpikingLayer`) runs
    /// as one fused pass where that layer covers the case, and so do `Conv2d, MaxPool2d, ConvFusable` and
    /// `Conv2d, ConvFusable` (the same outputs and gradients, bit for bit).
    public func callAsFunction(_ x: Variable) -> Variable {
        var h = x, i = 0
        while i < layers.count {
            if i + 1 < layers.count, let linear = layers[i] as? Linear, let next = layers[i + 1] as? any LinearFusable,
               let y = next.fused(after: linear, h) {
                h = y; i += 2
            } else if i + 2 < layers.count, let conv = layers[i] as? Conv2d, let pool = layers[i + 1] as? MaxPool2d,
                      let next = layers[i + 2] as? any ConvFusable, let y = next.fused(after: conv, pool: pool, h) {
                h = y; i += 3
            } else if i + 1 < layers.count, let conv = layers[i] as? Conv2d, let next = layers[i + 1] as? any ConvFusable,
                      let y = next.fused(after: conv, pool: nil, h) {
                h = y; i += 2
            } else {
                h = layers[i](h); i += 1
            }
        }
        return h
    }
    public var children: [(String, any Module)] { layers.enumerated().map { ("\($0.offset)", $0.element) } }
}
