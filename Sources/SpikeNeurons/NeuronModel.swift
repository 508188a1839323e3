/// A fixed-size vector of per-neuron state variables (e.g. the membrane `v`, a synaptic current `i`).
public protocol StateVector: Sendable {
    /// Number of state variables.
    static var count: Int { get }
    /// All variables zero.
    init()
    /// Variable `k` (in the order of the model's `stateNames`).
    subscript(k: Int) -> Float { get set }
}

/// One state variable: the membrane potential alone.
public struct Membrane: StateVector, Equatable {
    public var v: Float
    public static var count: Int { 1 }
    @inlinable public init() { v = 0 }
    @inlinable public init(v: Float) { self.v = v }
    @inlinable @inline(__always) public subscript(k: Int) -> Float {
        get { v }
        set { v = newValue }
    }
}

/// A neuron model written once as per-element dynamics: parameters (the conforming value), state
/// variables, one discrete time step, and that step's vector-Jacobian product.
///
/// Everything else is generic over it: `NeuronKernel` runs a model over `[T, M]` inputs forward and
/// backward through time in one fused pass; SpikeNN's `SpikingLayer` (multi-step) and `NeuronCell`
/// (single-step) wrap it as differentiable modules; `spike neuron` runs it on an input file.
///
/// Contract: `step` maps the input `x[t]` and the state after step t-1 to the output (the spike, or the
/// membrane for non-spiking models) and the state after step t (after reset). `stepVJP` returns, for the
/// same `(x, s)`, the gradients with respect to `x` and `s` given the gradients of the output and of the
/// next state.
public protocol NeuronModel: Sendable {
    associatedtype State: StateVector
    /// The model id used by `spike neuron` and checkpoints (e.g. "lif").
    static var id: String { get }
    /// Names of the state variables, first the membrane "v".
    static var stateNames: [String] { get }
    /// Whether the output is a spike (true) or the membrane itself (false, e.g. a leaky integrator).
    static var isSpiking: Bool { get }
    /// The state before the first step.
    var initialState: State { get }
    /// One time step: output and next state.
    func step(_ x: Float, _ s: State) -> (out: Float, next: State)
    /// VJP of `step` at `(x, s)`: gradients of input and previous state.
    func stepVJP(_ x: Float, _ s: State, gOut: Float, gNext: State) -> (gx: Float, gPrev: State)
}

/// Errors in model parameters that come from outside the program (CLI, files).
public struct ParameterError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
