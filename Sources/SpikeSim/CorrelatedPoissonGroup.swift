import Foundation
import SpikeCore

/// Poisson spike trains with a given pairwise correlation, by a shared "mother" train (the single interaction
/// process of Kuhn, Aertsen & Rotter 2003; the correlated inputs of Song, Miller & Abbott 2000): at each step a
/// mother train fires with probability `rate dt`; neuron i copies a mother spike with probability
/// `q[i] = sqrt(c[i])` and fires independently with probability `(1 - q[i]) rate dt`. Every neuron fires at
/// `rate` Hz (up to `O((rate dt)^2)`), and the spike counts of neurons i and k (in bins of any width) have the
/// correlation coefficient `q[i] q[k] = sqrt(c[i] c[k])`: `c` within a population of equal `c`, all of it as
/// zero-lag shared spikes. Neurons with `c[i] = 0` are independent Poisson trains, so one group can hold a
/// correlated and an uncorrelated population.
public final class CorrelatedPoissonGroup: SpikeSource, NetworkInput {
    public let name: String
    public let size: Int
    /// Firing rate of every neuron in Hz.
    public let rate: Float
    /// Correlation `c` of each neuron with the mother train, in [0, 1].
    public let correlation: [Float]
    public private(set) var spikes: [Int32] = []
    /// Copy probability `sqrt(c)` of each neuron.
    let copy: [Float]
    var rng: SeededRandom

    /// `size` neurons at `rate` Hz with correlations `correlation` (one value for all, or one per neuron).
    public init(name: String, size: Int, rate: Float, correlation: [Float], rng: SeededRandom) throws {
        guard size > 0 else { throw SimulationError("correlated poisson group '\(name)': size must be > 0, got \(size)") }
        guard rate >= 0, rate.isFinite else { throw SimulationError("correlated poisson group '\(name)': rate must be >= 0 Hz, got \(rate)") }
        guard correlation.count == 1 || correlation.count == size else {
            throw SimulationError("correlated poisson group '\(name)': \(correlation.count) correlations for \(size) neurons")
        }
        if let bad = correlation.first(where: { !($0 >= 0 && $0 <= 1) }) {
            throw SimulationError("correlated poisson group '\(name)': correlation must be in [0, 1], got \(bad)")
        }
        self.name = name; self.size = size; self.rate = rate; self.rng = rng
        self.correlation = correlation.count == 1 ? [Float](repeating: correlation[0], count: size) : correlation
        copy = self.correlation.map { $0.squareRoot() }
    }

    public func advance(step: Int, dt: Float) {
        var out = spikes   // local generator and spike list: no exclusivity check per draw or append
        spikes = []
        out.removeAll(keepingCapacity: true)
        let p = rate * dt / 1000
        var r = rng
        let mother = r.nextUniform() < p
        copy.withUnsafeBufferPointer { q in
            for i in 0..<size {
                if mother && q[i] > 0 && r.nextUniform() < q[i] {
                    out.append(Int32(i))
                } else if r.nextUniform() < (1 - q[i]) * p {
                    out.append(Int32(i))
                }
            }
        }
        rng = r
        spikes = out
    }

    public func checkpointState() -> [(String, [Float])] { [("rng", encodeRNG(rng))] }
    public func restore(_ state: [String: [Float]]) throws {
        rng = try decodeRNG(state["rng"], "correlated poisson group '\(name)'")
    }
}
