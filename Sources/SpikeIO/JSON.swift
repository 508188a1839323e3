/// A small JSON reader and string escaper, for safetensors headers and network files.
///
/// Unlike `JSONSerialization` it keeps object members in order and keeps duplicate keys (so the caller
/// can report them by name), and keeps integers exact (data offsets may exceed 2^53). Errors are plain strings; the caller adds the file.
///
/// Limits: nesting at most `maxDepth` levels (deeper is an error, never a stack overflow); a string of a document
/// at most `maxStringBytes`; parsing is linear in the input; input quoted in errors is cut (`MessageText`).
public enum JSON: Equatable, Sendable {
    /// The deepest nesting of arrays and objects a document may have.
    public static let maxDepth = 128
    /// The longest string (key or value, in UTF-8 bytes after unescaping) a document (`parse(document:)`) may hold.
    /// Safetensors headers have none of their own: their length limit bounds their strings.
    public static let maxStringBytes = 1 << 20
    /// The longest document `parse(document:)` reads, in bytes (256 MiB: large data belongs in `.npy` files).
    public static let maxDocumentBytes = 256 << 20

    /// An object, members in the order written (duplicate keys kept).
    case object([(key: String, value: JSON)])
    /// An array.
    case array([JSON])
    /// A string.
    case string(String)
    /// A number as written, with its exact integer value when it is one.
    case number(text: String, integer: Int?)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null

    /// Structural equality (object members compared in order).
    public static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.array(x), .array(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.number(x, _), .number(y, _)): return x == y
        case let (.bool(x), .bool(y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    /// The kind of value, for error messages ("an array", "a string", ...).
    public var kind: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case let .number(text, _): return "the number \(MessageText.excerpt(text))"
        case let .bool(b): return b ? "true" : "false"
        case .null: return "null"
        }
    }

    /// A description of why a document could not be parsed.
    public struct ParseError: Error, Sendable {
        /// What is wrong and where.
        public var message: String
    }

    /// Parses `bytes` (UTF-8) as exactly one JSON value surrounded by optional whitespace; errors name the byte
    /// offset "of the JSON header" (safetensors).
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> JSON {
        try parse(bytes, lines: false)
    }

    /// Parses a whole JSON document (UTF-8); errors name the line and column (both from 1), e.g.
    /// `expected ',' or '}' at line 3, column 7`.
    public static func parse(document data: [UInt8]) throws(ParseError) -> JSON {
        guard data.count <= maxDocumentBytes else {
            throw ParseError(message: "the document is \(data.count) bytes, over the limit of \(maxDocumentBytes)")
        }
        do {
            return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> JSON in try parse(raw, lines: true) }
        } catch let e as ParseError { throw e } catch { throw ParseError(message: "\(error)") }
    }

    static func parse(_ bytes: UnsafeRawBufferPointer, lines: Bool) throws(ParseError) -> JSON {
        var p = Parser(bytes: bytes)
        p.lines = lines
        p.maxString = lines ? maxStringBytes : Int.max
        p.skipSpace()
        let value = try p.value(depth: 0)
        p.skipSpace()
        if p.pos < bytes.count { throw p.fail("unexpected data after the JSON value") }
        return value
    }

    /// `s` as a JSON string literal, escaped exactly as Rust's serde_json (used by the Python
    /// `safetensors` package) does: `"` `\` and control characters only; other text is raw UTF-8.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private struct Parser {
        let bytes: UnsafeRawBufferPointer
        var pos = 0
        /// Whether errors give the line and column (documents) rather than the byte offset (headers).
        var lines = false
        /// The longest string allowed, in bytes.
        var maxString = Int.max

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        func fail(_ what: String) -> ParseError {
            guard lines else { return ParseError(message: "\(what) at byte \(pos) of the JSON header") }
            var line = 1, column = 1
            for i in 0..<min(pos, bytes.count) {
                if bytes[i] == 0x0A { line += 1; column = 1 } else if bytes[i] & 0xC0 != 0x80 { column += 1 }
            }
            return ParseError(message: "\(what) at line \(line), column \(column)")
        }

        mutating func skipSpace() {
            while pos < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[pos]) { pos += 1 }
        }

        mutating func expect(_ literal: String, _ value: JSON) throws(ParseError) -> JSON {
            for b in literal.utf8 {
                guard pos < bytes.count, bytes[pos] == b else { throw fail("invalid literal (expected '\(literal)')") }
                pos += 1
            }
            return value
        }

        mutating func value(depth: Int) throws(ParseError) -> JSON {
            guard depth < JSON.maxDepth else { throw fail("JSON nested too deeply (more than \(JSON.maxDepth) levels)") }
            guard pos < bytes.count else { throw fail("unexpected end of JSON") }
            switch bytes[pos] {
            case UInt8(ascii: "{"):
                pos += 1
                var members: [(key: String, value: JSON)] = []
                skipSpace()
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(members) }
                while true {
                    skipSpace()
                    guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                    let key = try string()
                    skipSpace()
                    guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    pos += 1
                    skipSpace()
                    members.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    guard pos < bytes.count else { throw fail("unexpected end of JSON in an object") }
                    if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                    if bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(members) }
                    throw fail("expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                pos += 1
                var items: [JSON] = []
                skipSpace()
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard pos < bytes.count else { throw fail("unexpected end of JSON in an array") }
                    if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                    if bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
                    throw fail("expected ',' or ']'")
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"): return try expect("true", .bool(true))
            case UInt8(ascii: "f"): return try expect("false", .bool(false))
            case UInt8(ascii: "n"): return try expect("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return try number()
            default:
                throw fail("unexpected character \(MessageText.quoted(String(Unicode.Scalar(bytes[pos]))))")
            }
        }

        mutating func number() throws(ParseError) -> JSON {
            let start = pos
            func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
            if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            let intStart = pos
            guard pos < bytes.count, isDigit(bytes[pos]) else { throw fail("invalid number") }
            if bytes[pos] == UInt8(ascii: "0") {
                pos += 1
            } else {
                while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
            }
            let intEnd = pos
            var isInteger = true
            if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
                isInteger = false
                pos += 1
                guard pos < bytes.count, isDigit(bytes[pos]) else { throw fail("invalid number") }
                while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
            }
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
                isInteger = false
                pos += 1
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
                guard pos < bytes.count, isDigit(bytes[pos]) else { throw fail("invalid number") }
                while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
            }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
            var integer: Int? = nil
            if isInteger {
                var v = 0
                var overflow = false
                for i in intStart..<intEnd {
                    let (m, o1) = v.multipliedReportingOverflow(by: 10)
                    let (s, o2) = m.addingReportingOverflow(Int(bytes[i] - UInt8(ascii: "0")))
                    if o1 || o2 { overflow = true; break }
                    v = s
                }
                if !overflow { integer = intStart == start ? v : -v }
            }
            return .number(text: text, integer: integer)
        }

        mutating func hex4() throws(ParseError) -> UInt32 {
            guard pos + 4 <= bytes.count else { throw fail("truncated \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[pos]
                let d: UInt32
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
                default: throw fail("invalid \\u escape")
                }
                v = v << 4 | d
                pos += 1
            }
            return v
        }

        /// Parses a string starting at the opening quote. Raw bytes must be valid UTF-8.
        mutating func string() throws(ParseError) -> String {
            pos += 1
            var buffer: [UInt8] = []
            while true {
                guard pos < bytes.count else { throw fail("unterminated string") }
                let b = bytes[pos]
                if b == UInt8(ascii: "\"") { pos += 1; break }
                if buffer.count >= maxString { throw fail("string longer than \(maxString) bytes") }
                if b < 0x20 { throw fail("unescaped control character in a string") }
                if b != UInt8(ascii: "\\") { buffer.append(b); pos += 1; continue }
                pos += 1
                guard pos < bytes.count else { throw fail("unterminated string") }
                let e = bytes[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "\""): buffer.append(0x22)
                case UInt8(ascii: "\\"): buffer.append(0x5C)
                case UInt8(ascii: "/"): buffer.append(0x2F)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard pos + 6 <= bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") else {
                            throw fail("unpaired surrogate in \\u escape")
                        }
                        pos += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate in \\u escape") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(code) {
                        throw fail("unpaired surrogate in \\u escape")
                    }
                    buffer.append(contentsOf: Array(String(Unicode.Scalar(code)!).utf8))
                default:
                    pos -= 1
                    throw fail("invalid escape \(MessageText.quoted("\\" + String(Unicode.Scalar(e))))")
                }
            }
            guard let s = Bytes.utf8String(buffer) else { throw fail("string is not valid UTF-8") }
            return s
        }
    }
}
