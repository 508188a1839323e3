import Foundation
import SpikeCore
import SpikeNeurons
import SpikeCoding
import SpikeIO
import SpikeSim

/// A reader for the block subset of YAML that network files need, into the same ordered `JSON` values as the
/// JSON reader (so every check and error place is the same for both):
///
/// - block mappings `key: value` and block sequences `- item` nested by indentation (spaces only), a sequence
///   under a key may start at the key's own indentation, and `- key: value` starts a mapping inside a sequence;
/// - flow collections `[1, 2]`, `{low: -60, high: -50}` (nested, and spanning lines until they close);
/// - scalars: JSON numbers, `true`/`false`, `null`/`~`, `"double-quoted"` (JSON escapes) and `'single-quoted'`
///   strings, and plain strings; `#` comments.
///
/// Anchors, aliases, tags, block scalars (`|`, `>`) and multiple documents are not part of the subset and are
/// errors naming the line. Duplicate keys are kept (the network-file checks report them by place).
///
/// Lines end with LF or CRLF. Limits: nesting (block and flow together) at most `maxDepth` levels, the whole
/// document read in linear time (a flow collection over many lines too); quoted input in errors is cut
/// (`MessageText`).
public enum YAMLSubset {
    /// The deepest nesting of collections (block and flow together) a document may have, as JSON's.
    public static let maxDepth = JSON.maxDepth

    /// Why a document could not be read, with its line.
    public struct ParseError: Error, Sendable {
        /// What is wrong and where (`... at line 7`).
        public let message: String
    }

    struct Line { let number: Int; let indent: Int; var text: String }

    /// Parses a whole document; errors name the line (`... at line 7`).
    public static func parse(document bytes: [UInt8]) throws -> JSON {
        guard bytes.count <= JSON.maxDocumentBytes else {
            throw ParseError(message: "the document is \(bytes.count) bytes, over the limit of \(JSON.maxDocumentBytes)")
        }
        guard isValidUTF8(bytes) else { throw ParseError(message: "the file is not valid UTF-8") }
        var lines: [Line] = []
        // Split the bytes, not the String: "\r\n" is one Character, so a String split at "\n" misses CRLF ends.
        for (k, raw) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let s = String(decoding: raw.last == 0x0D ? raw.dropLast() : raw, as: UTF8.self)
            let body = stripComment(s)
            let trimmed = body.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let indentText = body.prefix { $0 == " " || $0 == "\t" }
            if indentText.contains("\t") { throw YAMLSubset.fail("tabs cannot indent YAML", k + 1) }
            if k == 0 || lines.isEmpty, trimmed == "---" { continue }
            if trimmed == "---" || trimmed == "..." { throw YAMLSubset.fail("only one YAML document is supported", k + 1) }
            lines.append(Line(number: k + 1, indent: indentText.count, text: trimmed))
        }
        guard !lines.isEmpty else { throw YAMLSubset.fail("the document is empty", 1) }
        var p = Parser(lines: lines)
        let value = try p.block(indent: lines[0].indent, depth: 0)
        if p.i < p.lines.count {
            let l = p.lines[p.i]
            throw fail(l.indent == lines[0].indent ? "a mapping and a sequence cannot share one level" : "unexpected indentation", l.number)
        }
        return value
    }

    /// Whether `bytes` are valid UTF-8.
    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        var iterator = bytes.makeIterator()
        var codec = UTF8()
        while true {
            switch codec.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    static func fail(_ what: String, _ line: Int) -> ParseError { ParseError(message: "\(what) at line \(line)") }

    /// The error for collections nested deeper than `maxDepth`.
    static func tooDeep(_ line: Int) -> ParseError { fail("YAML nested too deeply (more than \(maxDepth) levels)", line) }

    /// `s` without a `#` comment (one outside quotes, at the start or after a space).
    static func stripComment(_ s: String) -> String {
        var quote: Character? = nil
        var previous: Character = " "
        for (k, c) in s.enumerated() {
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "#" && (previous == " " || previous == "\t") {
                return String(s.prefix(k))
            }
            previous = c
        }
        return s
    }

    struct Parser {
        var lines: [Line]
        var i = 0

        /// The block starting at line `i`, all of whose lines are indented by `indent`, `depth` collections deep.
        mutating func block(indent: Int, depth: Int) throws -> JSON {
            let l = lines[i]
            guard depth < YAMLSubset.maxDepth else { throw YAMLSubset.tooDeep(l.number) }
            if isItem(l.text) { return try sequence(indent: indent, depth: depth) }
            return try mapping(indent: indent, depth: depth)
        }

        func isItem(_ s: String) -> Bool { s == "-" || s.hasPrefix("- ") }

        mutating func sequence(indent: Int, depth: Int) throws -> JSON {
            var items: [JSON] = []
            while i < lines.count, lines[i].indent == indent, isItem(lines[i].text) {
                let l = lines[i]
                let rest = l.text.dropFirst().drop { $0 == " " }
                if rest.isEmpty {
                    i += 1
                    guard i < lines.count, lines[i].indent > indent else { items.append(.null); continue }
                    items.append(try block(indent: lines[i].indent, depth: depth + 1))
                } else if isItem(String(rest)) || splitKey(String(rest)) != nil {
                    // `- key: value` (or `- - x`): a block whose first line starts after the dash. (The dash and
                    // spaces dropped are ASCII: count them in UTF-8, in constant time, not in Characters.)
                    let inner = indent + (l.text.utf8.count - rest.utf8.count)
                    lines[i] = Line(number: l.number, indent: inner, text: String(rest))
                    items.append(try block(indent: inner, depth: depth + 1))
                } else {
                    i += 1
                    items.append(try value(String(rest), line: l.number, depth: depth + 1))
                }
            }
            if i < lines.count, lines[i].indent > indent { throw YAMLSubset.fail("unexpected indentation", lines[i].number) }
            return .array(items)
        }

        mutating func mapping(indent: Int, depth: Int) throws -> JSON {
            var members: [(key: String, value: JSON)] = []
            while i < lines.count, lines[i].indent == indent {
                let l = lines[i]
                if isItem(l.text) { throw YAMLSubset.fail("a '- ' item where a 'key: value' was expected", l.number) }
                guard let (key, rest) = splitKey(l.text) else { throw YAMLSubset.fail("expected 'key: value'", l.number) }
                try YAMLSubset.checkLength(key, line: l.number)
                i += 1
                if rest.isEmpty {
                    if i < lines.count, lines[i].indent > indent {
                        members.append((key, try block(indent: lines[i].indent, depth: depth + 1)))
                    } else if i < lines.count, lines[i].indent == indent, isItem(lines[i].text) {
                        guard depth + 1 < YAMLSubset.maxDepth else { throw YAMLSubset.tooDeep(lines[i].number) }
                        members.append((key, try sequence(indent: indent, depth: depth + 1)))
                    } else {
                        members.append((key, .null))
                    }
                } else {
                    members.append((key, try value(rest, line: l.number, depth: depth + 1)))
                }
            }
            if i < lines.count, lines[i].indent > indent { throw YAMLSubset.fail("unexpected indentation", lines[i].number) }
            return .object(members)
        }

        /// A scalar or a flow collection (which may continue on the following lines until it closes), `depth`
        /// collections deep.
        mutating func value(_ text: String, line: Int, depth: Int) throws -> JSON {
            if let c = text.first, "&*!|>".contains(c) {
                throw YAMLSubset.fail("YAML \(["&": "anchors", "*": "aliases", "!": "tags", "|": "block scalars", ">": "block scalars"][c]!) are not supported", line)
            }
            guard text.first == "[" || text.first == "{" else { return try YAMLSubset.scalar(text, line: line) }
            // Join the following lines until the brackets close, scanning each line once (linear in the lines).
            var chars = Array(text)
            var scan = BracketScan()
            scan.add(chars)
            while scan.depth > 0 {
                guard i < lines.count else { throw YAMLSubset.fail("unclosed '\(text.first!)'", line) }
                let next = Array(lines[i].text)
                chars.append(" ")
                scan.add([" "])
                chars.append(contentsOf: next)
                scan.add(next)
                i += 1
            }
            var flow = Flow(chars: chars, line: line, depth: depth)
            let v = try flow.value()
            flow.skipSpace()
            if flow.pos < flow.chars.count {
                throw YAMLSubset.fail("unexpected \(MessageText.quoted(String(flow.chars[flow.pos]))) after a flow collection", line)
            }
            return v
        }

        /// Bracket depth (outside quotes) of the text added so far.
        struct BracketScan {
            var depth = 0
            var quote: Character? = nil

            mutating func add(_ cs: [Character]) {
                for c in cs {
                    if let q = quote { if c == q { quote = nil }; continue }
                    switch c {
                    case "\"", "'": quote = c
                    case "[", "{": depth += 1
                    case "]", "}": depth -= 1
                    default: break
                    }
                }
            }
        }

        /// `key: rest` split at the first `: ` (or a final `:`) outside quotes and brackets.
        func splitKey(_ s: String) -> (String, String)? {
            let cs = Array(s)
            var quote: Character? = nil
            var d = 0
            for k in cs.indices {
                let c = cs[k]
                if let q = quote { if c == q { quote = nil }; continue }
                switch c {
                case "\"", "'": quote = c
                case "[", "{": d += 1
                case "]", "}": d -= 1
                case ":" where d == 0 && (k + 1 == cs.count || cs[k + 1] == " "):
                    var key = String(cs[..<k]).trimmingCharacters(in: .whitespaces)
                    if key.count >= 2, let f = key.first, (f == "\"" || f == "'"), key.last == f { key = String(key.dropFirst().dropLast()) }
                    guard !key.isEmpty else { return nil }
                    return (key, String(cs[(k + 1)...]).trimmingCharacters(in: .whitespaces))
                default: break
                }
            }
            return nil
        }
    }

    /// A flow collection or scalar inside one (possibly joined) line.
    struct Flow {
        let chars: [Character]
        let line: Int
        /// How many collections deep the flow collection starts.
        let depth: Int
        var pos = 0

        init(chars: [Character], line: Int, depth: Int) { self.chars = chars; self.line = line; self.depth = depth }

        /// The value at `pos` (nested `depth` collections deep from the top of the document).
        mutating func value() throws -> JSON { try value(depth: depth) }

        mutating func skipSpace() { while pos < chars.count, chars[pos] == " " { pos += 1 } }

        mutating func value(depth: Int) throws -> JSON {
            skipSpace()
            guard pos < chars.count else { throw YAMLSubset.fail("a value is missing", line) }
            if chars[pos] == "[" || chars[pos] == "{" {
                guard depth < YAMLSubset.maxDepth else { throw YAMLSubset.tooDeep(line) }
            }
            switch chars[pos] {
            case "[":
                pos += 1
                var items: [JSON] = []
                skipSpace()
                if pos < chars.count, chars[pos] == "]" { pos += 1; return .array(items) }
                while true {
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard pos < chars.count else { throw YAMLSubset.fail("unclosed '['", line) }
                    if chars[pos] == "," { pos += 1; continue }
                    if chars[pos] == "]" { pos += 1; return .array(items) }
                    throw YAMLSubset.fail("expected ',' or ']'", line)
                }
            case "{":
                pos += 1
                var members: [(key: String, value: JSON)] = []
                skipSpace()
                if pos < chars.count, chars[pos] == "}" { pos += 1; return .object(members) }
                while true {
                    guard case let .string(key) = try scalarToken(key: true) else { throw YAMLSubset.fail("expected a key", line) }
                    skipSpace()
                    guard pos < chars.count, chars[pos] == ":" else { throw YAMLSubset.fail("expected ':' after \(MessageText.quoted(key))", line) }
                    pos += 1
                    members.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    guard pos < chars.count else { throw YAMLSubset.fail("unclosed '{'", line) }
                    if chars[pos] == "," { pos += 1; continue }
                    if chars[pos] == "}" { pos += 1; return .object(members) }
                    throw YAMLSubset.fail("expected ',' or '}'", line)
                }
            default:
                return try scalarToken(key: false)
            }
        }

        /// A quoted or plain scalar ending at `,`, `]`, `}` (and `:` for keys).
        mutating func scalarToken(key: Bool) throws -> JSON {
            skipSpace()
            guard pos < chars.count else { throw YAMLSubset.fail("a value is missing", line) }
            if chars[pos] == "\"" || chars[pos] == "'" {
                let q = chars[pos]
                var k = pos + 1
                while k < chars.count {
                    if chars[k] == "\\" && q == "\"" { k += 2; continue }
                    if chars[k] == q {
                        if q == "'" && k + 1 < chars.count && chars[k + 1] == "'" { k += 2; continue }
                        break
                    }
                    k += 1
                }
                guard k < chars.count else { throw YAMLSubset.fail("unterminated string", line) }
                let s = String(chars[pos...k])
                if key { try YAMLSubset.checkLength(s, line: line) }
                pos = k + 1
                return key ? .string(try YAMLSubset.unquote(s, line: line)) : try YAMLSubset.scalar(s, line: line)
            }
            let start = pos
            while pos < chars.count, !",]}".contains(chars[pos]), !(key && chars[pos] == ":") { pos += 1 }
            let s = String(chars[start..<pos]).trimmingCharacters(in: .whitespaces)
            if key { try YAMLSubset.checkLength(s, line: line) }
            return key ? .string(s) : try YAMLSubset.scalar(s, line: line)
        }
    }

    /// Refuses a scalar or key longer than JSON's string limit.
    static func checkLength(_ s: String, line: Int) throws {
        if s.utf8.count > JSON.maxStringBytes { throw fail("string longer than \(JSON.maxStringBytes) bytes", line) }
    }

    /// The text of a quoted scalar.
    static func unquote(_ s: String, line: Int) throws -> String {
        if s.first == "'" { return String(s.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'") }
        do {
            guard case let .string(v) = try JSON.parse(document: Array(s.utf8)) else { throw YAMLSubset.fail("invalid string", line) }
            return v
        } catch let e as JSON.ParseError { throw YAMLSubset.fail("invalid string \(MessageText.excerpt(s)) (\(e.message))", line) }
    }

    /// A scalar: quoted string, number, boolean, null, or plain string.
    static func scalar(_ s: String, line: Int) throws -> JSON {
        try checkLength(s, line: line)
        if s.first == "\"" || s.first == "'" {
            guard s.count >= 2, s.last == s.first else { throw YAMLSubset.fail("unterminated string", line) }
            return .string(try unquote(s, line: line))
        }
        switch s {
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case "null", "Null", "NULL", "~", "": return .null
        default: break
        }
        if let first = s.first, first == "-" || first.isNumber, let v = try? JSON.parse(document: Array(s.utf8)), case .number = v {
            return v
        }
        return .string(s)
    }
}
