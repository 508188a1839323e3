import Foundation
import SpikeCore
import SpikeIO

/// Saving and resuming a network's whole state: a run resumed from a checkpoint continues exactly as the
/// uninterrupted run would (same spikes, same weights, same recordings, bit for bit).
///
/// The checkpoint holds the dynamic state only: every neuron's state variables and pending input, the queued
/// spikes of every projection, its weights and plasticity traces, every input's random-generator state, the
/// recordings and the step counter. The structure (groups, models, connectivity) is rebuilt by the same
/// construction (the same network file or code) before `restore`. Saved as a safetensors file (tensors named
/// `group/E/v`, `synapses/EE/weight`, ...; integers stored exactly as float32 below 2^24).
extension Network {
    static let exactLimit = 16_777_216

    /// The network's dynamic state as named tensors and metadata.
    public func checkpoint() throws -> (tensors: [(String, Tensor)], metadata: [String: String]) {
        var out: [(String, Tensor)] = []
        func put(_ name: String, _ v: [Float]) { out.append((name, Tensor(shape: [v.count], scalars: v))) }
        func putInts(_ name: String, _ v: [Int32]) throws {
            if let bad = v.first(where: { Int($0) >= Network.exactLimit || $0 < 0 }) {
                throw SimulationError("checkpoint: \(name) holds \(bad), beyond what float32 stores exactly")
            }
            put(name, v.map(Float.init))
        }
        guard step < Network.exactLimit else { throw SimulationError("checkpoint: step \(step) beyond what float32 stores exactly") }
        for g in groups {
            for (k, v) in g.stateNames.enumerated() { put("group/\(g.name)/\(v)", g.dynamics.state(k)) }
            put("group/\(g.name)/input", g.input)
        }
        for s in synapses {
            put("synapses/\(s.name)/weight", s.weight)
            let q = s.queued
            try putInts("synapses/\(s.name)/queue_lengths", q.map { Int32($0.count) })
            try putInts("synapses/\(s.name)/queue", q.flatMap { $0 })
            if let rule = s.plasticity { for (k, v) in rule.checkpointState() { put("synapses/\(s.name)/plasticity/\(k)", v) } }
        }
        for i in inputs { for (k, v) in i.checkpointState() { put("input/\(i.name)/\(k)", v) } }
        for m in monitors {
            switch m {
            case let sm as SpikeMonitor:
                try putInts("monitor/\(sm.name)/indices", sm.indices); try putInts("monitor/\(sm.name)/steps", sm.steps)
            case let st as StateMonitor:
                try putInts("monitor/\(st.name)/steps", st.steps)
                for v in st.variables { put("monitor/\(st.name)/\(v)", st.values[v] ?? []) }
            case let pr as PopulationRateMonitor:
                try putInts("monitor/\(pr.name)/counts", pr.counts)
            default: break
            }
        }
        let meta = ["format": "spikesim-checkpoint-1", "step": "\(step)", "dt": "\(dt)", "seed": "\(seed)"]
        return (out, meta)
    }

    /// Writes `checkpoint()` to `url` atomically (temporary file, then rename).
    public func save(to url: URL) throws {
        let (t, m) = try checkpoint()
        try SafeTensors.write(t, metadata: m, to: url)
    }

    /// Restores a state saved by `checkpoint()` into this network, which must have been built the same way.
    /// Checks everything before changing anything: a mismatch leaves the network as it was.
    public func restore(tensors: [(String, Tensor)], metadata: [String: String]) throws {
        guard metadata["format"] == "spikesim-checkpoint-1" else { throw SimulationError("checkpoint: not a SpikeSim network state") }
        guard let stepText = metadata["step"] else { throw SimulationError("checkpoint: missing step") }
        // `checkpoint()` saves steps below 2^24 only (they are stored in float32 tensors as well).
        guard let st = Int(stepText), st >= 0, st < Network.exactLimit else {
            throw SimulationError("checkpoint: step '\(stepText.prefix(40))' is not an integer in 0..<\(Network.exactLimit)")
        }
        guard let d = metadata["dt"].flatMap(Float.init), d == dt else {
            throw SimulationError("checkpoint: saved at dt \(metadata["dt"] ?? "?") ms, this network runs at \(dt) ms")
        }
        var byName: [String: [Float]] = [:]
        for (k, t) in tensors {
            // Every saved value is finite (states, weights, traces, generator states, recordings, counters).
            if let bad = t.scalars.firstIndex(where: { !$0.isFinite }) {
                throw SimulationError("checkpoint: '\(k)' holds \(t.scalars[bad]) at index \(bad); every saved value is finite")
            }
            byName[k] = t.scalars
        }
        func get(_ name: String, count: Int? = nil) throws -> [Float] {
            guard let v = byName[name] else { throw SimulationError("checkpoint: missing '\(name)' (was it saved from this network?)") }
            if let count, v.count != count { throw SimulationError("checkpoint: '\(name)' has \(v.count) values, expected \(count)") }
            return v
        }
        func ints(_ name: String) throws -> [Int32] {
            let v = try get(name)
            guard v.allSatisfy({ $0 >= 0 && $0 < Float(Network.exactLimit) && $0 == $0.rounded() }) else {
                throw SimulationError("checkpoint: '\(name)' must hold non-negative integers")
            }
            return v.map { Int32($0) }
        }
        // Read and check everything first.
        var groupStates: [[[Float]]] = [], groupInputs: [[Float]] = []
        for g in groups {
            groupStates.append(try g.stateNames.map { try get("group/\(g.name)/\($0)", count: g.size) })
            groupInputs.append(try get("group/\(g.name)/input", count: g.input.count))
        }
        var weights: [[Float]] = [], queues: [[[Int32]]] = [], rules: [[String: [Float]]] = []
        for s in synapses {
            weights.append(try get("synapses/\(s.name)/weight", count: s.count))
            let lengths = try ints("synapses/\(s.name)/queue_lengths"), flat = try ints("synapses/\(s.name)/queue")
            guard lengths.count == s.queued.count, lengths.reduce(0, { $0 + Int($1) }) == flat.count else {
                throw SimulationError("checkpoint: queue of synapses '\(s.name)' does not match its delays")
            }
            var q: [[Int32]] = [], at = 0
            for n in lengths { q.append(Array(flat[at..<(at + Int(n))])); at += Int(n) }
            let limit = s.delaySteps == nil ? s.source.size : s.count
            if let bad = flat.first(where: { Int($0) >= limit }) { throw SimulationError("checkpoint: queue of synapses '\(s.name)' holds index \(bad) out of range") }
            queues.append(q)
            let prefix = "synapses/\(s.name)/plasticity/"
            var r: [String: [Float]] = [:]
            for (k, v) in byName where k.hasPrefix(prefix) { r[String(k.dropFirst(prefix.count))] = v }
            if s.plasticity != nil && r.isEmpty { throw SimulationError("checkpoint: synapses '\(s.name)' has plasticity but no saved traces") }
            rules.append(r)
        }
        var inputStates: [[String: [Float]]] = []
        for i in inputs {
            let prefix = "input/\(i.name)/"
            var r: [String: [Float]] = [:]
            for (k, v) in byName where k.hasPrefix(prefix) { r[String(k.dropFirst(prefix.count))] = v }
            inputStates.append(r)
        }
        var monitorRestores: [() -> Void] = []
        for m in monitors {
            switch m {
            case let sm as SpikeMonitor:
                let (i, t) = (try ints("monitor/\(sm.name)/indices"), try ints("monitor/\(sm.name)/steps"))
                guard i.count == t.count else { throw SimulationError("checkpoint: monitor '\(sm.name)' has \(i.count) indices but \(t.count) steps") }
                monitorRestores.append { sm.restore(indices: i, steps: t) }
            case let stm as StateMonitor:
                var vals: [String: [Float]] = [:]
                let t = try ints("monitor/\(stm.name)/steps")
                for v in stm.variables { vals[v] = try get("monitor/\(stm.name)/\(v)", count: t.count * stm.neurons.count) }
                monitorRestores.append { stm.restore(values: vals, steps: t) }
            case let pr as PopulationRateMonitor:
                let c = try ints("monitor/\(pr.name)/counts")
                monitorRestores.append { pr.restore(counts: c) }
            default: break
            }
        }
        // Apply (rules and inputs check their own state; they run before anything else changes).
        // A rule or input that rejects its state must leave the network as it was: restore the others' states
        // from a backup taken first.
        let ruleBackups = synapses.map { $0.plasticity.map { Dictionary($0.checkpointState(), uniquingKeysWith: { a, _ in a }) } }
        let inputBackups = inputs.map { Dictionary($0.checkpointState(), uniquingKeysWith: { a, _ in a }) }
        do {
            for (s, r) in zip(synapses, rules) { if let rule = s.plasticity { try rule.restore(r) } }
            for (i, r) in zip(inputs, inputStates) { try i.restore(r) }
        } catch {
            for (s, b) in zip(synapses, ruleBackups) { if let rule = s.plasticity, let b { try? rule.restore(b) } }
            for (i, b) in zip(inputs, inputBackups) { try? i.restore(b) }
            throw error
        }
        for (gi, g) in groups.enumerated() {
            for k in 0..<g.stateNames.count { g.dynamics.setState(k, groupStates[gi][k]) }
            g.input = groupInputs[gi]
        }
        for (k, s) in synapses.enumerated() { s.weight = weights[k]; try s.restoreQueue(queues[k]) }
        for apply in monitorRestores { apply() }
        step = st
    }

    /// Restores the state saved at `url` by `save(to:)`.
    public func restore(from url: URL) throws {
        let (t, m) = try SafeTensors.read(from: url)
        try restore(tensors: t, metadata: m)
    }
}
