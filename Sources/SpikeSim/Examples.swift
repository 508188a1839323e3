import SpikeCore
import SpikeNeurons

/// Ready-made networks of the literature, as `spike simulate --example NAME` runs them.
public enum NetworkExamples {
    /// The Vogels & Abbott (2005) CUBA benchmark as in Brian2's examples/CUBA.py: `neurons` LIF neurons
    /// (`va_cuba`), 80 % excitatory (`E`) and 20 % inhibitory (`I`), every pair connected with probability `p`
    /// (self-connections included, as Brian2's `connect(p=...)`), excitatory spikes adding
    /// we = 60 x 0.27 / 10 = 1.62 mV to `ge`, inhibitory spikes wi = -20 x 4.5 / 10 = -9 mV to `gi`, no delays;
    /// initial membranes uniform in [Vr, Vt) = [-60, -50) mV; dt 0.1 ms. With `monitor` a spike monitor per group
    /// (`spikes_E`, `spikes_I`) and population-rate monitors (`rate_E`, `rate_I`) are added.
    public static func cuba(neurons: Int = 4000, p: Double = 0.02, seed: UInt64 = 1, dt: Float = 0.1,
                            monitor: Bool = true) throws -> Network {
        guard neurons >= 5 else { throw SimulationError("cuba: needs at least 5 neurons, got \(neurons)") }
        let net = try Network(dt: dt, seed: seed)
        let ne = neurons * 4 / 5, ni = neurons - ne
        let model = Brian2CUBA(dt: dt)
        let e = try net.add(NeuronGroup(name: "E", size: ne, model: model))
        let i = try net.add(NeuronGroup(name: "I", size: ni, model: model))
        var rng = net.nextStream()
        for g in [e, i] {
            try g.setState("v", (0..<g.size).map { _ in model.reset + rng.nextUniform() * (model.threshold - model.reset) })
        }
        let we: Float = 60 * 0.27 / 10, wi: Float = -20 * 4.5 / 10
        for (name, src, dst, variable, w) in [("EE", e, e, "ge", we), ("EI", e, i, "ge", we), ("IE", i, e, "gi", wi), ("II", i, i, "gi", wi)] {
            try net.connect(name, from: src, to: dst, variable: variable, rule: .random(p: p), weight: .constant(w))
        }
        if monitor {
            try net.add(SpikeMonitor(name: "spikes_E", source: e)); try net.add(SpikeMonitor(name: "spikes_I", source: i))
            try net.add(PopulationRateMonitor(name: "rate_E", source: e)); try net.add(PopulationRateMonitor(name: "rate_I", source: i))
        }
        return net
    }
}
