import Foundation

/// A learning-rate schedule, following PyTorch's `torch.optim.lr_scheduler` code (torch 2.x) step by step, in
/// double precision as Python computes it, so the rates equal torch's to the last bit before the conversion
/// to `Float`:
///
/// - `.step(stepSize:gamma:)`: `StepLR`, stepped once per epoch. At epoch `e` (from 0) the rate is multiplied by
///   `gamma` whenever `e > 0` and `e % stepSize == 0` (torch's recursive `get_lr`), i.e.
///   `lr_e = lr_0 * gamma^floor(e / stepSize)`.
/// - `.cosine(minimum:)`: `CosineAnnealingLR(T_max = epochs, eta_min = minimum)`, stepped once per epoch with
///   torch's recursive form `lr_e = (1 + cos(pi e / T)) / (1 + cos(pi (e-1) / T)) * (lr_{e-1} - eta_min) + eta_min`
///   (and `lr_{e-1} + (lr_0 - eta_min)(1 - cos(pi / T)) / 2` where `(e - 1 - T) % 2T == 0`), which approximates
///   the closed form `eta_min + (lr_0 - eta_min)(1 + cos(pi e / T)) / 2`.
/// - `.oneCycle(pctStart:divFactor:finalDivFactor:)`: `OneCycleLR(max_lr = lr_0, total_steps = epochs * batches,
///   anneal_strategy="cos", three_phase=False)`, stepped once per batch: from `lr_0 / divFactor` up to `lr_0`
///   over the first `pctStart * total - 1` steps, then down to `lr_0 / divFactor / finalDivFactor` at the last
///   step, each phase `end + (start - end) / 2 * (1 + cos(pi * pct))`. Torch's momentum cycling
///   (`cycle_momentum`, which changes Adam's beta1) is not done: this is `cycle_momentum=False`.
///   Defaults are torch's: 0.3, 25, 1e4.
public enum LearningRateSchedule: Codable, Equatable, Sendable {
    /// `StepLR(step_size, gamma)`; torch's default gamma is 0.1.
    case step(stepSize: Int, gamma: Double)
    /// `CosineAnnealingLR(T_max = epochs, eta_min)`.
    case cosine(minimum: Double)
    /// `OneCycleLR(max_lr = the base rate, pct_start, div_factor, final_div_factor)`.
    case oneCycle(pctStart: Double, divFactor: Double, finalDivFactor: Double)

    /// The names `parse` knows.
    public static let names = ["none", "step", "cosine", "one-cycle"]

    /// A schedule from its CLI name with torch's defaults (`step` every `stepSize` epochs, gamma 0.1; `cosine` to 0;
    /// `one-cycle` 0.3/25/1e4); nil for "none".
    /// - Throws: `TrainingError` for an unknown name.
    public static func parse(_ name: String, stepSize: Int = 30, gamma: Double = 0.1, minimum: Double = 0) throws -> LearningRateSchedule? {
        switch name {
        case "none": return nil
        case "step": return .step(stepSize: stepSize, gamma: gamma)
        case "cosine": return .cosine(minimum: minimum)
        case "one-cycle": return .oneCycle(pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4)
        default: throw TrainingError("unknown learning-rate schedule '\(name)' (known: \(names.joined(separator: ", ")))")
        }
    }

    /// Checks the values; throws a one-line `TrainingError`.
    public func validate() throws {
        switch self {
        case let .step(s, g):
            guard s >= 1 else { throw TrainingError("step schedule: step size must be at least 1 epoch, got \(s)") }
            guard g > 0, g.isFinite else { throw TrainingError("step schedule: gamma must be finite and > 0, got \(g)") }
        case let .cosine(m):
            guard m >= 0, m.isFinite else { throw TrainingError("cosine schedule: minimum rate must be finite and >= 0, got \(m)") }
        case let .oneCycle(p, d, f):
            guard p > 0, p < 1 else { throw TrainingError("one-cycle schedule: pct_start must be in (0, 1), got \(p)") }
            guard d > 0, d.isFinite, f > 0, f.isFinite else { throw TrainingError("one-cycle schedule: div factors must be finite and > 0") }
        }
    }

    /// Whether the rate changes every batch (one-cycle) rather than every epoch.
    public var perBatch: Bool { if case .oneCycle = self { return true } else { return false } }

    /// The rate of epoch `epoch` (from 0) and batch `batch` of it (from 0), given the base rate, the number of
    /// epochs and the batches per epoch, as torch's scheduler would have set it before that batch's step.
    public func rate(base: Double, epoch: Int, batch: Int, epochs: Int, batchesPerEpoch: Int) -> Double {
        switch self {
        case let .step(stepSize, gamma):
            var lr = base
            if epoch >= 1 { for e in 1...epoch where e % stepSize == 0 { lr *= gamma } }
            return lr
        case let .cosine(etaMin):
            let t = Double(epochs)
            var lr = base
            if epoch >= 1 {
                for e in 1...epoch {
                    if (e - 1 - epochs) % (2 * epochs) == 0 {
                        lr = lr + (base - etaMin) * (1 - cos(Double.pi / t)) / 2
                    } else {
                        lr = (1 + cos(Double.pi * Double(e) / t)) / (1 + cos(Double.pi * Double(e - 1) / t)) * (lr - etaMin) + etaMin
                    }
                }
            }
            return lr
        case let .oneCycle(pctStart, divFactor, finalDivFactor):
            let total = Double(epochs) * Double(batchesPerEpoch), stepNum = Double(epoch) * Double(batchesPerEpoch) + Double(batch)
            let initial = base / divFactor, minimum = initial / finalDivFactor
            let phases: [(end: Double, start: Double, stop: Double)] = [(pctStart * total - 1, initial, base),
                                                                        (total - 1, base, minimum)]
            var startStep = 0.0
            for (i, phase) in phases.enumerated() {
                if stepNum <= phase.end || i == phases.count - 1 {
                    let pct = (stepNum - startStep) / (phase.end - startStep)
                    return phase.stop + (phase.start - phase.stop) / 2.0 * (cos(Double.pi * pct) + 1)
                }
                startStep = phase.end
            }
            return base
        }
    }
}
