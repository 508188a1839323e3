import SpikeCore
import Foundation

/// Losses and metrics for spiking readouts. Scores are `[B, C]`; multi-step outputs are `[T, B, C]`.
public enum Loss {
    /// Mean cross-entropy of `logits` `[B, C]` against class indices `labels`:
    /// `L = -1/B sum_b log softmax(logits_b)[label_b]`. VJP: `(softmax - onehot) / B`, fused.
    public static func crossEntropy(_ logits: Variable, labels: [Int]) -> Variable {
        precondition(logits.shape.count == 2 && logits.shape[0] == labels.count,
                     "crossEntropy: logits \(logits.shape) vs \(labels.count) labels")
        let (B, C) = (logits.shape[0], logits.shape[1])
        precondition(labels.allSatisfy { $0 >= 0 && $0 < C }, "crossEntropy: label out of range 0..<\(C)")
        let logp = logits.value.logSoftmax(axis: 1)
        var loss: Float = 0
        for b in 0..<B { loss -= logp.scalars[b * C + labels[b]] }
        loss /= Float(B)
        return Variable.record(Tensor(loss), parents: [logits]) { g in
            var d = logp.exp()
            for b in 0..<B { d.scalars[b * C + labels[b]] -= 1 }
            return [d * (g.scalar / Float(B))]
        }
    }

    /// Cross-entropy on spike counts: `crossEntropy(sum_t spikes[t], labels)` (snnTorch's `ce_count_loss`,
    /// SpikingJelly's firing-rate readout up to the 1/T scale).
    public static func countCrossEntropy(_ spikes: Variable, labels: [Int]) -> Variable {
        crossEntropy(spikes.sum(axis: 0), labels: labels)
    }

    /// Cross-entropy on the maximum membrane over time, `crossEntropy(max_t v[t], labels)`: the LI readout of
    /// Zenke & Vogels (2021) / SpyTorch.
    public static func maxMembraneCrossEntropy(_ membrane: Variable, labels: [Int]) -> Variable {
        crossEntropy(membrane.max(axis: 0), labels: labels)
    }

    /// Mean squared error between spike counts and target counts: the target count is `correctRate * T` for the
    /// labelled class and `incorrectRate * T` for the others; the mean is over batch and classes. Defaults 1.0
    /// and 0.0. snnTorch's `mse_count_loss` further truncates the targets to integers and divides by T:
    /// SpikeCoding's `ReadoutLoss.mseCount` is that exact form, built on this one.
    public static func mseCount(_ spikes: Variable, labels: [Int], correctRate: Float = 1, incorrectRate: Float = 0) -> Variable {
        let (T, B, C) = (spikes.shape[0], spikes.shape[1], spikes.shape[2])
        precondition(labels.count == B, "mseCount: \(B) samples vs \(labels.count) labels")
        precondition(labels.allSatisfy { $0 >= 0 && $0 < C }, "mseCount: label out of range 0..<\(C)")
        var target = Tensor(repeating: incorrectRate * Float(T), shape: [B, C])
        for b in 0..<B { target.scalars[b * C + labels[b]] = correctRate * Float(T) }
        let diff = spikes.sum(axis: 0) - Variable(target)
        return (diff * diff).mean()
    }

    /// Fraction of rows of `scores` `[B, C]` whose first maximum is at the label.
    public static func accuracy(_ scores: Tensor, labels: [Int]) -> Float {
        guard !labels.isEmpty else { return 0 }
        let pred = scores.argmax(axis: 1)
        var hits = 0
        for (p, l) in zip(pred.scalars, labels) where Int(p) == l { hits += 1 }
        return Float(hits) / Float(labels.count)
    }
}
