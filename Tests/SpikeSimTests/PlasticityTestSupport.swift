import Foundation
import SpikeCore
import SpikeNeurons
@testable import SpikeSim

/// An all-to-all projection from a silent generator of `pre` neurons onto `post` delta-synapse LIF neurons, every
/// weight `weight`, at step `dt` ms: the plasticity tests call the rule's `update` with spike lists of their own.
func plasticSynapses(pre: Int = 1, post: Int = 1, weight: Float = 0.5, dt: Float = 0.1) throws -> Synapses {
    let src = try SpikeGeneratorGroup(name: "in", size: pre, indices: [], times: [])
    let dst = try NeuronGroup(name: "out", size: post, model: Brian2DeltaLIF(dt: dt))
    var rng = SeededRandom(seed: 0)
    let m = try SynapseMatrix.build(.allToAll(), pre: pre, post: post, sameGroup: false, rng: &rng)
    return try Synapses(name: "S", source: src, target: dst, targetVariable: "v", matrix: m,
                        weights: [Float](repeating: weight, count: m.count), dt: dt)
}

/// Steps `rule` over `steps` steps with the given pre and post spikes by step (steps `from ..< from + steps`).
func drive(_ rule: any PlasticityRule, _ s: Synapses, from: Int = 0, steps: Int, pre: [Int: [Int32]] = [:],
           post: [Int: [Int32]] = [:], dt: Float = 0.1) {
    for n in from..<(from + steps) {
        rule.update(s, preSpikes: pre[n] ?? [], postSpikes: post[n] ?? [], dt: dt)
    }
}

/// Random spike lists: each of `count` neurons fires at each of `steps` steps with probability `p`.
func randomSpikes(count: Int, steps: Int, p: Float, seed: UInt64) -> [Int: [Int32]] {
    var rng = SeededRandom(seed: seed)
    var out: [Int: [Int32]] = [:]
    for n in 0..<steps {
        let s = (0..<count).filter { _ in rng.nextUniform() < p }.map { Int32($0) }
        if !s.isEmpty { out[n] = s }
    }
    return out
}

/// The bit patterns of `w` (exact comparisons).
func bits(_ w: [Float]) -> [UInt32] { w.map(\.bitPattern) }

/// Runs `make()`'s rule on a fresh projection for `steps` steps of random spikes, or for `split` steps, then
/// restores its checkpoint into a second fresh rule and projection and runs the rest: returns both final weights.
func checkpointRoundTrip(_ make: () throws -> any PlasticityRule, pre: Int = 12, post: Int = 7, steps: Int = 400,
                         split: Int = 170, weight: Float = 0.5) throws -> (uninterrupted: [Float], resumed: [Float]) {
    let preSpikes = randomSpikes(count: pre, steps: steps, p: 0.05, seed: 11)
    let postSpikes = randomSpikes(count: post, steps: steps, p: 0.05, seed: 12)
    let a = try plasticSynapses(pre: pre, post: post, weight: weight)
    let ra = try make()
    try a.setPlasticity(ra)
    drive(ra, a, steps: steps, pre: preSpikes, post: postSpikes)

    let b = try plasticSynapses(pre: pre, post: post, weight: weight)
    let rb = try make()
    try b.setPlasticity(rb)
    drive(rb, b, steps: split, pre: preSpikes, post: postSpikes)
    let saved = Dictionary(uniqueKeysWithValues: rb.checkpointState())
    let c = try plasticSynapses(pre: pre, post: post, weight: weight)
    c.weight = b.weight
    let rc = try make()
    try c.setPlasticity(rc)
    try rc.restore(saved)
    drive(rc, c, from: split, steps: steps - split, pre: preSpikes, post: postSpikes)
    return (a.weight, c.weight)
}
