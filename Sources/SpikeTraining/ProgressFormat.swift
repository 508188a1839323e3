import Foundation

/// The text of the training progress display, fitted to a terminal width (ASCII only, so characters are
/// columns). `spike train` draws `line` in place on a terminal and prints `epochLine` once per epoch (the only
/// output when stderr is not a terminal). Parts are dropped, least useful first, until the text fits; whatever
/// the width, the result never exceeds it.
public enum ProgressFormat {
    /// A duration as `12s`, `3m05s` or `1h02m`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }

    /// The first of `candidates` (each a list of parts joined by two spaces) that fits `width`, else the
    /// last cut to `width`.
    static func fit(_ candidates: [[String]], width: Int) -> String {
        let w = max(0, width)
        for parts in candidates {
            let text = parts.filter { !$0.isEmpty }.joined(separator: "  ")
            if text.count <= w { return text }
        }
        let last = candidates.last?.filter { !$0.isEmpty }.joined(separator: "  ") ?? ""
        return String(last.prefix(w))
    }

    /// The live line of batch progress: `epoch 3/20 [######----] 45/120  loss 0.4321  acc 0.873  812/s  ETA 3m05s`,
    /// the bar taking the room left (10 to 30 columns); narrower widths drop the bar, then samples/s, then the
    /// accuracy, then the ETA.
    public static func line(_ p: TrainingProgress, width: Int) -> String {
        let epoch = "epoch \(p.epoch)/\(p.epochs)", batch = "\(p.batch)/\(p.batches)"
        let loss = String(format: "loss %.4f", p.loss), acc = String(format: "acc %.3f", p.accuracy)
        let speed = String(format: "%.0f/s", p.samplesPerSecond)
        let eta = p.remaining.map { "ETA " + duration($0) } ?? ""
        let rest = [batch, loss, acc, speed, eta]
        let fixed = ([epoch] + rest).filter { !$0.isEmpty }.joined(separator: "  ").count
        let room = width - fixed - 4   // "  [" + "]" around the bar and its separator
        var candidates: [[String]] = []
        if room >= 10 {
            let n = min(30, room), filled = min(n, n * p.batch / max(1, p.batches))
            let bar = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: n - filled) + "]"
            candidates.append([epoch, bar] + rest)
        }
        candidates += [[epoch] + rest, [epoch, batch, loss, acc, eta], [epoch, batch, loss, eta], [epoch, batch, loss], [epoch, batch]]
        return fit(candidates, width: width)
    }

    /// The line printed once per epoch: `epoch 3/20  loss 0.4321  acc 0.873  test 0.842 (loss 0.5123)  812 samples/s
    /// 12s  ETA 3m05s`; narrower widths drop the time, then the test loss, then samples/s. Nil width: no limit.
    public static func epochLine(_ p: TrainingProgress, width: Int?) -> String {
        let r = p.finished
        let epoch = "epoch \(p.epoch)/\(p.epochs)"
        let loss = String(format: "loss %.4f", r?.trainLoss ?? p.loss), acc = String(format: "acc %.3f", r?.trainAccuracy ?? p.accuracy)
        let test = r?.testAccuracy.map { String(format: "test %.3f", $0) } ?? ""
        let testLoss = r?.testLoss.map { String(format: "test loss %.4f", $0) } ?? ""
        let speed = String(format: "%.0f samples/s", r?.samplesPerSecond ?? p.samplesPerSecond)
        let time = r?.seconds.map { duration($0) } ?? ""
        let eta = p.epoch < p.epochs ? (p.remaining.map { "ETA " + duration($0) } ?? "") : ""
        let candidates = [[epoch, loss, acc, test, testLoss, speed, time, eta], [epoch, loss, acc, test, testLoss, speed, eta],
                          [epoch, loss, acc, test, speed, eta], [epoch, loss, acc, test, eta], [epoch, loss, acc, test], [epoch, acc, test]]
        return fit(candidates, width: width ?? Int.max)
    }
}
