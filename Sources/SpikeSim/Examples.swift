import SpikeCore
import SpikeNeurons

/// Ready-made networks of the literature, as `spike simulate --example NAME` runs them.
public enum NetworkExamples {
    /// The Vogels & Abbott (2005) CUBA benchmark as in Brian2's examples/CUBA.py: `neurons` LIF neurons
    /// (`va_cuba`), 80 % excitatory (`E`) and 20 % inhibitory (`I`), every pair connected with probability `p`
    /// (self-connections included, as Brian2's `connect(p=...)`), excitatory spikes adding
    /// we = 60 x 0.27 / 10 = 1.62 mV to `ge`, inhibitory spikes wi = -20 x 4.5 / 10 = -9 mV to `gi`, no delays;
    /// initial membranes uniform in [Vr, Vt) = [-60, -50) mV; dt 0.1 ms. With `monitor` a spike monitor per group
    /// (`spikes_E`, `spikes_I`) and population-rate monitors (`rate_E`, `rate_I`) are added. `neuron` replaces
    /// `va_cuba` by another model of the same neuron (state variables `v`, `ge`, `gi` in mV, e.g. the CUBA
    /// equations of SpikeEquations' `EquationExamples.cuba`).
    public static func cuba(neurons: Int = 4000, p: Double = 0.02, seed: UInt64 = 1, dt: Float = 0.1,
                            monitor: Bool = true, neuron: AnyNeuronModel? = nil) throws -> Network {
        guard neurons >= 5 else { throw SimulationError("cuba: needs at least 5 neurons, got \(neurons)") }
        guard neurons <= Int(Int32.max) else { throw SimulationError("cuba: at most \(Int32.max) neurons, got \(neurons)") }
        let net = try Network(dt: dt, seed: seed)
        let ne = neurons * 4 / 5, ni = neurons - ne
        let model = Brian2CUBA(dt: dt)
        let any = neuron ?? AnyNeuronModel(model)
        let e = try net.add(NeuronGroup(name: "E", size: ne, model: any))
        let i = try net.add(NeuronGroup(name: "I", size: ni, model: any))
        var rng = net.nextStream()
        for g in [e, i] {
            try g.setState("v", (0..<g.size).map { _ in model.reset + rng.nextUniform() * (model.threshold - model.reset) })
        }
        let we: Float = 60 * 0.27 / 10, wi: Float = -20 * 4.5 / 10
        for (name, src, dst, variable, w) in [("EE", e, e, "ge", we), ("EI", e, i, "ge", we), ("IE", i, e, "gi", wi), ("II", i, i, "gi", wi)] {
            try net.connect(name, from: src, to: dst, variable: variable, rule: .random(p: p), weight: .constant(w))
        }
        if monitor { try addMonitors(net, [e, i]) }
        return net
    }

    /// The Vogels & Abbott (2005) COBA benchmark (Brette et al. 2007, benchmark 1, as its Brian2 scripts run it):
    /// `neurons` conductance-based LIF neurons (`va_coba`: El = -60 mV, Ee = 0 mV, Ei = -80 mV, constant drive
    /// I = 20 mV, taum 20 ms, taue 5 ms, taui 10 ms, Vt -50 mV, Vr -60 mV, refractory 5 ms), 80 % excitatory,
    /// connection probability `p`, each excitatory spike adding we = 6 nS / 10 nS = 0.6 to `ge` and each inhibitory
    /// spike wi = 67 / 10 = 6.7 to `gi` (conductances in units of the leak conductance); initial membranes uniform
    /// in [Vr, Vt), conductances 0. Euler integration at dt 0.1 ms.
    public static func coba(neurons: Int = 4000, p: Double = 0.02, seed: UInt64 = 1, dt: Float = 0.1,
                            monitor: Bool = true) throws -> Network {
        guard neurons >= 5 else { throw SimulationError("coba: needs at least 5 neurons, got \(neurons)") }
        guard neurons <= Int(Int32.max) else { throw SimulationError("coba: at most \(Int32.max) neurons, got \(neurons)") }
        let net = try Network(dt: dt, seed: seed)
        let ne = neurons * 4 / 5, ni = neurons - ne
        let model = Brian2COBA(bias: 20, dt: dt)
        let e = try net.add(NeuronGroup(name: "E", size: ne, model: model))
        let i = try net.add(NeuronGroup(name: "I", size: ni, model: model))
        var rng = net.nextStream()
        for g in [e, i] {
            try g.setState("v", (0..<g.size).map { _ in model.reset + rng.nextUniform() * (model.threshold - model.reset) })
        }
        let we: Float = 6.0 / 10, wi: Float = 67.0 / 10
        for (name, src, dst, variable, w) in [("EE", e, e, "ge", we), ("EI", e, i, "ge", we), ("IE", i, e, "gi", wi), ("II", i, i, "gi", wi)] {
            try net.connect(name, from: src, to: dst, variable: variable, rule: .random(p: p), weight: .constant(w))
        }
        if monitor { try addMonitors(net, [e, i]) }
        return net
    }

    /// The sparse network of Brunel (2000), as Brian2's example: `excitatory` LIF neurons with delta synapses
    /// (`lif_delta`: tau 20 ms, theta 20 mV, Vr 10 mV, refractory 2 ms) and a quarter as many inhibitory ones; each
    /// neuron receives a fixed number of synapses, `epsilon` of each population (C_E = epsilon N_E excitatory,
    /// C_I = epsilon N_I inhibitory), J = 0.1 mV per excitatory spike, -g J per inhibitory spike, all with delay
    /// D = 1.5 ms; and C_E external Poisson inputs of rate nu_ext = `nuExtOverNuThr` x nu_thr, nu_thr = theta /
    /// (J C_E tau), each adding J (Brian2's `PoissonInput`). The states of the paper's Fig. 8 appear by `g` and
    /// nu_ext / nu_thr: A (g 3, nu 2): synchronous regular (SR); B (g 6, nu 4): synchronous irregular, fast
    /// oscillation (SI fast); C (g 5, nu 2): asynchronous irregular (AI); D (g 4.5, nu 0.9): synchronous irregular,
    /// slow oscillation (SI slow). The paper's size is 10000 excitatory neurons (epsilon 0.1: C_E = 1000).
    public static func brunel(excitatory: Int = 10000, g: Float = 5, nuExtOverNuThr: Float = 2, epsilon: Double = 0.1,
                              seed: UInt64 = 1, dt: Float = 0.1, monitor: Bool = true) throws -> Network {
        guard excitatory >= 4 else { throw SimulationError("brunel: needs at least 4 excitatory neurons, got \(excitatory)") }
        guard excitatory <= Int(Int32.max) else { throw SimulationError("brunel: at most \(Int32.max) excitatory neurons, got \(excitatory)") }
        guard g >= 0, g.isFinite else { throw SimulationError("brunel: g must be >= 0, got \(g)") }
        guard nuExtOverNuThr >= 0, nuExtOverNuThr.isFinite else { throw SimulationError("brunel: nu_ext / nu_thr must be >= 0, got \(nuExtOverNuThr)") }
        guard epsilon > 0, epsilon <= 1 else { throw SimulationError("brunel: epsilon must be in (0, 1], got \(epsilon)") }
        let net = try Network(dt: dt, seed: seed)
        let ne = excitatory, ni = excitatory / 4
        let model = Brian2DeltaLIF(dt: dt)
        let e = try net.add(NeuronGroup(name: "E", size: ne, model: model))
        let i = try net.add(NeuronGroup(name: "I", size: ni, model: model))
        let J: Float = 0.1, D: Float = 1.5
        let ce = max(1, Int((epsilon * Double(ne)).rounded())), ci = max(1, Int((epsilon * Double(ni)).rounded()))
        let nuThr = model.threshold / (J * Float(ce) * model.tau) * 1000    // Hz
        for (name, src, dst, k, w) in [("EE", e, e, ce, J), ("EI", e, i, ce, J), ("IE", i, e, ci, -g * J), ("II", i, i, ci, -g * J)] {
            try net.connect(name, from: src, to: dst, variable: "v", rule: .fixedInDegree(k, selfConnections: false),
                            weight: .constant(w), delay: .constant(D))
        }
        for grp in [e, i] {
            try net.add(PoissonInput(name: "external_\(grp.name)", target: grp, variable: "v", count: ce,
                                     rate: nuExtOverNuThr * nuThr, weight: J, rng: net.nextStream()))
        }
        if monitor { try addMonitors(net, [e, i]) }
        return net
    }

    /// A spike monitor (`spikes_NAME`) and a population-rate monitor (`rate_NAME`) per group.
    static func addMonitors(_ net: Network, _ groups: [NeuronGroup]) throws {
        for g in groups { try net.add(SpikeMonitor(name: "spikes_\(g.name)", source: g)) }
        for g in groups { try net.add(PopulationRateMonitor(name: "rate_\(g.name)", source: g)) }
    }
}
