import Foundation

/// A biological duration given on the command line with its unit: `500ms`, `10s`, `1.5s`, `250.5ms` (`--duration`
/// of `spike simulate` and `spike bench cuba`). One convention across commands: the suffix says the unit. A bare
/// number still reads in the unit each command documented before (ms for `simulate`, s for `bench cuba`), with a
/// note on stderr that bare numbers are deprecated.
enum DurationOption {
    /// `text` in milliseconds; `bareUnit` ("ms" or "s") is the unit of a bare number. Throws a one-line error
    /// for anything else, a negative or non-finite value.
    static func milliseconds(_ text: String, option: String = "--duration", bareUnit: String,
                             note: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) throws -> Double {
        let t = text.trimmingCharacters(in: .whitespaces)
        let (number, unit): (Substring, String)
        if t.hasSuffix("ms") { (number, unit) = (t.dropLast(2), "ms") }
        else if t.hasSuffix("s") { (number, unit) = (t.dropLast(1), "s") }
        else { (number, unit) = (t[...], "") }
        guard let value = Double(number.trimmingCharacters(in: .whitespaces)), value.isFinite, value >= 0 else {
            throw CLIError("\(option): expected a duration such as 500ms or 10s, got '\(text)'")
        }
        if unit.isEmpty {
            note("note: \(option) \(text) reads as \(text) \(bareUnit); write \(text)\(bareUnit) (bare numbers are deprecated)")
        }
        return (unit.isEmpty ? bareUnit : unit) == "s" ? value * 1000 : value
    }
}
