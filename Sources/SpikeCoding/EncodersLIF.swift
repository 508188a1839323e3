import SpikeCore
import SpikeNN

/// The parameters of the current-driven LIF membrane of Norse's `ConstantCurrentLIFEncoder`
/// (`norse.torch.functional.lif.LIFParameters`; only the membrane terms are used).
public struct CurrentLIFParameters: Sendable, Equatable {
    /// Inverse membrane time constant `1 / tau_mem`, in 1/s. Default 100 (tau_mem 10 ms).
    public var tauMemInv: Float
    /// Threshold `v_th`. Default 1.
    public var threshold: Float
    /// Reset potential `v_reset`. Default 0.
    public var reset: Float
    /// Leak (resting) potential `v_leak`. Default 0.
    public var leak: Float

    /// Norse's defaults: tauMemInv 100 1/s, threshold 1, reset 0, leak 0.
    public init(tauMemInv: Float = 100, threshold: Float = 1, reset: Float = 0, leak: Float = 0) {
        self.tauMemInv = tauMemInv; self.threshold = threshold; self.reset = reset; self.leak = leak
    }

    /// Throws unless the Euler step is stable and the neuron can fire and stop: `tauMemInv > 0`, `dt > 0`,
    /// `dt * tauMemInv <= 1`, `threshold > reset`, all finite.
    func check(dt: Float, _ coder: String) throws {
        try CodingCheck.positive(tauMemInv, "tauMemInv", coder)
        try CodingCheck.positive(dt, "dt", coder)
        guard dt * tauMemInv <= 1 else {
            throw CodingError("\(coder): dt * tauMemInv = \(dt) s * \(tauMemInv) 1/s = \(dt * tauMemInv) must be <= 1 for a stable Euler step")
        }
        guard threshold.isFinite, reset.isFinite, leak.isFinite else {
            throw CodingError("\(coder): threshold, reset and leak must be finite, got \(threshold), \(reset), \(leak)")
        }
        guard threshold > reset else { throw CodingError("\(coder): threshold \(threshold) must be above reset \(reset)") }
    }
}

extension Encode {
    /// Norse's `constant_current_lif_encode` (`ConstantCurrentLIFEncoder`): the value is a constant input
    /// current `i` to a leaky integrate-and-fire membrane, integrated by forward Euler from `v = 0`:
    ///
    ///     v <- v + dt * tauMemInv * ((leak - v) + i)
    ///     z  = 1 if v > threshold (Heaviside, strict) else 0
    ///     v <- v - z (v - reset)
    ///
    /// Larger currents fire more often; a current `i` fires at all only if `leak + i > threshold`. E.g. with the
    /// defaults and T = 2, currents [2, 4, 8, 16] give spikes [[0, 0, 0, 1], [0, 0, 1, 1]] and voltages
    /// [[0.2, 0.4, 0.8, 0], [0.38, 0.76, 0, 0]] (Norse's docstring).
    ///
    /// Defaults (Norse's): tauMemInv 100 1/s, threshold 1, reset 0, leak 0, dt 1e-3 s. This is the simple
    /// current-based membrane of the encoder only (no synaptic current), as Norse's `lif_current_encoder`.
    ///
    /// - Returns: spikes `[T] + S` and the membrane after each step (after reset) `[T] + S`.
    /// - Throws: `CodingError` for steps < 1, NaN or infinite currents, and invalid parameters (see
    ///   `CurrentLIFParameters`).
    public static func constantCurrentLIFTrace(_ x: Tensor, steps: Int, parameters p: CurrentLIFParameters = .init(),
                                               dt: Float = 1e-3) throws -> (spikes: Tensor, voltages: Tensor) {
        let coder = "constant current LIF"
        try CodingCheck.steps(steps, coder, elements: x.count)
        try p.check(dt: dt, coder)
        try CodingCheck.finite(x.scalars, coder)
        let n = x.count, k = dt * p.tauMemInv
        var v = [Float](repeating: 0, count: n)
        var spikes = [Float](repeating: 0, count: steps * n), volts = [Float](repeating: 0, count: steps * n)
        for t in 0..<steps {
            for i in 0..<n {
                var u = v[i] + k * ((p.leak - v[i]) + x.scalars[i])
                if u - p.threshold > 0 { spikes[t * n + i] = 1; u = p.reset }
                v[i] = u
                volts[t * n + i] = u
            }
        }
        let shape = timeShape(steps, x.shape)
        return (Tensor(shape: shape, scalars: spikes), Tensor(shape: shape, scalars: volts))
    }

    /// The spikes of `constantCurrentLIFTrace`: `[T] + S`.
    public static func constantCurrentLIF(_ x: Tensor, steps: Int, parameters: CurrentLIFParameters = .init(),
                                          dt: Float = 1e-3) throws -> Tensor {
        try constantCurrentLIFTrace(x, steps: steps, parameters: parameters, dt: dt).spikes
    }
}

/// Norse's `ConstantCurrentLIFEncoder`: `[B, ...]` currents to `[T, B, ...]` spikes of a LIF membrane driven by
/// the constant current (see `Encode.constantCurrentLIFTrace` for the Euler update). Defaults: Norse's
/// LIFParameters (tauMemInv 100 1/s, threshold 1, reset 0, leak 0) and dt 1e-3 s. Not differentiable (the
/// spikes are a step function of the current).
public final class ConstantCurrentLIFEncoder: Module {
    /// Number of time steps `T`.
    public let steps: Int
    /// The membrane parameters.
    public let parameters: CurrentLIFParameters
    /// The Euler step in seconds.
    public let dt: Float

    /// Traps on steps < 1 or invalid parameters.
    public init(steps: Int, parameters: CurrentLIFParameters = .init(), dt: Float = 1e-3) {
        Encode.orTrap { try CodingCheck.steps(steps, "constant current LIF"); try parameters.check(dt: dt, "constant current LIF") }
        self.steps = steps; self.parameters = parameters; self.dt = dt
    }
    /// Encodes currents, throwing `CodingError` on NaN or infinite values.
    public func encode(_ x: Tensor) throws -> Tensor { try Encode.constantCurrentLIF(x, steps: steps, parameters: parameters, dt: dt) }
    /// `[B, ...]` currents to `[T, B, ...]` spikes; traps with the `CodingError` message on bad input (use `encode` to catch it).
    public func callAsFunction(_ x: Variable) -> Variable { Variable(Encode.orTrap { try encode(x.value) }) }
}
