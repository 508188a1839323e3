import Foundation
import SpikeTraining
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The terminal's width in columns: `COLUMNS` when set to a positive number, else the window size of file
/// descriptor `fd` (ioctl `TIOCGWINSZ`), else nil (not a terminal).
public func terminalColumns(fd: Int32 = 2) -> Int? {
    if let c = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(c), n > 0 { return n }
    var size = winsize()
    if ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    return nil
}

/// Progress display on stderr (text from `ProgressFormat`): on a terminal, a live line redrawn in place that
/// fits the width (minus one column, so the cursor never wraps) and one line per epoch; otherwise one line per
/// epoch only (cut to `COLUMNS` when that is set), so logs stay readable.
public final class ProgressDisplay {
    let live: Bool
    let width: Int?
    var lastDraw = Date.distantPast

    /// `live` defaults to whether stderr is a terminal; `width` to `terminalColumns()`.
    public init(live: Bool = isatty(2) != 0, width: Int? = terminalColumns()) {
        self.live = live
        self.width = width ?? (live ? 80 : nil)
    }

    /// Shows `p`.
    public func update(_ p: TrainingProgress) {
        if live {
            let now = Date()
            if p.finished == nil {
                guard now.timeIntervalSince(lastDraw) > 0.1 else { return }
                lastDraw = now
                FileHandle.standardError.write(Data("\r\u{1B}[2K\(ProgressFormat.line(p, width: (width ?? 80) - 1))".utf8))
                return
            }
            FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
        }
        guard p.finished != nil else { return }
        FileHandle.standardError.write(Data((ProgressFormat.epochLine(p, width: width.map { $0 - (live ? 1 : 0) }) + "\n").utf8))
    }
}
