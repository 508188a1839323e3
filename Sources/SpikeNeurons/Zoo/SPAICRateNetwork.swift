import Foundation

/// SPAIC's `CANN_MeanFieldModel` ("cann_field", spaic/Neuron/Neuron.py 0.6.3) as a recurrent rate network:
/// the continuous attractor neural network of Fung, Wong & Wu (2010, Neural Comput. 22(3)), one population whose
/// output normalisation sums over all neurons (so it is a population model, not a per-neuron `NeuronModel`).
/// One step, as SPAIC runs the group with a recurrent connection `Isyn = W O`:
///
///     Isyn[t] = W O[t-1]                                  (the connection, from the previous output)
///     U[t]    = U[t-1] + (dt/tau) (rho Isyn[t-1] + Iext[t] - U[t-1])   (SPAIC's untagged Isyn: previous step)
///     O[t]    = relu(U[t])^2 / (1 + k rho sum_j relu(U_j[t])^2)
///
/// SPAIC's defaults: rho 0.02, k 0.01, tau 1 ms, dt 0.1 ms; U, O start at 0. `ringWeights` builds the usual
/// translation-invariant Gaussian coupling on a ring, with which a bump of activity set by an input stays where
/// it was put after the input ends (`SPAICTests`). `SPAICMeanField` and `SPAICSimpleRate` are the per-neuron rate
/// models (usable in any layer or SpikeSim group).
public struct SPAICCANNField: Sendable, Equatable {
    /// Number of neurons N.
    public let neurons: Int
    /// Recurrent weights `[N, N]`, row-major: `weights[i * N + j]` from neuron j to neuron i.
    public var weights: [Float]
    /// Input scale `rho` (density of neurons in SPAIC's mean-field equation).
    public var rho: Float
    /// Strength of the global inhibition `k`.
    public var k: Float
    /// Time constant `tau` (ms, > 0).
    public var tau: Float
    /// Time step `dt` (ms, > 0).
    public var dt: Float
    /// Synaptic input U (SPAIC's `U`), `[N]`.
    public private(set) var u: [Float]
    /// Firing rates O, `[N]`.
    public private(set) var o: [Float]
    /// `W O[t-2]`: what the connection delivered at the previous step, which U reads at this one.
    var isyn: [Float]

    /// A field with `weights` (`[N, N]` row-major); throws naming a bad size or value.
    public init(neurons: Int, weights: [Float], rho: Float = 0.02, k: Float = 0.01, tau: Float = 1, dt: Float = 0.1) throws {
        guard neurons >= 1 else { throw ParameterError("cann_field: neurons must be >= 1, got \(neurons)") }
        guard weights.count == neurons * neurons else {
            throw ParameterError("cann_field: weights must have \(neurons) x \(neurons) = \(neurons * neurons) values, got \(weights.count)")
        }
        guard weights.allSatisfy({ $0.isFinite }) else { throw ParameterError("cann_field: weights must be finite") }
        for (name, v) in [("rho", rho), ("k", k)] where !v.isFinite { throw ParameterError("cann_field: \(name) must be finite, got \(v)") }
        guard k >= 0 else { throw ParameterError("cann_field: k must be >= 0, got \(k)") }
        guard tau > 0, tau.isFinite else { throw ParameterError("cann_field: tau must be > 0, got \(tau)") }
        guard dt > 0, dt.isFinite else { throw ParameterError("cann_field: dt must be > 0, got \(dt)") }
        self.neurons = neurons; self.weights = weights; self.rho = rho; self.k = k; self.tau = tau; self.dt = dt
        u = [Float](repeating: 0, count: neurons); o = u; isyn = u
    }

    /// Gaussian ring coupling `J(d) = J0 / (sqrt(2 pi) a) exp(-d^2 / (2 a^2))`, d the distance between preferred
    /// angles `x_i = -pi + 2 pi i / N` on the ring (periodic). `width` a > 0 (radians).
    public static func ringWeights(neurons n: Int, width a: Float, strength j0: Float = 1) throws -> [Float] {
        guard n >= 1 else { throw ParameterError("cann_field: neurons must be >= 1, got \(n)") }
        guard a > 0, a.isFinite else { throw ParameterError("cann_field: width must be > 0, got \(a)") }
        var w = [Float](repeating: 0, count: n * n)
        let c = Double(j0) / (Foundation.sqrt(2 * Double.pi) * Double(a))
        for i in 0..<n {
            for j in 0..<n {
                var d = Swift.abs(Double(i - j)) * 2 * Double.pi / Double(n)
                d = Swift.min(d, 2 * Double.pi - d)
                w[i * n + j] = Float(c * Foundation.exp(-d * d / (2 * Double(a) * Double(a))))
            }
        }
        return w
    }

    /// The preferred angle of neuron i on the ring, `-pi + 2 pi i / N`.
    public func angle(_ i: Int) -> Float { Float(-Double.pi + 2 * Double.pi * Double(i) / Double(neurons)) }

    /// The centre of the activity bump: the angle of `sum_i O_i exp(i x_i)` (nil when O is 0 everywhere).
    public var bumpCentre: Float? {
        var c = 0.0, s = 0.0
        for i in 0..<neurons { c += Double(o[i]) * Foundation.cos(Double(angle(i))); s += Double(o[i]) * Foundation.sin(Double(angle(i))) }
        return c == 0 && s == 0 ? nil : Float(Foundation.atan2(s, c))
    }

    /// One step with external input `Iext` (`[N]`); returns O.
    @discardableResult
    public mutating func step(external: [Float]) throws -> [Float] {
        guard external.count == neurons else { throw ParameterError("cann_field: external input must have \(neurons) values, got \(external.count)") }
        let n = neurons
        var next = [Float](repeating: 0, count: n)
        for i in 0..<n {
            var acc: Float = 0
            for j in 0..<n { acc += weights[i * n + j] * o[j] }
            next[i] = acc
        }
        let r = dt / tau
        var sum: Float = 0
        for i in 0..<n {
            u[i] = r * ((rho * isyn[i] + external[i]) - u[i]) + u[i]
            let re = Swift.max(u[i], 0)
            sum += re * re
        }
        let denominator = k * rho * sum + 1
        for i in 0..<n { let re = Swift.max(u[i], 0); o[i] = re * re / denominator }
        isyn = next
        return o
    }
}
