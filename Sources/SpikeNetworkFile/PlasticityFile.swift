import Foundation
import SpikeCore
import SpikeNeurons
import SpikeCoding
import SpikeIO
import SpikeSim

/// The `plasticity` of a projection in a network file, parsed and type-checked (the rule itself is made, and
/// its values range-checked, when the network is built, still before the first step).
public struct PlasticityDescription {
    /// The rules a network file can name.
    public static let rules = ["stdp", "triplet", "reward_stdp"]
    /// The published parameter sets of `triplet` (Pfister & Gerstner 2006, Table 4) by file name.
    public static let tripletSets: [(String, TripletSTDP.Parameters)] = [
        ("visual_cortex_all_to_all", .visualCortexAllToAll), ("visual_cortex_all_to_all_minimal", .visualCortexAllToAllMinimal),
        ("visual_cortex_nearest", .visualCortexNearest), ("hippocampal_all_to_all", .hippocampalAllToAll),
        ("hippocampal_nearest", .hippocampalNearest),
    ]

    /// Where it is in the file.
    public let node: FileNode
    /// `stdp`, `triplet` or `reward_stdp`.
    public let rule: String
    /// The numbers given, by field name.
    public let numbers: [String: Float]
    /// `pairing` (`all_to_all` or `nearest`), if given.
    public let pairing: SpikePairing?
    /// `dependence` (`additive` or `multiplicative`), if given.
    public let dependence: WeightDependence?
    /// `pre_timing` (`emission` or `arrival`), if given.
    public let preTiming: PreSpikeTiming?
    /// `set` of `triplet`, if given.
    public let tripletSet: TripletSTDP.Parameters?
    /// `reward_stdp`'s reward: a constant, or values at given times (ms; 0 at other steps).
    public let reward: (constant: Float, schedule: [(time: Float, value: Float)])?

    /// Parses `plasticity` (an object with `rule` and the rule's fields, names as in its doc comment).
    static func parse(_ node: FileNode, dt: Float) throws -> PlasticityDescription {
        let head = try node.object(allowed: ["rule"] + allFields, required: ["rule"])
        let ruleNode = try head.required("rule")
        let rule = try ruleNode.string()
        guard let fields = Self.fields[rule] else {
            throw ruleNode.error("unknown plasticity rule \(MessageText.quoted(rule)) (known: \(rules.joined(separator: ", ")))")
        }
        let o = try node.object(allowed: ["rule"] + fields, required: ["rule"]) { "\(rule) has no field \(MessageText.quoted($0)) (has \(fields.joined(separator: ", ")))" }
        var numbers: [String: Float] = [:]
        for key in o.keys where !["rule", "pairing", "dependence", "set", "reward", "pre_timing"].contains(key) { numbers[key] = try o.required(key).float() }
        func choice<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type) throws -> T? where T.RawValue == String {
            guard let n = o[key] else { return nil }
            let s = try n.string()
            guard let v = T(rawValue: s) else {
                throw n.error("unknown \(key) \(MessageText.quoted(s)) (known: \(T.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return v
        }
        var set: TripletSTDP.Parameters? = nil
        if let n = o["set"] {
            let s = try n.string()
            guard let found = tripletSets.first(where: { $0.0 == s }) else {
                throw n.error("unknown parameter set \(MessageText.quoted(s)) (known: \(tripletSets.map(\.0).joined(separator: ", ")))")
            }
            set = found.1
        }
        var reward: (Float, [(Float, Float)])? = nil
        if let r = o["reward"] {
            if case .number = r.value { reward = (try r.float(), []) } else {
                let ro = try r.object(allowed: ["times", "values"], required: ["times", "values"])
                let times = try ro.required("times").floats(), values = try ro.required("values").floats()
                guard times.count == values.count else { throw r.error("\(times.count) times but \(values.count) values") }
                if let k = times.firstIndex(where: { $0 < 0 }) { throw try ro.required("times").array()[k].error("time must be >= 0 ms, got \(times[k])") }
                // Times become steps (Int): beyond the last step a run can reach they are an error, not a trap.
                if let k = times.firstIndex(where: { (Double($0) / Double(dt)).rounded() > Double(Int32.max) }) {
                    throw try ro.required("times").array()[k].error("\(times[k]) ms is beyond the \(Int32.max) steps of \(dt) ms a run can reach")
                }
                reward = (0, Array(zip(times, values)))
            }
        }
        return PlasticityDescription(node: node, rule: rule, numbers: numbers, pairing: try choice("pairing", SpikePairing.self),
                                     dependence: try choice("dependence", WeightDependence.self),
                                     preTiming: try choice("pre_timing", PreSpikeTiming.self), tripletSet: set,
                                     reward: reward.map { (constant: $0.0, schedule: $0.1.map { (time: $0.0, value: $0.1) }) })
    }

    /// The fields of each rule (besides `rule`).
    static let fields: [String: [String]] = [
        "stdp": ["tau_plus", "tau_minus", "a_plus", "a_minus", "w_min", "w_max", "dependence", "pairing", "pre_timing"],
        "triplet": ["set", "tau_plus", "tau_minus", "tau_x", "tau_y", "a2_plus", "a3_plus", "a2_minus", "a3_minus", "pairing",
                    "w_min", "w_max", "dependence", "pre_timing"],
        "reward_stdp": ["tau_plus", "tau_minus", "a_plus", "a_minus", "tau_c", "tau_d", "eta", "w_min", "w_max", "pairing", "reward",
                        "pre_timing"],
    ]
    static var allFields: [String] { Array(Set(fields.values.flatMap { $0 })).sorted() }

    /// The rule, attached to `synapses` of `network` (a reward schedule reads the network's step).
    func attach(to synapses: Synapses, network: Network) throws {
        func n(_ key: String, _ def: Float) -> Float { numbers[key] ?? def }
        let made: any PlasticityRule
        do {
            switch rule {
            case "stdp":
                made = try STDP(tauPlus: n("tau_plus", 20), tauMinus: n("tau_minus", 20), aPlus: n("a_plus", 0.005),
                                aMinus: n("a_minus", 0.00525), wMin: n("w_min", 0), wMax: n("w_max", 1),
                                dependence: dependence ?? .additive, pairing: pairing ?? .allToAll, preTiming: preTiming ?? .emission)
            case "triplet":
                var p = tripletSet ?? .visualCortexAllToAll
                p.tauPlus = n("tau_plus", p.tauPlus); p.tauMinus = n("tau_minus", p.tauMinus)
                p.tauX = n("tau_x", p.tauX); p.tauY = n("tau_y", p.tauY)
                p.a2Plus = n("a2_plus", p.a2Plus); p.a3Plus = n("a3_plus", p.a3Plus)
                p.a2Minus = n("a2_minus", p.a2Minus); p.a3Minus = n("a3_minus", p.a3Minus)
                if let pairing { p.pairing = pairing }
                made = try TripletSTDP(p, wMin: n("w_min", 0), wMax: n("w_max", 1), dependence: dependence ?? .additive,
                                       preTiming: preTiming ?? .emission)
            default:
                let r = try RewardModulatedSTDP(tauPlus: n("tau_plus", 20), tauMinus: n("tau_minus", 20), aPlus: n("a_plus", 1),
                                                aMinus: n("a_minus", 1.5), tauEligibility: n("tau_c", 1000), tauReward: n("tau_d", 0),
                                                learningRate: n("eta", 1), wMin: n("w_min", 0), wMax: n("w_max", 4),
                                                pairing: pairing ?? .allToAll, preTiming: preTiming ?? .emission)
                if let reward {
                    r.reward = reward.constant
                    if !reward.schedule.isEmpty {
                        var byStep: [Int: Float] = [:]
                        for (t, v) in reward.schedule { byStep[Int((Double(t) / Double(network.dt)).rounded()), default: 0] += v }
                        r.rewardSignal = { [unowned network] in byStep[network.step] ?? 0 }
                    }
                }
                made = r
            }
            try synapses.setPlasticity(made)
        } catch { throw node.error("\(error)") }
    }
}
