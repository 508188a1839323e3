import Foundation
import SpikeCore
import SpikeNeurons
@testable import SpikeSim

/// Small networks shared by the simulator tests.
enum SimFixtures {
    /// A random CUBA-like network of `n` neurons with per-synapse delays (0 to 2 ms) when `delays`, driven by a
    /// Poisson group, with spike and state monitors.
    static func randomNetwork(n: Int = 60, seed: UInt64 = 7, delays: Bool = true, scalar: Bool = false) throws -> Network {
        let net = try Network(dt: 0.1, seed: seed)
        let model = Brian2CUBA(rest: -55)
        // A per-neuron table forces the scalar (one model per neuron) path; values equal, so the numbers must too.
        let table = scalar ? NeuronParameterTable(model, neurons: n) : nil
        let g = try net.add(NeuronGroup(name: "P", size: n, model: model, table: table))
        var rng = net.nextStream()
        try g.setState("v", (0..<n).map { _ in -60 + 10 * rng.nextUniform() })
        let drive = try net.addPoisson("drive", size: 20, rates: [200])
        try net.connect("in", from: drive, to: g, variable: "ge", rule: .random(p: 0.3), weight: .uniform(low: 1, high: 4))
        try net.connect("exc", from: g, to: g, variable: "ge", rule: .random(p: 0.2), weight: .constant(1.5),
                        delay: delays ? .uniform(low: 0, high: 2) : .constant(0))
        try net.connect("inh", from: g, to: g, variable: "gi", rule: .fixedInDegree(3), weight: .constant(-4), delay: .constant(delays ? 0.5 : 0))
        try net.add(SpikeMonitor(name: "spikes", source: g))
        try net.add(StateMonitor(name: "v", group: g, variables: ["v", "ge"], neurons: [0, 5, n - 1], every: 3))
        try net.add(PopulationRateMonitor(name: "rate", source: g))
        return net
    }
}
