import Foundation
import SpikeCore
import SpikeNeurons

extension NetworkExamples {
    /// A neuron learning the correlations of its inputs by STDP (Song, Miller & Abbott 2000, "Competitive Hebbian
    /// learning through spike-timing-dependent synaptic plasticity"; the network of Brian2's
    /// examples/synapses/STDP.py with a correlated half of the inputs):
    ///
    /// - `input`: `inputs` Poisson trains at `rate` Hz (default 1000 at 15 Hz); the first
    ///   `correlatedFraction` of them (default half) share spikes with correlation coefficient `correlation`
    ///   (`CorrelatedPoissonGroup`, default 0.1), the rest are independent;
    /// - `neuron`: one conductance-based LIF neuron (`va_coba` as Brian2's example sets it: taum 10 ms, taue 5 ms,
    ///   El -74 mV, Ee 0 mV, Vt -54 mV, Vr -60 mV, no refractory period, Euler; v starts at El);
    /// - `S`: all-to-all excitatory synapses adding w to `ge`, initial w uniform in [0, g_max), g_max = 0.005 (in units
    ///   of the leak conductance; half of Brian2's 0.01: with half of the inputs correlated and potentiated to g_max,
    ///   0.01 drives the neuron to ~150 Hz), with Brian2's additive all-to-all STDP: tau_plus = tau_minus = 20 ms,
    ///   A_plus = `potentiation` g_max (default 0.01, Brian2's dApre), A_minus = 1.05 A_plus, clipped to [0, g_max];
    /// - with `monitor`, `spikes_neuron` records the neuron's spikes.
    ///
    /// What a user should see (`stdpReport`; measured with the defaults, seed 1): the neuron starts almost silent
    /// (0-10 Hz); the shared spikes of the correlated inputs make it fire just after them, so the correlated
    /// weights climb (mean w / g_max 0.50 -> 0.60 at 10 s, 0.80 at 20 s, 0.98 at 30 s) while the uncorrelated
    /// ones, paired at random with a slight excess of depression (A_minus > A_plus), drift down (0.49 -> 0.47 at
    /// 30 s, 0.38 at 60 s, 0.32 at 100 s, still falling); from 30 s on the neuron fires at 14-36 Hz (1 s bins).
    /// After 100 s (Brian2's run length) the histogram of w / g_max in ten bins is U-shaped, bimodal:
    /// 127 83 66 50 39 39 40 25 23 508: the 500 correlated weights at g_max, the uncorrelated ones spread towards
    /// 0. With `correlation: 0, gmax: 0.01` the network is Brian2's example: the weights become bimodal by
    /// competition alone (after 100 s: 241 109 78 54 55 55 59 68 100 181, the neuron at 15-20 Hz), and which inputs
    /// win is chance.
    public static func stdp(inputs: Int = 1000, correlatedFraction: Double = 0.5, correlation: Float = 0.1,
                            rate: Float = 15, gmax: Float = 0.005, potentiation: Float = 0.01, seed: UInt64 = 1,
                            dt: Float = 0.1, monitor: Bool = true) throws -> Network {
        guard inputs >= 2 else { throw SimulationError("stdp: needs at least 2 inputs, got \(inputs)") }
        guard correlatedFraction >= 0, correlatedFraction <= 1 else {
            throw SimulationError("stdp: correlated fraction must be in [0, 1], got \(correlatedFraction)")
        }
        guard gmax > 0, gmax.isFinite else { throw SimulationError("stdp: g_max must be > 0, got \(gmax)") }
        let net = try Network(dt: dt, seed: seed)
        let nc = Int((Double(inputs) * correlatedFraction).rounded())
        let c = (0..<inputs).map { $0 < nc ? correlation : 0 }
        let input = try net.add(CorrelatedPoissonGroup(name: "input", size: inputs, rate: rate, correlation: c, rng: net.nextStream()))
        let model = Brian2COBA(tauMembrane: 10, tauExcitatory: 5, threshold: -54, reset: -60, rest: -74,
                               excitatoryReversal: 0, refractory: 0, dt: dt)
        let neuron = try net.add(NeuronGroup(name: "neuron", size: 1, model: model))
        try neuron.setState("v", [model.rest])
        let s = try net.connect("S", from: input, to: neuron, variable: "ge", rule: .allToAll(),
                                weight: .uniform(low: 0, high: gmax))
        let a = potentiation * gmax
        try s.setPlasticity(STDP(tauPlus: 20, tauMinus: 20, aPlus: a, aMinus: 1.05 * a, wMin: 0, wMax: gmax))
        if monitor { try net.add(SpikeMonitor(name: "spikes_neuron", source: neuron)) }
        return net
    }

    /// What the `stdp` example has learnt: the weights of `S` in units of g_max, split into the correlated and the
    /// uncorrelated inputs.
    public struct STDPReport: Sendable, Equatable {
        /// Number of correlated inputs (the first ones).
        public var correlatedCount: Int
        /// Mean w / g_max of the correlated inputs.
        public var correlatedMean: Float
        /// Mean w / g_max of the uncorrelated inputs.
        public var uncorrelatedMean: Float
        /// Fraction of all weights below 0.1 g_max.
        public var fractionNearZero: Float
        /// Fraction of all weights above 0.9 g_max.
        public var fractionNearMax: Float
        /// Histogram of w / g_max in 10 bins of [0, 1] (counts).
        public var histogram: [Int]
        /// The neuron's spike count so far (0 without the monitor).
        public var outputSpikes: Int

        /// Lines for a terminal: the group means, the fractions at the bounds and the histogram.
        public var summary: String {
            func f(_ x: Float) -> String { String(format: "%.3f", x) }
            return """
            correlated inputs (\(correlatedCount)): mean w/gmax \(f(correlatedMean)); uncorrelated: \(f(uncorrelatedMean))
            weights < 0.1 gmax: \(f(fractionNearZero)), > 0.9 gmax: \(f(fractionNearMax)); output spikes: \(outputSpikes)
            histogram of w/gmax (10 bins of [0, 1]): \(histogram.map(String.init).joined(separator: " "))
            """
        }
    }

    /// The report of a network made by `stdp` (throws if it lacks the example's `input` and `S`).
    public static func stdpReport(_ net: Network) throws -> STDPReport {
        guard let s = net.synapses.first(where: { $0.name == "S" }), let rule = s.plasticity as? STDP,
              let input = s.source as? CorrelatedPoissonGroup else {
            throw SimulationError("stdp report: the network lacks the example's synapses 'S' from 'input'")
        }
        let gmax = rule.wMax
        let nc = input.correlation.firstIndex(of: 0) ?? input.size
        let u = s.weight.map { $0 / gmax }   // all-to-all onto one neuron: synapse i is input i
        func mean(_ v: ArraySlice<Float>) -> Float { v.isEmpty ? 0 : v.reduce(0, +) / Float(v.count) }
        var hist = [Int](repeating: 0, count: 10)
        for x in u { hist[min(9, max(0, Int(x * 10)))] += 1 }
        let spikes = net.monitors.compactMap { $0 as? SpikeMonitor }.first { $0.source === s.target }?.count ?? 0
        return STDPReport(correlatedCount: nc, correlatedMean: mean(u[0..<nc]), uncorrelatedMean: mean(u[nc...]),
                          fractionNearZero: Float(u.filter { $0 < 0.1 }.count) / Float(u.count),
                          fractionNearMax: Float(u.filter { $0 > 0.9 }.count) / Float(u.count),
                          histogram: hist, outputSpikes: spikes)
    }
}
