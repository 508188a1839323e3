import Foundation
import SpikeCore
import SpikeNN

/// How the gradient of a first-spike time reaches the spikes it was read from.
///
/// A first-spike time is a step index, a piecewise-constant function of the spikes, so it needs a surrogate
/// gradient to train through.
public enum FirstSpikeGradient: String, CaseIterable, Equatable, Sendable {
    /// snnTorch's sign estimator (`snntorch.functional.loss.SpikeTime.FirstSpike`, used by `ce_temporal_loss` and
    /// `mse_temporal_loss`): the forward is the exact first-spike step; the backward sets
    /// `d tau / d s[t] = -1` at the first-spike step only (at the last step `T - 1` for a neuron that never
    /// fired) and 0 elsewhere: "a stronger spike there would make it earlier".
    case signEstimator = "sign"
    /// The expected first-spike time when `s[t]` in [0, 1] is read as the probability of a spike at step `t`:
    /// `tau = sum_{t=1..T} prod_{k<t} (1 - s[k])` (the probability of having stayed silent through step `t - 1`,
    /// summed), which equals `sum_t t p_t + T prod_k (1 - s[k])` with `p_t = s[t] prod_{k<t} (1 - s[k])`.
    /// For binary spikes the value is exactly the first-spike step (`T` for silence); its gradient is exact:
    /// `d tau / d s[j] = -prod_{k<j} (1 - s[k]) * R_j`, with `R_{T-1} = 1` and `R_j = 1 + (1 - s[j+1]) R_{j+1}`
    /// (for binary spikes: `-(f - j)` before the first spike `f`, minus the gap to the next spike at `f`, 0 after).
    case soft
}

/// Decoders of multi-step network outputs (`[T, B, C]`, time first) into per-sample class scores (`[B, C]`), as
/// differentiable functions of `Variable`s (SPAIC's `Neuron/Decoders.py` set, snnTorch's readouts).
///
/// Every function checks its input and throws a one-line `CodingError` for a tensor that is not multi-step
/// (`[T, B, ...]`) or has `T = 0` time steps. Reductions over time accept `[T, B, ...]` and return `[B, ...]`;
/// the time softmax needs `[T, B, C]`. Spikes are read as "a spike where the value is non-zero" by the hard
/// first-spike decoder (snnTorch's `.bool()`, SPAIC's `torch.nonzero`); all other spike decoders are linear in the
/// spike values, so they also take smooth values in (0, 1).
public enum Decode {
    /// Checks `[T, B, ...]` (or exactly `rank` axes) with `T >= 1`; returns `T`.
    static func steps(_ shape: [Int], _ coder: String, rank: Int? = nil) throws -> Int {
        if let rank, shape.count != rank {
            throw CodingError("\(coder): expected a \(rank)-axis multi-step tensor [T, B, C], got shape \(shape)")
        }
        guard shape.count >= 2 else {
            throw CodingError("\(coder): expected a multi-step tensor [T, B, ...] (time first), got shape \(shape)")
        }
        guard shape[0] >= 1 else { throw CodingError("\(coder): T = 0 time steps in shape \(shape); need at least 1") }
        return shape[0]
    }

    // MARK: Spike decoders

    /// Spike counts `n[b, c] = sum_t s[t, b, c]` (SPAIC `Spike_Counts` with `pop_size` 1, bias 0, scale 1; the
    /// quantity of snnTorch's `ce_count_loss` and `accuracy_rate`). `[T, B, ...] -> [B, ...]`; gradient 1 to every step.
    public static func counts(_ spikes: Variable) throws -> Variable {
        _ = try steps(spikes.shape, "counts")
        return spikes.sum(axis: 0)
    }

    /// Spike rates in spikes per step, `r[b, c] = (1 / T) sum_t s[t, b, c]` (SPAIC `Spike_Rates`; SpikingJelly's
    /// firing rate `out_fr`). Multiply by `1 / dt` for Hz. `[T, B, ...] -> [B, ...]`.
    public static func rates(_ spikes: Variable) throws -> Variable {
        let T = try steps(spikes.shape, "rates")
        return spikes.sum(axis: 0) / Float(T)
    }

    /// The weights of `timeWeightedCounts`: `w_t = scale * exp(-t / tau)` for `t = 0 ..< T`, with `tau = T / 2`
    /// when nil (SPAIC `TimeSpike_Counts`: `0.1 * exp(-t / (0.5 T))`). Earlier spikes weigh more: the first step
    /// weighs `scale`, the last about `scale * e^-2` with the default `tau`.
    /// - Throws: `CodingError` for `steps < 1`, or `scale` or `tau` not positive and finite.
    public static func timeWeights(steps: Int, scale: Float = 0.1, tau: Float? = nil) throws -> [Float] {
        try CodingCheck.steps(steps, "time-weighted-count")
        try CodingCheck.positive(scale, "scale", "time-weighted-count")
        if let tau { try CodingCheck.positive(tau, "tau", "time-weighted-count") }
        let tc = tau ?? Float(steps) / 2
        return (0..<steps).map { scale * Foundation.exp(-Float($0) / tc) }
    }

    /// Time-weighted spike counts `y[b, c] = sum_t w_t s[t, b, c]` with `w_t = scale * exp(-t / tau)`,
    /// defaults `scale = 0.1`, `tau = T / 2` steps (SPAIC `TimeSpike_Counts`, see `timeWeights`): earlier spikes
    /// weigh more, so among equal counts the earlier firing class wins. `[T, B, ...] -> [B, ...]`;
    /// VJP: `d y / d s[t] = w_t`.
    public static func timeWeightedCounts(_ spikes: Variable, scale: Float = 0.1, tau: Float? = nil) throws -> Variable {
        let T = try steps(spikes.shape, "time-weighted-count")
        let w = try timeWeights(steps: T, scale: scale, tau: tau)
        let x = spikes.value, inner = x.count / T
        var out = [Float](repeating: 0, count: inner)
        for t in 0..<T { for i in 0..<inner { out[i] += w[t] * x.scalars[t * inner + i] } }
        let outShape = Array(x.shape.dropFirst())
        return Variable.record(Tensor(shape: outShape, scalars: out), parents: [spikes]) { g in
            var d = [Float](repeating: 0, count: T * inner)
            for t in 0..<T { for i in 0..<inner { d[t * inner + i] = w[t] * g.scalars[i] } }
            return [Tensor(shape: x.shape, scalars: d)]
        }
    }

    /// The step of the first spike of every neuron (0-based), `T` for a neuron that never fires:
    /// `tau[b, c] = min { t : s[t, b, c] != 0 }`, else `T`. `[T, B, ...] -> [B, ...]`, no gradient.
    ///
    /// snnTorch (`SpikeTime.FirstSpike`, `accuracy_temporal`) gives silent neurons `T - 1` (a "shadow spike" at the
    /// last step); here they get `T`, so a spike at the last step still beats silence.
    public static func firstSpikeTimes(_ spikes: Tensor) throws -> Tensor {
        let T = try steps(spikes.shape, "first-spike")
        let first = firstIndices(spikes, T)
        return Tensor(shape: Array(spikes.shape.dropFirst()), scalars: first.map(Float.init))
    }

    /// First-spike step of each of the `count / T` neurons, `T` where silent.
    static func firstIndices(_ x: Tensor, _ T: Int) -> [Int] {
        let inner = x.count / T
        var first = [Int](repeating: T, count: inner)
        for i in 0..<inner {
            for t in 0..<T where x.scalars[t * inner + i] != 0 { first[i] = t; break }
        }
        return first
    }

    /// Differentiable first-spike times (time-to-first-spike decoding), `[T, B, ...] -> [B, ...]`, 0-based steps
    /// with `T` for silent neurons. With `.signEstimator` (default, snnTorch's `ce_temporal_loss` surrogate) the
    /// forward is `firstSpikeTimes(spikes.value)` and the backward `-g` at the first-spike step (at `T - 1` for a
    /// silent neuron). With `.soft` the value is the expected first-spike time
    /// `sum_{t=1..T} prod_{k<t} (1 - s[k])` (equal to the hard value for binary spikes) with its exact gradient;
    /// see `FirstSpikeGradient`.
    public static func firstSpikeTimes(_ spikes: Variable, gradient: FirstSpikeGradient = .signEstimator) throws -> Variable {
        let T = try steps(spikes.shape, "first-spike")
        let x = spikes.value, inner = x.count / T
        let outShape = Array(x.shape.dropFirst())
        switch gradient {
        case .signEstimator:
            let first = firstIndices(x, T)
            return Variable.record(Tensor(shape: outShape, scalars: first.map(Float.init)), parents: [spikes]) { g in
                var d = [Float](repeating: 0, count: T * inner)
                for i in 0..<inner { d[Swift.min(first[i], T - 1) * inner + i] = -g.scalars[i] }
                return [Tensor(shape: x.shape, scalars: d)]
            }
        case .soft:
            var tau = [Float](repeating: 0, count: inner)
            for i in 0..<inner {
                var q: Float = 1, sum: Float = 0
                for t in 0..<T { q *= 1 - x.scalars[t * inner + i]; sum += q }
                tau[i] = sum
            }
            return Variable.record(Tensor(shape: outShape, scalars: tau), parents: [spikes]) { g in
                var d = [Float](repeating: 0, count: T * inner)
                var prefix = [Float](repeating: 1, count: T)
                for i in 0..<inner {
                    // prefix[j] = prod_{k<j} (1 - s[k]).
                    for j in 1..<T { prefix[j] = prefix[j - 1] * (1 - x.scalars[(j - 1) * inner + i]) }
                    var r: Float = 1  // R_{T-1}
                    for j in stride(from: T - 1, through: 0, by: -1) {
                        if j < T - 1 { r = 1 + (1 - x.scalars[(j + 1) * inner + i]) * r }
                        d[j * inner + i] = -g.scalars[i] * prefix[j] * r
                    }
                }
                return [Tensor(shape: x.shape, scalars: d)]
            }
        }
    }

    // MARK: Membrane decoders

    /// The membrane at the last step, `y[b, c] = v[T - 1, b, c]` (SPAIC `Final_Step_Voltage`). `[T, B, ...] -> [B, ...]`;
    /// gradient only to the last step.
    public static func finalVoltage(_ membrane: Variable) throws -> Variable {
        let T = try steps(membrane.shape, "final-voltage")
        return membrane.slice((T - 1)..<T).reshaped(Array(membrane.shape.dropFirst()))
    }

    /// The membrane summed over time, `y[b, c] = sum_t v[t, b, c]` (SPAIC `Voltage_Sum` as its numpy path and name
    /// say; SPAIC's torch path returns the last step minus its mean instead). Scales with `T`. `[T, B, ...] -> [B, ...]`.
    public static func voltageSum(_ membrane: Variable) throws -> Variable {
        _ = try steps(membrane.shape, "voltage-sum")
        return membrane.sum(axis: 0)
    }

    /// The maximum membrane over time, `y[b, c] = max_t v[t, b, c]` (snnTorch `ce_max_membrane_loss`, SpyTorch /
    /// Zenke & Vogels 2021). `[T, B, ...] -> [B, ...]`; the gradient goes to the first maximal step.
    public static func maxMembrane(_ membrane: Variable) throws -> Variable {
        _ = try steps(membrane.shape, "max-membrane")
        return membrane.max(axis: 0)
    }

    /// The log-normaliser over time of the time softmax, `z[b, c] = log sum_t exp(v[t, b, c] - t / tau)`
    /// (`tau` nil: no time discount), computed max-subtracted. It is a smooth maximum over time (between `max_t v`
    /// and `max_t v + log T`); `softmax_c(z)` is `timeSoftmax`. `[T, B, ...] -> [B, ...]`;
    /// VJP: `g * softmax_t(v - t / tau)`.
    public static func timeLogSumExp(_ membrane: Variable, tau: Float? = nil) throws -> Variable {
        let T = try steps(membrane.shape, "time-softmax")
        if let tau { try CodingCheck.positive(tau, "tau", "time-softmax") }
        let x = membrane.value, inner = x.count / T
        var logits = x.scalars
        if let tau { for t in 0..<T { for i in 0..<inner { logits[t * inner + i] -= Float(t) / tau } } }
        var z = [Float](repeating: 0, count: inner)
        for i in 0..<inner {
            var m = -Float.infinity
            for t in 0..<T { m = Swift.max(m, logits[t * inner + i]) }
            var s: Float = 0
            for t in 0..<T { s += Foundation.exp(logits[t * inner + i] - m) }
            z[i] = m + Foundation.log(s)
        }
        return Variable.record(Tensor(shape: Array(x.shape.dropFirst()), scalars: z), parents: [membrane]) { g in
            var d = [Float](repeating: 0, count: T * inner)
            for t in 0..<T { for i in 0..<inner {
                d[t * inner + i] = g.scalars[i] * Foundation.exp(logits[t * inner + i] - z[i])
            } }
            return [Tensor(shape: x.shape, scalars: d)]
        }
    }

    /// Time softmax (SPAIC `Time_Softmax`): one softmax over all (time step, class) pairs of a sample, summed over
    /// time, giving class probabilities
    /// `p[b, c] = sum_t exp(v[t, b, c] - t / tau) / sum_{t', c'} exp(v[t', b, c'] - t' / tau)
    ///          = softmax_c(timeLogSumExp(v))[b, c]`.
    /// SPAIC normalises `s * exp(-(t - t_s) / 20)` of spike events over time and neurons (dims 0 and 2) and sums
    /// over time, with loss `-mean log p[label]`; here the logits are the membrane (the readout of a non-spiking
    /// layer), with SPAIC's earlier-is-heavier discount `exp(-t / tau)` optional (`tau` in steps, nil: none).
    /// `[T, B, C] -> [B, C]`, rows summing to 1.
    public static func timeSoftmax(_ membrane: Variable, tau: Float? = nil) throws -> Variable {
        _ = try steps(membrane.shape, "time-softmax", rank: 3)
        return try timeLogSumExp(membrane, tau: tau).softmax(axis: -1)
    }

    /// The voltage trajectory itself, `[T, B, ...]` unchanged (SPAIC `V_Trajectory`), for losses against a target
    /// trajectory (`ReadoutLoss.trajectoryMSE`). Not a class score, so it has no `Readout` case.
    public static func trajectory(_ membrane: Variable) throws -> Variable {
        _ = try steps(membrane.shape, "trajectory")
        return membrane
    }
}

/// A named readout for the training loop: how to turn the network output `[T, B, C]` into class scores, the loss
/// that trains it and its accuracy. Build one with `Readout.named("count")` (from a CLI option) or
/// `Readout(.maxMembrane)`.
///
/// | name                  | input    | scores `[B, C]`                      | loss                                      |
/// |-----------------------|----------|--------------------------------------|-------------------------------------------|
/// | `count`               | spikes   | `sum_t s`                            | cross-entropy on counts (snnTorch `ce_count_loss`) |
/// | `mse-count`           | spikes   | `sum_t s`                            | snnTorch `mse_count_loss(correct_rate, incorrect_rate)` |
/// | `rate`                | spikes   | `sum_t s / T`                        | MSE of rates to one-hot (SpikingJelly)    |
/// | `time-weighted-count` | spikes   | `sum_t 0.1 e^{-t/(T/2)} s`           | cross-entropy on the weighted counts (SPAIC) |
/// | `first-spike`         | spikes   | `-first spike time`                  | snnTorch `ce_temporal_loss`               |
/// | `final-voltage`       | membrane | `v[T-1]`                             | cross-entropy (SPAIC `Final_Step_Voltage`) |
/// | `voltage-sum`         | membrane | `sum_t v`                            | cross-entropy (SPAIC `Voltage_Sum`)       |
/// | `max-membrane`        | membrane | `max_t v`                            | cross-entropy (snnTorch `ce_max_membrane_loss`) |
/// | `time-softmax`        | membrane | `softmax_c(log sum_t e^v)`           | `-mean log p[label]` (SPAIC `Time_Softmax`) |
///
/// Accuracy is the fraction of samples whose highest score is at the label (first index on ties), which for
/// `count` is snnTorch's `accuracy_rate` and for `first-spike` its `accuracy_temporal` (earliest spike wins).
///
/// Named `Readout` rather than `Decoder`: a public `Decoder` type would shadow the standard library's Codable
/// `Decoder` protocol in every module that imports SpikeCoding (or the SpikeKit umbrella), breaking hand-written
/// `init(from decoder: any Decoder)` there.
public struct Readout: Equatable, Sendable, CustomStringConvertible {
    /// The readouts, by CLI name.
    public enum Kind: String, CaseIterable, Equatable, Sendable {
        /// Spike counts with cross-entropy (snnTorch `ce_count_loss`, SPAIC `Spike_Counts`).
        case count
        /// Spike counts with snnTorch's `mse_count_loss` to target rates.
        case mseCount = "mse-count"
        /// Spike rates with MSE to the one-hot label (SpikingJelly, SPAIC `Spike_Rates`).
        case rate
        /// Time-weighted counts (SPAIC `TimeSpike_Counts`) with cross-entropy.
        case timeWeightedCount = "time-weighted-count"
        /// Time to first spike with snnTorch's `ce_temporal_loss` (SPAIC `First_Spike`).
        case firstSpike = "first-spike"
        /// Last-step membrane with cross-entropy (SPAIC `Final_Step_Voltage`).
        case finalVoltage = "final-voltage"
        /// Membrane summed over time with cross-entropy (SPAIC `Voltage_Sum`).
        case voltageSum = "voltage-sum"
        /// Maximum membrane over time with cross-entropy (snnTorch `ce_max_membrane_loss`, SpyTorch).
        case maxMembrane = "max-membrane"
        /// Softmax over time and classes of the membrane (SPAIC `Time_Softmax`).
        case timeSoftmax = "time-softmax"
    }

    /// What the output layer must produce for a readout: spikes (a spiking layer) or a membrane (a non-spiking,
    /// leaky-integrator layer).
    public enum Input: String, Equatable, Sendable {
        /// Spikes of a spiking output layer.
        case spikes
        /// Membrane potential of a non-spiking (leaky-integrator) output layer.
        case membrane
    }

    /// The readout.
    public var kind: Kind
    /// `mse-count`: target rate of the labelled class (spikes per step), default 1 as snnTorch.
    public var correctRate: Float = 1
    /// `mse-count`: target rate of the other classes, default 0 as snnTorch.
    public var incorrectRate: Float = 0
    /// `time-weighted-count`: weight of the first step, default 0.1 as SPAIC.
    public var timeWeightScale: Float = 0.1
    /// `time-weighted-count`: decay constant in steps, nil for SPAIC's `T / 2`.
    public var timeWeightTau: Float? = nil
    /// `first-spike`: surrogate gradient through the spike times, default snnTorch's sign estimator.
    public var firstSpikeGradient: FirstSpikeGradient = .signEstimator
    /// `first-spike`: how times become logits, default snnTorch's `negate`.
    public var temporalInverse: TemporalInverse = .negate
    /// `time-softmax`: time discount `exp(-t / tau)` in steps, nil for none.
    public var timeSoftmaxTau: Float? = nil

    /// A decoder of `kind` with the reference defaults.
    public init(_ kind: Kind) { self.kind = kind }

    /// Every readout name, in `Kind` order.
    public static var names: [String] { Kind.allCases.map(\.rawValue) }

    /// The CLI name.
    public var name: String { kind.rawValue }

    /// Which output layer the readout needs.
    public var input: Input {
        switch kind {
        case .count, .mseCount, .rate, .timeWeightedCount, .firstSpike: return .spikes
        case .finalVoltage, .voltageSum, .maxMembrane, .timeSoftmax: return .membrane
        }
    }

    /// Parameter names `named` accepts for each readout (snnTorch spelling).
    public static func parameterNames(of kind: Kind) -> [String] {
        switch kind {
        case .mseCount: return ["correct_rate", "incorrect_rate"]
        case .timeWeightedCount: return ["scale", "tau"]
        case .firstSpike: return ["gradient", "inverse"]
        case .timeSoftmax: return ["tau"]
        case .count, .rate, .finalVoltage, .voltageSum, .maxMembrane: return []
        }
    }

    /// The decoder called `name` (see `names`) with `parameters` as strings, e.g.
    /// `Readout.named("mse-count", parameters: ["correct_rate": "0.8", "incorrect_rate": "0.2"])`,
    /// `Readout.named("first-spike", parameters: ["gradient": "soft", "inverse": "reciprocal"])`.
    /// - Throws: `CodingError` for an unknown name or parameter, a value that is not a number (or not one of the
    ///   choices), rates outside [0, 1], or a scale or tau that is not positive.
    public static func named(_ name: String, parameters: [String: String] = [:]) throws -> Readout {
        guard let kind = Kind(rawValue: name) else {
            throw CodingError("decoder: unknown readout '\(name)' (known: \(names.joined(separator: ", ")))")
        }
        var d = Readout(kind)
        let known = parameterNames(of: kind)
        func number(_ key: String, _ text: String) throws -> Float {
            guard let v = Float(text.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                throw CodingError("\(name): parameter \(key) must be a finite number, got '\(text)'")
            }
            return v
        }
        for (key, text) in parameters.sorted(by: { $0.key < $1.key }) {
            guard known.contains(key) else {
                throw CodingError("\(name): unknown parameter '\(key)' (known: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
            }
            switch key {
            case "correct_rate": d.correctRate = try number(key, text)
            case "incorrect_rate": d.incorrectRate = try number(key, text)
            case "scale": d.timeWeightScale = try number(key, text)
            case "tau":
                if kind == .timeSoftmax { d.timeSoftmaxTau = try number(key, text) } else { d.timeWeightTau = try number(key, text) }
            case "gradient":
                guard let g = FirstSpikeGradient(rawValue: text) else {
                    throw CodingError("\(name): gradient must be one of \(FirstSpikeGradient.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
                }
                d.firstSpikeGradient = g
            case "inverse":
                guard let i = TemporalInverse(rawValue: text) else {
                    throw CodingError("\(name): inverse must be one of \(TemporalInverse.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
                }
                d.temporalInverse = i
            default: break
            }
        }
        try d.validate()
        return d
    }

    /// The settings that differ from the defaults, as `named` takes them: `Readout.named(d.name, parameters:
    /// d.parameters) == d`.
    public var parameters: [String: String] {
        var p: [String: String] = [:]
        let base = Readout(kind)
        switch kind {
        case .mseCount:
            if correctRate != base.correctRate { p["correct_rate"] = "\(correctRate)" }
            if incorrectRate != base.incorrectRate { p["incorrect_rate"] = "\(incorrectRate)" }
        case .timeWeightedCount:
            if timeWeightScale != base.timeWeightScale { p["scale"] = "\(timeWeightScale)" }
            if let t = timeWeightTau { p["tau"] = "\(t)" }
        case .firstSpike:
            if firstSpikeGradient != base.firstSpikeGradient { p["gradient"] = firstSpikeGradient.rawValue }
            if temporalInverse != base.temporalInverse { p["inverse"] = temporalInverse.rawValue }
        case .timeSoftmax:
            if let t = timeSoftmaxTau { p["tau"] = "\(t)" }
        case .count, .rate, .finalVoltage, .voltageSum, .maxMembrane: break
        }
        return p
    }

    /// The name with the non-default parameters, e.g. `mse-count(correct_rate=0.8, incorrect_rate=0.2)`.
    public var description: String {
        let p = parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return p.isEmpty ? name : "\(name)(\(p.joined(separator: ", ")))"
    }

    /// Checks the settings (those that apply to `kind`).
    /// - Throws: `CodingError` for rates outside [0, 1] or a scale / tau that is not positive and finite.
    public func validate() throws {
        switch kind {
        case .mseCount:
            try ReadoutLoss.checkRate(correctRate, "correct_rate", name)
            try ReadoutLoss.checkRate(incorrectRate, "incorrect_rate", name)
        case .timeWeightedCount:
            try CodingCheck.positive(timeWeightScale, "scale", name)
            if let t = timeWeightTau { try CodingCheck.positive(t, "tau", name) }
        case .timeSoftmax:
            if let t = timeSoftmaxTau { try CodingCheck.positive(t, "tau", name) }
        case .count, .rate, .firstSpike, .finalVoltage, .voltageSum, .maxMembrane: break
        }
    }

    /// Differentiable class scores `[B, C]` of the output `y` `[T, B, C]` (higher is better; `first-spike`
    /// gives the negated first-spike time through its surrogate, `time-softmax` probabilities).
    /// - Throws: `CodingError` for an output that is not `[T, B, C]` with `T >= 1`, or bad settings.
    public func decode(_ y: Variable) throws -> Variable {
        _ = try Decode.steps(y.shape, name, rank: 3)
        switch kind {
        case .count, .mseCount: return try Decode.counts(y)
        case .rate: return try Decode.rates(y)
        case .timeWeightedCount: return try Decode.timeWeightedCounts(y, scale: timeWeightScale, tau: timeWeightTau)
        case .firstSpike: return -(try Decode.firstSpikeTimes(y, gradient: firstSpikeGradient))
        case .finalVoltage: return try Decode.finalVoltage(y)
        case .voltageSum: return try Decode.voltageSum(y)
        case .maxMembrane: return try Decode.maxMembrane(y)
        case .timeSoftmax: return try Decode.timeSoftmax(y, tau: timeSoftmaxTau)
        }
    }

    /// Class scores `[B, C]` of the output `y` `[T, B, C]` without recording gradients; the first maximum of a
    /// row is the prediction. `first-spike` scores are minus the hard first-spike times (silent: `-T`).
    public func scores(_ y: Tensor) throws -> Tensor {
        if kind == .firstSpike {
            _ = try Decode.steps(y.shape, name, rank: 3)
            return -(try Decode.firstSpikeTimes(y))
        }
        return try Tape.withoutGradients { try decode(Variable(y)).value }
    }

    /// The training loss of the readout (a scalar), see the table in the type's documentation.
    /// - Throws: `CodingError` for an output that is not `[T, B, C]`, `T = 0`, a label count that is not `B` or
    ///   a label outside `0 ..< C`.
    public func loss(_ y: Variable, labels: [Int]) throws -> Variable {
        switch kind {
        case .count: return try ReadoutLoss.countCrossEntropy(y, labels: labels)
        case .mseCount: return try ReadoutLoss.mseCount(y, labels: labels, correctRate: correctRate, incorrectRate: incorrectRate)
        case .rate: return try ReadoutLoss.rateMSE(y, labels: labels)
        case .timeWeightedCount:
            try ReadoutLoss.checkLabels(labels, y.shape, name)
            return Loss.crossEntropy(try Decode.timeWeightedCounts(y, scale: timeWeightScale, tau: timeWeightTau), labels: labels)
        case .firstSpike:
            return try ReadoutLoss.firstSpikeCrossEntropy(y, labels: labels, inverse: temporalInverse, gradient: firstSpikeGradient)
        case .finalVoltage:
            try ReadoutLoss.checkLabels(labels, y.shape, name)
            return Loss.crossEntropy(try Decode.finalVoltage(y), labels: labels)
        case .voltageSum:
            try ReadoutLoss.checkLabels(labels, y.shape, name)
            return Loss.crossEntropy(try Decode.voltageSum(y), labels: labels)
        case .maxMembrane: return try ReadoutLoss.maxMembraneCrossEntropy(y, labels: labels)
        case .timeSoftmax: return try ReadoutLoss.timeSoftmaxCrossEntropy(y, labels: labels, tau: timeSoftmaxTau)
        }
    }

    /// Fraction of samples whose first maximal score is at the label (`Loss.accuracy` of `scores(y)`).
    /// - Throws: as `loss`.
    public func accuracy(_ y: Tensor, labels: [Int]) throws -> Float {
        try ReadoutLoss.checkLabels(labels, y.shape, name)
        return Loss.accuracy(try scores(y), labels: labels)
    }
}
