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

/// No numeric parameters (the default `Parameters` of a model).
public struct NoParameters: StateVector, Equatable {
    public static var count: Int { 0 }
    @inlinable public init() {}
    @inlinable public subscript(k: Int) -> Float {
        get { 0 }
        set {}
    }
}

/// A fixed-size vector of `N` floats, for state and parameter vectors of models with more than one variable.
/// `Vector2`...`Vector8` are the sizes used by the zoo.
public struct FloatVector<let N: Int>: StateVector, Equatable {
    public var storage: InlineArray<N, Float>
    public static var count: Int { N }
    @inlinable public init() { storage = InlineArray(repeating: 0) }
    /// From the values in order (`values.count == N`).
    @inlinable public init(_ values: [Float]) {
        precondition(values.count == N, "FloatVector<\(N)>: \(values.count) values")
        storage = InlineArray { values[$0] }
    }
    @inlinable @inline(__always) public subscript(k: Int) -> Float {
        get { storage[k] }
        set { storage[k] = newValue }
    }
    @inlinable public static func == (a: FloatVector, b: FloatVector) -> Bool {
        for k in 0..<N where a.storage[k] != b.storage[k] { return false }
        return true
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
    /// The model's numeric parameters as one vector (names in `parameterNames`): what may take a value per
    /// neuron, receive device mismatch (`NeuronParameterTable.addMismatch`) and, where the model gives its
    /// gradient in `parameterVJP`, be learned. Non-numeric settings (reset rule, surrogate) stay in the model.
    associatedtype Parameters: StateVector = NoParameters
    /// The model id used by `spike neuron` and checkpoints (e.g. "lif").
    static var id: String { get }
    /// Names of the state variables; the membrane is named "v" (also the name of its `spike neuron` trace file).
    static var stateNames: [String] { get }
    /// Whether the output is a spike (true) or the membrane itself (false, e.g. a leaky integrator).
    static var isSpiking: Bool { get }
    /// Names of the numeric parameters, in the order of `Parameters` (the names of `spike neuron --set`).
    static var parameterNames: [String] { get }
    /// The numeric parameters. Setting them must update anything derived from them (e.g. decay factors).
    var parameters: Parameters { get set }
    /// Names of the parameters whose gradient `parameterVJP` gives (the learnable ones).
    static var learnableParameterNames: [String] { get }
    /// Whether `value` is allowed for parameter `k`; nil if so, else the allowed range in words (e.g. "> 0").
    static func parameterDomainError(_ k: Int, _ value: Float) -> String?
    /// The state before the first step.
    var initialState: State { get }
    /// One time step: output and next state.
    func step(_ x: Float, _ s: State) -> (out: Float, next: State)
    /// VJP of `step` at `(x, s)`: gradients of input and previous state.
    func stepVJP(_ x: Float, _ s: State, gOut: Float, gNext: State) -> (gx: Float, gPrev: State)
    /// Gradient of the same step with respect to the parameters (zero for those not learnable).
    func parameterVJP(_ x: Float, _ s: State, gOut: Float, gNext: State) -> Parameters
    /// The id of this value (the static `id`, except for models defined at run time such as equation models).
    var instanceID: String { get }
    /// The state variable names of this value (the static `stateNames` unless the model is defined at run time;
    /// then at most `State.count` names, the rest of the state vector unused).
    var instanceStateNames: [String] { get }
    /// The parameter names of this value, `Parameters.count` of them (the static `parameterNames` by default).
    var instanceParameterNames: [String] { get }
    /// The learnable parameter names of this value (the static `learnableParameterNames` by default).
    var instanceLearnableParameterNames: [String] { get }
    /// Whether this value's output is a spike (the static `isSpiking` by default).
    var instanceIsSpiking: Bool { get }
    /// The fused forward over `[T, M]` inputs (the work of `NeuronKernel.forward`, which calls it). Models do
    /// not implement it: the default (`NeuronKernel.genericForward` over `step`) is a protocol requirement's
    /// default, so the compiler builds it for each conforming type, with `step` inlined and the element loop
    /// vectorised; a layer that holds the model generically (chosen by id at run time) thus runs code
    /// specialised for it. A model may implement it only to give the same results faster.
    func kernelForward(input: [Float], steps: Int, elements: Int, initial: [Float]?, table: NeuronParameterTable?,
                       keepStates: Bool) -> NeuronKernel.Forward
    /// The fused backward through time (the work of `NeuronKernel.backward`, which calls it after its checks);
    /// like `kernelForward`, a default built per conforming type (`NeuronKernel.genericBackward` over
    /// `stepVJP` and `parameterVJP`).
    func kernelBackward(input: [Float], states: [Float], gradOutput: [Float], steps: Int, elements: Int,
                        initial: [Float]?, gradFinalState: [Float]?, table: NeuronParameterTable?,
                        parameterGradients: Bool, neurons: Int) -> NeuronKernel.Backward
}

extension NeuronModel {
    public static var learnableParameterNames: [String] { [] }
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? { value.isFinite ? nil : "finite" }
    @inlinable public func parameterVJP(_ x: Float, _ s: State, gOut: Float, gNext: State) -> Parameters { Parameters() }
    public var instanceID: String { Self.id }
    public var instanceStateNames: [String] { Self.stateNames }
    public var instanceParameterNames: [String] { Self.parameterNames }
    public var instanceLearnableParameterNames: [String] { Self.learnableParameterNames }
    public var instanceIsSpiking: Bool { Self.isSpiking }
    /// The index of the state variable named "v" (the membrane), or 0.
    public static var membraneIndex: Int { stateNames.firstIndex(of: "v") ?? 0 }
    /// The index of a parameter by name.
    public static func parameterIndex(_ name: String) -> Int? { parameterNames.firstIndex(of: name) }
}

extension NeuronModel where Parameters == NoParameters {
    public static var parameterNames: [String] { [] }
    public var parameters: NoParameters {
        get { NoParameters() }
        set {}
    }
}

/// Errors in model parameters that come from outside the program (CLI, files).
public struct ParameterError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
