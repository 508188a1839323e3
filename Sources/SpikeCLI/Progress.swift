import Foundation
import SpikeTraining

/// Progress display on stderr: a live bar redrawn in place when stderr is a terminal, plain lines
/// (one per epoch) otherwise, so logs stay readable.
public final class ProgressDisplay {
    let live: Bool
    var lastDraw = Date.distantPast

    /// `live` defaults to whether stderr is a terminal.
    public init(live: Bool = isatty(2) != 0) { self.live = live }

    /// Shows `p`.
    public func update(_ p: TrainingProgress) {
        let text = String(format: "epoch %d/%d  batch %d/%d  loss %.4f  acc %.3f  %.0f samples/s",
                          p.epoch, p.epochs, p.batch, p.batches, p.loss, p.accuracy, p.samplesPerSecond)
        if live {
            let now = Date()
            guard now.timeIntervalSince(lastDraw) > 0.1 || p.batch == p.batches else { return }
            lastDraw = now
            let width = 24, filled = Int(Double(width) * Double(p.batch) / Double(max(1, p.batches)))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(Data("\r\u{1B}[2K[\(bar)] \(text)".utf8))
            if p.batch == p.batches { FileHandle.standardError.write(Data("\n".utf8)) }
        } else if p.batch == p.batches {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }
}
