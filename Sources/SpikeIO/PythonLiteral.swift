/// A parser for the subset of Python literals that appears in `.npy` headers: dicts, tuples, lists,
/// strings, integers, `True`/`False`/`None`. Errors are plain strings; the caller wraps them with the file.
enum PythonLiteral: Equatable {
    case dict([(key: PythonLiteral, value: PythonLiteral)])
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case string(String)
    case int(Int)
    case bool(Bool)
    case none

    static func == (a: PythonLiteral, b: PythonLiteral) -> Bool {
        switch (a, b) {
        case let (.dict(x), .dict(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.tuple(x), .tuple(y)), let (.list(x), .list(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.bool(x), .bool(y)): return x == y
        case (.none, .none): return true
        default: return false
        }
    }

    /// `repr` cut for an error message (`MessageText.excerpt`).
    var shortRepr: String { MessageText.excerpt(repr) }

    /// A Python-like rendering.
    var repr: String {
        switch self {
        case let .dict(items): return "{" + items.map { "\($0.key.repr): \($0.value.repr)" }.joined(separator: ", ") + "}"
        case let .tuple(items): return "(" + items.map(\.repr).joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        case let .list(items): return "[" + items.map(\.repr).joined(separator: ", ") + "]"
        case let .string(s): return "'" + s + "'"
        case let .int(i): return String(i)
        case let .bool(b): return b ? "True" : "False"
        case .none: return "None"
        }
    }

    /// Parses `text`, which must hold exactly one literal, optionally surrounded by whitespace.
    static func parse(_ text: String) throws(ParseError) -> PythonLiteral {
        var parser = Parser(chars: Array(text.unicodeScalars))
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        if parser.pos < parser.chars.count {
            throw ParseError(message: "unexpected \(MessageText.quoted(String(parser.chars[parser.pos]))) after the header dict at offset \(parser.pos)")
        }
        return value
    }

    /// A description of why a literal could not be parsed.
    struct ParseError: Error { var message: String }

    private struct Parser {
        let chars: [Unicode.Scalar]
        var pos = 0

        mutating func skipSpace() {
            while pos < chars.count, [" ", "\t", "\n", "\r", "\u{0C}", "\u{0B}"].contains(chars[pos]) { pos += 1 }
        }

        func fail(_ what: String) -> ParseError {
            if pos >= chars.count { return ParseError(message: "\(what), found end of header") }
            return ParseError(message: "\(what), found \(MessageText.quoted(String(chars[pos]))) at offset \(pos)")
        }

        mutating func value(depth: Int) throws(ParseError) -> PythonLiteral {
            guard depth < 64 else { throw ParseError(message: "literal nested too deeply") }
            guard pos < chars.count else { throw fail("expected a value") }
            let c = chars[pos]
            switch c {
            case "{":
                pos += 1
                var items: [(key: PythonLiteral, value: PythonLiteral)] = []
                while true {
                    skipSpace()
                    if pos < chars.count, chars[pos] == "}" { pos += 1; return .dict(items) }
                    let key = try value(depth: depth + 1)
                    skipSpace()
                    guard pos < chars.count, chars[pos] == ":" else { throw fail("expected ':' after dict key \(key.shortRepr)") }
                    pos += 1
                    skipSpace()
                    let v = try value(depth: depth + 1)
                    if items.contains(where: { $0.key == key }) {
                        throw ParseError(message: "duplicate key \(key.shortRepr)")
                    }
                    items.append((key, v))
                    skipSpace()
                    guard pos < chars.count else { throw fail("expected ',' or '}' in dict") }
                    if chars[pos] == "," { pos += 1; continue }
                    if chars[pos] == "}" { pos += 1; return .dict(items) }
                    throw fail("expected ',' or '}' in dict")
                }
            case "(", "[":
                let close: Unicode.Scalar = c == "(" ? ")" : "]"
                pos += 1
                var items: [PythonLiteral] = []
                var sawComma = false
                while true {
                    skipSpace()
                    if pos < chars.count, chars[pos] == close { pos += 1; break }
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard pos < chars.count else { throw fail("expected ',' or '\(close)'") }
                    if chars[pos] == "," { pos += 1; sawComma = true; continue }
                    if chars[pos] == close { pos += 1; break }
                    throw fail("expected ',' or '\(close)'")
                }
                if c == "[" { return .list(items) }
                // `(x)` is just a parenthesised x in Python; `(x,)` is a 1-tuple.
                if items.count == 1 && !sawComma { return items[0] }
                return .tuple(items)
            case "'", "\"":
                return .string(try string(quote: c))
            case "-", "+", "0"..."9":
                return .int(try integer())
            default:
                var word = ""
                while pos < chars.count, chars[pos].properties.isAlphabetic || chars[pos] == "_" {
                    word.unicodeScalars.append(chars[pos]); pos += 1
                }
                switch word {
                case "True": return .bool(true)
                case "False": return .bool(false)
                case "None": return .none
                case "": throw fail("expected a value")
                default: throw ParseError(message: "unsupported name \(MessageText.quoted(word)) in header")
                }
            }
        }

        mutating func string(quote: Unicode.Scalar) throws(ParseError) -> String {
            pos += 1
            var out = ""
            while pos < chars.count {
                let c = chars[pos]
                pos += 1
                if c == quote { return out }
                if c == "\n" { break }
                if c == "\\" {
                    guard pos < chars.count else { break }
                    let e = chars[pos]
                    pos += 1
                    switch e {
                    case "n": out += "\n"
                    case "t": out += "\t"
                    case "r": out += "\r"
                    case "0": out += "\0"
                    case "\\", "'", "\"": out.unicodeScalars.append(e)
                    default: out += "\\"; out.unicodeScalars.append(e)
                    }
                    continue
                }
                out.unicodeScalars.append(c)
            }
            throw ParseError(message: "unterminated string")
        }

        mutating func integer() throws(ParseError) -> Int {
            var negative = false
            if chars[pos] == "-" || chars[pos] == "+" { negative = chars[pos] == "-"; pos += 1; skipSpace() }
            let start = pos
            var value = 0
            while pos < chars.count, ("0"..."9").contains(chars[pos]) {
                let d = Int(chars[pos].value) - 48
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(d)
                if o1 || o2 { throw ParseError(message: "integer too large at offset \(start)") }
                value = s
                pos += 1
            }
            if pos == start { throw fail("expected digits") }
            // Python 2 wrote long integers with an 'L' suffix, e.g. `(3L, 4L)`; numpy still accepts them.
            if pos < chars.count, chars[pos] == "L" || chars[pos] == "l" { pos += 1 }
            if pos < chars.count, chars[pos] == "." || chars[pos] == "e" || chars[pos] == "E" || chars[pos] == "j" {
                throw ParseError(message: "expected an integer at offset \(start), found a non-integer number")
            }
            return negative ? -value : value
        }
    }
}
