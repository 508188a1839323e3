import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Every error of the `spike` tool is shown as exactly one line: `Error: <message>`.
///
/// `format(_:usage:)` makes any message one line: argument-parser's usage and help lines after the first are
/// dropped, anything echoed at length (a 50 MB name) is cut (a run of more than `maxToken` bytes without a space
/// keeps its first `maxToken` bytes and a marker with the number of bytes cut; the whole message keeps about
/// `maxLength` bytes), and control characters (which may come from file contents: a JSON key with a `\n`) are
/// escaped as `\n`, `\t`, `\u{1b}`.
public enum ErrorLine {
    /// Longest run of bytes without a space kept whole (a name, a value, a path).
    public static let maxToken = 200
    /// Longest message (in bytes) kept whole.
    public static let maxLength = 2000

    /// `message` as one line (see the type's documentation). `usage` marks argument-parser's usage errors,
    /// whose message continues with help and usage lines: only their first line is kept.
    public static func format(_ message: String, usage: Bool = false) -> String {
        var text = message
        if usage, let nl = text.firstIndex(of: "\n") { text = String(text[..<nl]) }
        if text.hasPrefix("Error: ") { text = String(text.dropFirst(7)) }
        return escape(cut(text))
    }

    /// `text` with control characters escaped (`\n`, `\r`, `\t`, `\u{hex}` for the others, C1 controls and the
    /// Unicode line and paragraph separators included).
    public static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}":
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `text` with every run of more than `maxToken` bytes without a space cut to its first `maxToken` bytes
    /// (whole characters) and a marker `...[N more bytes]`, and the whole cut after `maxLength` bytes the same
    /// way. Linear in the length of `text`, and fast on a 50 MB name: the long runs are skipped, not walked.
    public static func cut(_ text: String) -> String {
        let u = text.utf8
        if u.count <= maxToken { return text }
        /// The index `bytes` bytes after `from`, moved back to the start of a Unicode scalar.
        func boundary(_ from: String.Index, _ bytes: Int) -> String.Index {
            var i = u.index(from, offsetBy: bytes)
            while String.Index(i, within: text.unicodeScalars) == nil { i = u.index(before: i) }
            return i
        }
        var out = ""
        var pos = u.startIndex
        while pos < u.endIndex {
            if out.utf8.count >= maxLength {
                out += "...[\(u.distance(from: pos, to: u.endIndex)) more bytes]"
                break
            }
            let end = u[pos...].firstIndex(of: 0x20) ?? u.endIndex
            let length = u.distance(from: pos, to: end)
            if length > maxToken {
                let keep = boundary(pos, maxToken)
                out += String(text[pos..<keep]) + "...[\(u.distance(from: keep, to: end)) more bytes]"
            } else {
                out += String(text[pos..<end])
            }
            if end < u.endIndex { out += " "; pos = u.index(after: end) } else { pos = end }
        }
        return out
    }
}

extension SpikeCommand {
    /// Parses the process's arguments, runs the chosen command and exits: status 0 on success (help and version
    /// included, printed as argument-parser prints them), otherwise one `Error:` line on stderr (`ErrorLine`)
    /// and argument-parser's status for the error (1 for errors of the commands, 64 for usage errors).
    public static func runAndExit(_ arguments: [String]? = nil) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let usage = code == .validationFailure
            FileHandle.standardError.write(Data(("Error: " + ErrorLine.format(message(for: error), usage: usage) + "\n").utf8))
            Foundation.exit(code.rawValue)
        }
    }
}
