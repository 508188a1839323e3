import Foundation
import SpikeCore
import SpikeNN

/// How first-spike times become logits in `ReadoutLoss.firstSpikeCrossEntropy` (snnTorch `ce_temporal_loss`'s
/// `inverse`): earlier spikes must give larger logits.
public enum TemporalInverse: String, CaseIterable, Equatable, Sendable {
    /// `logit = -tau` (snnTorch's default `"negate"`).
    case negate
    /// `logit = 1 / (tau + 1)` (snnTorch's `"reciprocal"`).
    case reciprocal
}

/// Readout losses, spike-rate regularisers and accuracies of multi-step outputs (`[T, B, C]`, time first), each a
/// scalar `Variable` with its gradient (snnTorch `snntorch.functional`, SpikingJelly, SPAIC, Zenke & Vogels 2021).
///
/// The functions check what comes from outside and throw a one-line `CodingError`: an output that is not
/// `[T, B, C]`, `T = 0`, a label count different from `B`, a label outside `0 ..< C`, negative or non-finite
/// rates, bounds and strengths. The cross-entropy and MSE-count losses reuse `SpikeNN.Loss` after the checks.
public enum ReadoutLoss {
    // MARK: Checks

    /// Checks that `shape` is `[T, B, C]` with `T >= 1` and that `labels` has `B` entries in `0 ..< C`.
    /// - Throws: `CodingError` naming the first problem.
    public static func checkLabels(_ labels: [Int], _ shape: [Int], _ coder: String) throws {
        _ = try Decode.steps(shape, coder, rank: 3)
        let (B, C) = (shape[1], shape[2])
        guard labels.count == B else {
            throw CodingError("\(coder): \(labels.count) labels for a batch of \(B) (output shape \(shape))")
        }
        if let i = labels.firstIndex(where: { $0 < 0 || $0 >= C }) {
            throw CodingError("\(coder): label \(labels[i]) at index \(i) is outside 0..<\(C) (\(C) outputs)")
        }
    }

    /// Throws unless `value` is a finite rate in [0, 1] (spikes per step).
    static func checkRate(_ value: Float, _ name: String, _ coder: String) throws {
        guard value.isFinite, value >= 0, value <= 1 else {
            throw CodingError("\(coder): \(name) must be a rate in [0, 1] spikes per step, got \(value)")
        }
    }

    /// Throws unless `value` is finite and `>= 0`.
    static func checkNonNegative(_ value: Float, _ name: String, _ coder: String) throws {
        guard value.isFinite, value >= 0 else { throw CodingError("\(coder): \(name) must be >= 0, got \(value)") }
    }

    // MARK: Cross-entropy readouts

    /// Cross-entropy on spike counts, `-1/B sum_b log softmax_c(sum_t s[t, b, :])[label_b]`
    /// (snnTorch `ce_count_loss`; `Loss.countCrossEntropy` after the checks).
    public static func countCrossEntropy(_ spikes: Variable, labels: [Int]) throws -> Variable {
        try checkLabels(labels, spikes.shape, "count")
        return Loss.countCrossEntropy(spikes, labels: labels)
    }

    /// Cross-entropy on the maximum membrane over time, `-1/B sum_b log softmax_c(max_t v[t, b, :])[label_b]`
    /// (snnTorch `ce_max_membrane_loss`, SpyTorch; `Loss.maxMembraneCrossEntropy` after the checks).
    public static func maxMembraneCrossEntropy(_ membrane: Variable, labels: [Int]) throws -> Variable {
        try checkLabels(labels, membrane.shape, "max-membrane")
        return Loss.maxMembraneCrossEntropy(membrane, labels: labels)
    }

    /// Time-softmax loss (SPAIC `Time_Softmax.loss`): `-1/B sum_b log p[b, label_b]` with
    /// `p = Decode.timeSoftmax(v, tau)`, the softmax over all (step, class) pairs summed over time. Since
    /// `log p = log_softmax_c(log sum_t exp(v - t / tau))` it is `Loss.crossEntropy` of `Decode.timeLogSumExp`.
    public static func timeSoftmaxCrossEntropy(_ membrane: Variable, labels: [Int], tau: Float? = nil) throws -> Variable {
        try checkLabels(labels, membrane.shape, "time-softmax")
        return Loss.crossEntropy(try Decode.timeLogSumExp(membrane, tau: tau), labels: labels)
    }

    /// First-spike-time cross-entropy (snnTorch `ce_temporal_loss`): `Loss.crossEntropy(inverse(tau), labels)` with
    /// `tau = Decode.firstSpikeTimes(spikes, gradient:)` (0-based steps, `T` for silent neurons) and
    /// `inverse(tau) = -tau` (`.negate`, default) or `1 / (tau + 1)` (`.reciprocal`), so that the labelled class
    /// learns to fire first. The default `.signEstimator` gradient is snnTorch's; `.soft` is the exact gradient of
    /// the expected first-spike time. snnTorch puts silent neurons at `T - 1`; here at `T` (see
    /// `Decode.firstSpikeTimes`), which changes the value only where a neuron is silent.
    public static func firstSpikeCrossEntropy(_ spikes: Variable, labels: [Int], inverse: TemporalInverse = .negate,
                                              gradient: FirstSpikeGradient = .signEstimator) throws -> Variable {
        try checkLabels(labels, spikes.shape, "first-spike")
        let tau = try Decode.firstSpikeTimes(spikes, gradient: gradient)
        let logits: Variable
        switch inverse {
        case .negate: logits = -tau
        case .reciprocal: logits = Variable(Tensor.ones(tau.shape)) / (tau + 1)
        }
        return Loss.crossEntropy(logits, labels: labels)
    }

    // MARK: MSE readouts

    /// snnTorch `mse_count_loss` (1.0.0), exactly:
    /// `L = 1/T * 1/(B C) sum_{b,c} (sum_t s[t, b, c] - target[b, c])^2`, with the target count
    /// `floor(correctRate * T)` for the labelled class and `floor(incorrectRate * T)` for the others (snnTorch's
    /// `int(num_steps * rate)`), defaults 1 and 0 as snnTorch. snnTorch divides its `MSELoss` mean by `num_steps`
    /// (`return loss / num_steps`). Computed as `Loss.mseCount` (which neither truncates nor divides by `T`) with
    /// the truncated rates, divided by `T`.
    /// - Throws: also for rates outside [0, 1].
    public static func mseCount(_ spikes: Variable, labels: [Int], correctRate: Float = 1, incorrectRate: Float = 0) throws -> Variable {
        try checkLabels(labels, spikes.shape, "mse-count")
        try checkRate(correctRate, "correct_rate", "mse-count")
        try checkRate(incorrectRate, "incorrect_rate", "mse-count")
        let T = spikes.shape[0]
        // The rate as the decimal it was written as (shortest representation), times T in double precision, then
        // truncated: the same integer as Python's int(num_steps * rate) for that decimal (int(10 * 0.7) = 7).
        func truncated(_ rate: Float) -> Float {
            let r = Double("\(rate)") ?? Double(rate)
            return Float((Double(T) * r).rounded(.down)) / Float(T)
        }
        return Loss.mseCount(spikes, labels: labels, correctRate: truncated(correctRate),
                             incorrectRate: truncated(incorrectRate)) / Float(T)
    }

    /// MSE of firing rates to the one-hot label, `1/(B C) sum_{b,c} (sum_t s[t, b, c] / T - onehot[b, c])^2`
    /// (SpikingJelly's `F.mse_loss(out_fr, label_onehot)`), which is `mseCount(correctRate: 1, incorrectRate: 0) / T^2`.
    public static func rateMSE(_ spikes: Variable, labels: [Int]) throws -> Variable {
        try checkLabels(labels, spikes.shape, "rate")
        let T = Float(spikes.shape[0])
        return Loss.mseCount(spikes, labels: labels, correctRate: 1, incorrectRate: 0) / (T * T)
    }

    /// MSE between a voltage trajectory and a target of the same shape, `mean (v - target)^2` over all elements
    /// (the loss for SPAIC's `V_Trajectory` readout, `Decode.trajectory`).
    /// - Throws: `CodingError` if the shapes differ, the input is not `[T, B, ...]` or `T = 0`.
    public static func trajectoryMSE(_ membrane: Variable, target: Tensor) throws -> Variable {
        _ = try Decode.steps(membrane.shape, "trajectory")
        guard target.shape == membrane.shape else {
            throw CodingError("trajectory: target shape \(target.shape) differs from the output shape \(membrane.shape)")
        }
        return (membrane - Variable(target)).squared().mean()
    }

    // MARK: Spike-rate regularisers

    /// L1 sparsity on spikes, `lambda * sum_{t,b,...} s` (snnTorch `l1_rate_sparsity`, default `Lambda = 1e-5`;
    /// the plain sum, not normalised by batch or steps, as snnTorch). Add it to the loss for each spiking layer
    /// whose activity should be sparse; `[T, B, ...]`.
    /// - Throws: `CodingError` for `lambda` negative or not finite, or an input that is not `[T, B, ...]` with `T >= 1`.
    public static func l1RateSparsity(_ spikes: Variable, lambda: Float = 1e-5) throws -> Variable {
        _ = try Decode.steps(spikes.shape, "l1-rate")
        try checkNonNegative(lambda, "lambda", "l1-rate")
        return spikes.sum() * lambda
    }

    /// The rates `r = sum_t s / T` `[B, ...]`, averaged over the non-batch axes into `[B]` when `population`.
    static func boundRates(_ spikes: Variable, _ bound: Float, _ strength: Float, _ population: Bool, _ coder: String) throws -> Variable {
        _ = try Decode.steps(spikes.shape, coder)
        try checkRate(bound, "bound", coder)
        try checkNonNegative(strength, "strength", coder)
        let r = try Decode.rates(spikes)
        return population ? r.reshaped([r.shape[0], -1]).mean(axis: 1) : r
    }

    /// Upper bound on firing rates, L2 (Zenke & Vogels 2021; stork's `UpperBoundL2`):
    /// `strength * mean_{b,i} max(0, r[b, i] - bound)^2` with `r = sum_t s / T` in spikes per step, per neuron and
    /// sample (`population: true`: `r[b]` averaged over the neurons of the layer first, the population-level form
    /// of the paper). Equal to stork's `UpperBoundL2(strength / T^2, threshold: bound * T)` on spike counts.
    /// `[T, B, ...]`; gradient `2 strength (r - bound) / (T n)` above the bound, 0 below (n: the averaged count).
    /// - Throws: `CodingError` for a bound outside [0, 1], a negative strength, or bad input.
    public static func rateUpperBound(_ spikes: Variable, bound: Float, strength: Float = 1, population: Bool = false) throws -> Variable {
        let r = try boundRates(spikes, bound, strength, population, "rate-upper-bound")
        return (r - bound).relu().squared().mean() * strength
    }

    /// Lower bound on firing rates, L2 (Zenke & Vogels 2021's per-neuron lower threshold; stork's `LowerBoundL2`):
    /// `strength * mean_{b,i} max(0, bound - r[b, i])^2`, `r = sum_t s / T` per neuron and sample (`population`:
    /// averaged over the layer's neurons first). Keeps neurons from falling silent.
    /// - Throws: `CodingError` for a bound outside [0, 1], a negative strength, or bad input.
    public static func rateLowerBound(_ spikes: Variable, bound: Float, strength: Float = 1, population: Bool = false) throws -> Variable {
        let r = try boundRates(spikes, bound, strength, population, "rate-lower-bound")
        return ((-r) + bound).relu().squared().mean() * strength
    }

    // MARK: Accuracy

    /// Fraction of samples whose most active output (first on ties) is the label (snnTorch `accuracy_rate`).
    public static func accuracyRate(_ spikes: Tensor, labels: [Int]) throws -> Float {
        try Readout(.count).accuracy(spikes, labels: labels)
    }

    /// Fraction of samples whose first-firing output (lowest index on ties; silent neurons at `T`) is the label
    /// (snnTorch `accuracy_temporal`, which puts silent neurons at `T - 1`).
    public static func accuracyTemporal(_ spikes: Tensor, labels: [Int]) throws -> Float {
        try Readout(.firstSpike).accuracy(spikes, labels: labels)
    }
}
