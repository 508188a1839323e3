import Foundation
import XCTest
import SpikeCore
import SpikeNeurons
@testable import SpikeSim

final class PlasticityCheckpointTests: XCTestCase {
    /// 20 Poisson inputs at 50 Hz onto 5 delta-synapse LIF neurons through plastic all-to-all synapses, plus a
    /// recurrent plastic projection among the 5 with a 1 ms delay.
    func network(_ make: () throws -> any PlasticityRule, seed: UInt64 = 21) throws -> Network {
        let net = try Network(dt: 0.1, seed: seed)
        let input = try net.addPoisson("in", size: 20, rates: [50])
        let out = try net.addGroup("out", size: 5, model: "lif_delta")
        let s = try net.connect("S", from: input, to: out, variable: "v", rule: .allToAll(), weight: .uniform(low: 1, high: 3))
        try s.setPlasticity(make())
        let r = try net.connect("R", from: out, to: out, variable: "v", rule: .allToAll(selfConnections: false),
                                weight: .uniform(low: 0.5, high: 1.5), delay: .constant(1))
        try r.setPlasticity(make())
        try net.add(SpikeMonitor(name: "spikes_out", source: out))
        return net
    }

    func resumeFromFile(_ make: () throws -> any PlasticityRule, file: String) throws {
        let whole = try network(make)
        try whole.run(steps: 3000)
        let first = try network(make)
        try first.run(steps: 1500)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("plasticity-\(file)-\(getpid()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try first.save(to: url)
        let resumed = try network(make)
        try resumed.restore(from: url)
        try resumed.run(steps: 1500)
        for (a, b) in zip(whole.synapses, resumed.synapses) {
            XCTAssertEqual(bits(a.weight), bits(b.weight), "\(file) \(a.name)")
            let initial = try network(make).synapses.first { $0.name == a.name }!.weight
            XCTAssertTrue(zip(a.weight, initial).contains { $0 != $1 }, "\(file) \(a.name) learnt")
        }
        let spikes = { (n: Network) in (n.monitors[0] as! SpikeMonitor).steps }
        XCTAssertEqual(spikes(whole), spikes(resumed))
    }

    func testNetworkCheckpointFilesResumeEveryRuleBitExactly() throws {
        try resumeFromFile({ try STDP(aPlus: 0.05, aMinus: 0.06, wMin: 0, wMax: 4, dependence: .multiplicative) }, file: "stdp")
        try resumeFromFile({ try TripletSTDP(.hippocampalNearest, wMin: 0, wMax: 4) }, file: "triplet")
        // Arrival timing: the recurrent projection's 1 ms delay queues pre spikes inside the rule.
        try resumeFromFile({ try STDP(aPlus: 0.05, aMinus: 0.06, wMin: 0, wMax: 4, preTiming: .arrival) }, file: "stdp-arrival")
        try resumeFromFile({ try TripletSTDP(.hippocampalAllToAll, wMin: 0, wMax: 4, preTiming: .arrival) }, file: "triplet-arrival")
        try resumeFromFile({
            let r = try RewardModulatedSTDP(tauReward: 50, learningRate: 0.01, preTiming: .arrival)
            r.reward = 0.2
            return r
        }, file: "rstdp")
    }

    func testRestoreBringsBackTheRewardProperty() throws {
        let make = { () throws -> any PlasticityRule in try RewardModulatedSTDP() }
        let a = try network(make)
        (a.synapses[0].plasticity as! RewardModulatedSTDP).reward = 0.7
        try a.run(steps: 10)
        let saved = try a.checkpoint()
        let b = try network(make)
        try b.restore(tensors: saved.tensors, metadata: saved.metadata)
        XCTAssertEqual((b.synapses[0].plasticity as! RewardModulatedSTDP).reward, 0.7)
        XCTAssertEqual((b.synapses[1].plasticity as! RewardModulatedSTDP).reward, 0)
    }
}
