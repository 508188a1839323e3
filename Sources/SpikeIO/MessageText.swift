/// Text from a file or the command line made safe to quote in a one-line error message.
public enum MessageText {
    /// The longest piece of input quoted in an error, in characters (what is longer is cut, with a marker).
    public static let limit = 200

    /// `s` with control characters escaped (`\n`, `\r`, `\t`, `\u{1b}`; also DEL, C1 controls and the Unicode
    /// line and paragraph separators), cut after `limit` characters with a marker that says how many bytes were left
    /// out: `aaaa… (49999800 more bytes)`. Linear in the part kept, so a 50 MB name costs nothing.
    public static func excerpt(_ s: String, limit: Int = MessageText.limit) -> String {
        var out = ""
        var kept = 0
        var index = s.unicodeScalars.startIndex
        let end = s.unicodeScalars.endIndex
        while index != end, kept < limit {
            let scalar = s.unicodeScalars[index]
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}":
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: out.unicodeScalars.append(scalar)
            }
            kept += 1
            index = s.unicodeScalars.index(after: index)
        }
        if index != end {
            // Counted in UTF-8 bytes: constant time for native strings, where counting characters is not.
            let rest = s.utf8.distance(from: index.samePosition(in: s.utf8) ?? s.utf8.startIndex, to: s.utf8.endIndex)
            out += "… (\(rest) more bytes)"
        }
        return out
    }

    /// `excerpt(s)` in single quotes, as error messages quote names: `'abc'`.
    public static func quoted(_ s: String) -> String { "'" + excerpt(s) + "'" }
}
