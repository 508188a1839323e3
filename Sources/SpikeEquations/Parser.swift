import Foundation
import SpikeIO

/// An error in a model's equations, threshold, reset, refractory condition or parameters: one line naming
/// the place (the equation or statement, and the column), and the problem.
public struct EquationError: Error, CustomStringConvertible, Equatable {
    /// The one-line message.
    public let message: String
    /// An error with `message`, made one line and bounded: the equation text it quotes may hold control
    /// characters or line separators (escaped, as `MessageText` does) and be long (cut after 1000 characters).
    public init(_ message: String) { self.message = MessageText.excerpt(message, limit: 1000) }
    public var description: String { message }
}

/// An expression of Brian2's model language as parsed (names not yet resolved).
public indirect enum Expr: Sendable, Equatable {
    case number(Double)
    /// A name at a column (1-based) of its source text.
    case name(String, Int)
    case unary(String, Expr, Int)
    case binary(String, Expr, Expr, Int)
    case call(String, [Expr], Int)

    /// The column of the expression in its source text.
    public var column: Int {
        switch self {
        case .number: return 0
        case .name(_, let c), .unary(_, _, let c), .binary(_, _, _, let c), .call(_, _, let c): return c
        }
    }
}

struct Token: Equatable {
    enum Kind: Equatable { case number(Double), ident(String), op(String), end }
    let kind: Kind
    let column: Int
}

/// A recursive-descent parser of Python-like expressions (Brian2's expression syntax) in linear time, with a
/// nesting limit so that hostile input cannot exhaust the stack.
struct ExpressionParser {
    /// The deepest nesting accepted (parentheses, unary operators, powers).
    static let maxDepth = 200
    let tokens: [Token]
    var i = 0
    var depth = 0
    let place: String

    init(_ text: String, place: String) throws {
        self.place = place
        tokens = try Self.tokenize(text, place: place)
    }

    static func tokenize(_ text: String, place: String) throws -> [Token] {
        var out: [Token] = []
        let c = Array(text.unicodeScalars)
        var k = 0
        let twoChar: Set<String> = ["**", "<=", ">=", "==", "!=", "+=", "-=", "*=", "/="]
        while k < c.count {
            let ch = c[k]
            if ch == " " || ch == "\t" || ch == "\r" { k += 1; continue }
            let col = k + 1
            if CharacterSet.decimalDigits.contains(ch) || (ch == "." && k + 1 < c.count && CharacterSet.decimalDigits.contains(c[k + 1])) {
                var j = k
                while j < c.count, CharacterSet.decimalDigits.contains(c[j]) || c[j] == "." { j += 1 }
                if j < c.count, c[j] == "e" || c[j] == "E" {
                    var e = j + 1
                    if e < c.count, c[e] == "+" || c[e] == "-" { e += 1 }
                    if e < c.count, CharacterSet.decimalDigits.contains(c[e]) {
                        j = e
                        while j < c.count, CharacterSet.decimalDigits.contains(c[j]) { j += 1 }
                    }
                }
                let s = String(String.UnicodeScalarView(c[k..<j]))
                guard let v = Double(s) else { throw EquationError("\(place), column \(col): bad number '\(s)'") }
                out.append(Token(kind: .number(v), column: col)); k = j; continue
            }
            if ch == "_" || (ch.isASCII && CharacterSet.letters.contains(ch)) {
                var j = k
                while j < c.count, c[j] == "_" || (c[j].isASCII && CharacterSet.alphanumerics.contains(c[j])) { j += 1 }
                out.append(Token(kind: .ident(String(String.UnicodeScalarView(c[k..<j]))), column: col)); k = j; continue
            }
            if k + 1 < c.count {
                let two = String(String.UnicodeScalarView(c[k...(k + 1)]))
                if twoChar.contains(two) { out.append(Token(kind: .op(two), column: col)); k += 2; continue }
            }
            if "+-*/%()<>=,;".unicodeScalars.contains(ch) { out.append(Token(kind: .op(String(ch)), column: col)); k += 1; continue }
            throw EquationError("\(place), column \(col): unexpected character '\(ch)'")
        }
        out.append(Token(kind: .end, column: c.count + 1))
        return out
    }

    var peek: Token { tokens[i] }
    mutating func next() -> Token { defer { i += 1 }; return tokens[i] }
    func isOp(_ s: String) -> Bool { peek.kind == .op(s) }
    func isWord(_ s: String) -> Bool { peek.kind == .ident(s) }

    func fail(_ message: String, at column: Int? = nil) -> EquationError {
        EquationError("\(place), column \(column ?? peek.column): \(message)")
    }

    mutating func enter() throws {
        depth += 1
        if depth > Self.maxDepth { throw fail("expression nested deeper than \(Self.maxDepth) levels") }
    }

    /// A whole expression (all tokens).
    mutating func parseAll() throws -> Expr {
        let e = try parseOr()
        guard peek.kind == .end else { throw fail("unexpected \(describe(peek)) after the expression") }
        return e
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .number(let v): return "number \(v)"
        case .ident(let s): return "'\(s)'"
        case .op(let s): return "'\(s)'"
        case .end: return "end of text"
        }
    }

    mutating func parseOr() throws -> Expr {
        var l = try parseAnd()
        while isWord("or") { let c = next().column; l = .binary("or", l, try parseAnd(), c) }
        return l
    }
    mutating func parseAnd() throws -> Expr {
        var l = try parseNot()
        while isWord("and") { let c = next().column; l = .binary("and", l, try parseNot(), c) }
        return l
    }
    mutating func parseNot() throws -> Expr {
        if isWord("not") {
            try enter(); defer { depth -= 1 }
            let c = next().column
            return .unary("not", try parseNot(), c)
        }
        return try parseComparison()
    }
    mutating func parseComparison() throws -> Expr {
        let l = try parseSum()
        for op in ["<", "<=", ">", ">=", "==", "!="] where isOp(op) {
            let c = next().column
            let r = try parseSum()
            for op2 in ["<", "<=", ">", ">=", "==", "!="] where isOp(op2) { throw fail("chained comparisons are not supported") }
            return .binary(op, l, r, c)
        }
        return l
    }
    mutating func parseSum() throws -> Expr {
        var l = try parseProduct()
        while isOp("+") || isOp("-") {
            let t = next()
            guard case .op(let o) = t.kind else { break }
            l = .binary(o, l, try parseProduct(), t.column)
        }
        return l
    }
    mutating func parseProduct() throws -> Expr {
        var l = try parseUnary()
        while isOp("*") || isOp("/") || isOp("%") {
            let t = next()
            guard case .op(let o) = t.kind else { break }
            l = .binary(o, l, try parseUnary(), t.column)
        }
        return l
    }
    mutating func parseUnary() throws -> Expr {
        if isOp("-") || isOp("+") {
            try enter(); defer { depth -= 1 }
            let t = next()
            let e = try parseUnary()
            return t.kind == .op("-") ? .unary("-", e, t.column) : e
        }
        return try parsePower()
    }
    mutating func parsePower() throws -> Expr {
        let b = try parseAtom()
        if isOp("**") {
            try enter(); defer { depth -= 1 }
            let c = next().column
            return .binary("**", b, try parseUnary(), c)   // right-associative, -x**2 = -(x**2), 2**-1 allowed
        }
        return b
    }
    mutating func parseAtom() throws -> Expr {
        let t = next()
        switch t.kind {
        case .number(let v): return .number(v)
        case .ident(let name):
            if isOp("(") {
                try enter(); defer { depth -= 1 }
                _ = next()
                var args: [Expr] = []
                if !isOp(")") {
                    args.append(try parseOr())
                    while isOp(",") { _ = next(); args.append(try parseOr()) }
                }
                guard isOp(")") else { throw fail("expected ')' to close the call of \(name)") }
                _ = next()
                return .call(name, args, t.column)
            }
            if ["and", "or", "not"].contains(name) { throw fail("unexpected '\(name)'", at: t.column) }
            return .name(name, t.column)
        case .op("("):
            try enter(); defer { depth -= 1 }
            let e = try parseOr()
            guard isOp(")") else { throw fail("expected ')'") }
            _ = next()
            return e
        default:
            throw fail("expected a number, a name or '(', found \(describe(t))", at: t.column)
        }
    }
}

/// Parses one expression of Brian2's language (`place` names it in errors, e.g. "threshold").
public func parseExpression(_ text: String, place: String) throws -> Expr {
    var p = try ExpressionParser(text, place: place)
    return try p.parseAll()
}

/// One line of a model's equations.
public struct EquationLine: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `dx/dt = expr : unit`
        case differential
        /// `x = expr : unit`
        case subexpression
        /// `x : unit`
        case parameter
    }
    public let kind: Kind
    /// The variable defined.
    public let name: String
    /// The right-hand side (nil for parameters).
    public let expression: Expr?
    /// The declared unit (the variable's dimension; for `dx/dt` the dimension of x).
    public let dimension: Dimension
    /// Flags: `unless refractory`, `constant`, `shared`.
    public let flags: [String]
    /// The line as written, for errors.
    public let text: String
}

/// Flags accepted after an equation's unit.
public let supportedEquationFlags: Set<String> = ["unless refractory", "constant", "shared", "constant over dt"]

/// Parses Brian2 equations: one per line (`#` comments, blank lines ignored):
/// `dv/dt = (El - v)/tau : volt (unless refractory)`, `I = g*(E - v) : amp`, `tau : second (constant)`.
/// Each variable may be defined once; the unit after ':' is an expression of unit names (`volt/second`,
/// `siemens/metre**2`, `1`).
public func parseEquations(_ text: String) throws -> [EquationLine] {
    var lines: [EquationLine] = []
    var seen: [String: Int] = [:]
    for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        var line = String(raw)
        if let h = line.firstIndex(of: "#") { line = String(line[..<h]) }
        let text = line.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { continue }
        let place = "equation '\(text)' (line \(n + 1))"
        guard let colon = text.lastIndex(of: ":") else { throw EquationError("\(place): missing ': unit'") }
        let lhsRhs = String(text[..<colon])
        var unitPart = String(text[text.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        var flags: [String] = []
        if unitPart.hasSuffix(")"), let open = unitPart.lastIndex(of: "(") {
            // Flags in parentheses after the unit, unless the parentheses belong to the unit expression.
            let inside = unitPart[unitPart.index(after: open)..<unitPart.index(before: unitPart.endIndex)]
            let parts = inside.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.allSatisfy({ $0.contains(" ") || ["constant", "shared", "linked", "event-driven", "summed"].contains($0) }) {
                for f in parts {
                    guard supportedEquationFlags.contains(f) else {
                        throw EquationError("\(place): flag '\(f)' is not supported (supported: unless refractory, constant, shared)")
                    }
                    flags.append(f)
                }
                unitPart = String(unitPart[..<open]).trimmingCharacters(in: .whitespaces)
            }
        }
        guard !unitPart.isEmpty else { throw EquationError("\(place): missing unit after ':'") }
        let dim = try unitDimension(unitPart, place: place)
        let kind: EquationLine.Kind, name: String, expr: Expr?
        if let eq = lhsRhs.firstIndex(of: "=") {
            let lhs = lhsRhs[..<eq].replacingOccurrences(of: " ", with: "")
            let rhs = String(lhsRhs[lhsRhs.index(after: eq)...])
            guard !rhs.trimmingCharacters(in: .whitespaces).isEmpty else { throw EquationError("\(place): empty right-hand side") }
            expr = try parseExpression(rhs, place: place)
            if lhs.hasPrefix("d"), lhs.hasSuffix("/dt"), lhs.count > 4 {
                kind = .differential; name = String(lhs.dropFirst().dropLast(3))
            } else {
                kind = .subexpression; name = lhs
            }
        } else {
            kind = .parameter; name = lhsRhs.trimmingCharacters(in: .whitespaces); expr = nil
        }
        guard isIdentifier(name) else { throw EquationError("\(place): '\(name)' is not a valid variable name") }
        // Variables shadow unit names (Brian2's HH gating variable m is not the metre), not functions.
        if ["dt", "t", "xi", "i", "N"].contains(name) || knownFunctions[name] != nil {
            throw EquationError("\(place): '\(name)' is a reserved name (a function, or dt, t, xi, i, N)")
        }
        if let prev = seen[name] { throw EquationError("\(place): variable '\(name)' set twice (first on line \(prev))") }
        if kind == .differential, flags.contains("constant") { throw EquationError("\(place): a differential equation cannot be constant") }
        if kind != .differential, flags.contains("unless refractory") {
            throw EquationError("\(place): (unless refractory) applies to differential equations only")
        }
        seen[name] = n + 1
        lines.append(EquationLine(kind: kind, name: name, expression: expr, dimension: dim, flags: flags, text: text))
    }
    return lines
}

func isIdentifier(_ s: String) -> Bool {
    guard let f = s.unicodeScalars.first, f == "_" || (f.isASCII && CharacterSet.letters.contains(f)) else { return false }
    return s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && CharacterSet.alphanumerics.contains($0)) }
}

extension Expr {
    /// Whether this is `a ** -number` (the exponent negated).
    var isNegatedExponent: Bool {
        if case .binary("**", _, .unary("-", .number, _), _) = self { return true }
        return false
    }
}

/// The dimension of a unit expression (`volt`, `siemens/metre**2`, `1`).
func unitDimension(_ text: String, place: String) throws -> Dimension {
    let e = try parseExpression(text, place: place + " unit")
    func eval(_ e: Expr) throws -> Dimension {
        switch e {
        case .number(let v): guard v == 1 else { throw EquationError("\(place): unit '\(text)' has a number other than 1") }; return .one
        case .name(let n, let c):
            guard let q = Units.lookup(n) else { throw EquationError("\(place), unit column \(c): '\(n)' is not a unit") }
            guard q.value == 1 || ["gram", "gramme", "g", "molar", "M", "litre", "liter", "l", "L"].contains(n) || true else { return q.dimension }
            return q.dimension
        case .binary("*", let a, let b, _): return try eval(a) * eval(b)
        case .binary("/", let a, let b, _): return try eval(a) / eval(b)
        case .binary("**", let a, .number(let p), _), .binary("**", let a, .unary("-", .number(let p), _), _):
            let exponent = e.isNegatedExponent ? -p : p
            guard let d = try eval(a).power(exactly: exponent) else {
                throw EquationError("\(place): unit '\(text)' needs an integer power giving exponents within +-\(Dimension.maxExponent)")
            }
            return d
        default: throw EquationError("\(place): unit '\(text)' must be unit names with *, / and integer **")
        }
    }
    return try eval(e)
}

/// The functions of the language: name and number of arguments.
let knownFunctions: [String: Int] = ["exp": 1, "log": 1, "log10": 1, "sqrt": 1, "sin": 1, "cos": 1, "tan": 1, "tanh": 1,
                                     "sinh": 1, "cosh": 1, "abs": 1, "clip": 3, "floor": 1, "ceil": 1, "int": 1, "sign": 1,
                                     "exprel": 1, "rand": 0, "randn": 0]

/// One statement of reset code: `x = e`, `x += e`, `x -= e`, `x *= e`, `x /= e`.
public struct Statement: Sendable, Equatable {
    /// The state variable assigned.
    public let variable: String
    /// "=", "+=", "-=", "*=", "/=".
    public let op: String
    /// The right-hand side.
    public let expression: Expr
    /// The statement as errors name it.
    public let place: String
}

/// Parses reset code: statements separated by newlines or ';'.
public func parseStatements(_ text: String, place: String) throws -> [Statement] {
    var out: [Statement] = []
    var n = 0
    for line in text.split(whereSeparator: { $0 == "\n" || $0 == ";" }) {
        var s = String(line)
        if let h = s.firstIndex(of: "#") { s = String(s[..<h]) }
        s = s.trimmingCharacters(in: .whitespaces)
        if s.isEmpty { continue }
        n += 1
        let where_ = "\(place) statement \(n) '\(s)'"
        var opRange: Range<String.Index>?
        var op = ""
        for o in ["+=", "-=", "*=", "/="] { if let r = s.range(of: o) { opRange = r; op = o; break } }
        if opRange == nil, let r = s.range(of: "="), !s[r.upperBound...].hasPrefix("=") { opRange = r; op = "=" }
        guard let r = opRange else { throw EquationError("\(where_): expected 'name = expression' or 'name += expression'") }
        let name = s[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
        guard isIdentifier(name) else { throw EquationError("\(where_): '\(name)' is not a variable name") }
        let e = try parseExpression(String(s[r.upperBound...]), place: where_)
        out.append(Statement(variable: name, op: op, expression: e, place: where_))
    }
    return out
}
