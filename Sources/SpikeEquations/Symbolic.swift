import Foundation

/// Operations of the symbolic expressions and of the compiled program.
public enum Op: UInt8, Sendable {
    // loads (program only)
    case state, input, parameter, derived, constant
    // arithmetic
    case add, sub, mul, div, neg, pow, mod, min, max
    // functions
    case exp, log, log10, sqrt, sin, cos, tan, tanh, sinh, cosh, abs, floor, ceil, trunc, sign, exprel
    // booleans (0 or 1)
    case lt, le, gt, ge, eq, ne, and, or, not
    /// select(c, a, b): a where c != 0, else b.
    case select
    /// The spike: Heaviside of the argument forward (strict unless `b` is 1), the surrogate's derivative backward.
    case fire
}

/// A symbolic expression after name resolution: constants in SI units, names of state variables, parameters,
/// the input, `dt` and derived constants. Built through the simplifying constructors below.
indirect enum Sym: Hashable, Sendable {
    case c(Double)
    case v(String)
    case f(Op, [Sym])

    static let zero = Sym.c(0), one = Sym.c(1)

    var constant: Double? { if case .c(let x) = self { return x }; return nil }

    static func + (a: Sym, b: Sym) -> Sym {
        if a.constant == 0 { return b }
        if b.constant == 0 { return a }
        if let x = a.constant, let y = b.constant { return .c(x + y) }
        return .f(.add, [a, b])
    }
    static func - (a: Sym, b: Sym) -> Sym {
        if b.constant == 0 { return a }
        if a.constant == 0 { return -b }
        if let x = a.constant, let y = b.constant { return .c(x - y) }
        if a == b { return .zero }
        return .f(.sub, [a, b])
    }
    static func * (a: Sym, b: Sym) -> Sym {
        if a.constant == 0 || b.constant == 0 { return .zero }
        if a.constant == 1 { return b }
        if b.constant == 1 { return a }
        if let x = a.constant, let y = b.constant { return .c(x * y) }
        return .f(.mul, [a, b])
    }
    static func / (a: Sym, b: Sym) -> Sym {
        if a.constant == 0 { return .zero }
        if b.constant == 1 { return a }
        if let x = a.constant, let y = b.constant, y != 0 { return .c(x / y) }
        return .f(.div, [a, b])
    }
    static prefix func - (a: Sym) -> Sym {
        if let x = a.constant { return .c(-x) }
        if case .f(.neg, let args) = a { return args[0] }
        return .f(.neg, [a])
    }
    static func call(_ op: Op, _ args: [Sym]) -> Sym {
        if args.allSatisfy({ $0.constant != nil }), op != .fire, let v = try? Sym.f(op, args).evaluate([:]) { return .c(v) }
        return .f(op, args)
    }

    /// Every name the expression uses.
    func names(into set: inout Set<String>) {
        switch self {
        case .c: break
        case .v(let n): set.insert(n)
        case .f(_, let args): for a in args { a.names(into: &set) }
        }
    }
    var names: Set<String> { var s = Set<String>(); names(into: &s); return s }

    /// Replaces names.
    func substitute(_ map: [String: Sym]) -> Sym {
        switch self {
        case .c: return self
        case .v(let n): return map[n] ?? self
        case .f(let op, let args): return Sym.rebuild(op, args.map { $0.substitute(map) })
        }
    }

    static func rebuild(_ op: Op, _ a: [Sym]) -> Sym {
        switch op {
        case .add: return a[0] + a[1]
        case .sub: return a[0] - a[1]
        case .mul: return a[0] * a[1]
        case .div: return a[0] / a[1]
        case .neg: return -a[0]
        default: return call(op, a)
        }
    }

    /// The derivative with respect to the name `x` (booleans, floor, int, sign and comparisons have derivative 0).
    func derivative(_ x: String) -> Sym {
        switch self {
        case .c: return .zero
        case .v(let n): return n == x ? .one : .zero
        case .f(let op, let a):
            let d = a.map { $0.derivative(x) }
            switch op {
            case .add: return d[0] + d[1]
            case .sub: return d[0] - d[1]
            case .mul: return d[0] * a[1] + a[0] * d[1]
            case .div: return d[0] / a[1] - a[0] * d[1] / (a[1] * a[1])
            case .neg: return -d[0]
            case .pow:
                let p = d[0] * a[1] * Sym.call(.pow, [a[0], a[1] - .one])
                if d[1].constant == 0 { return p }
                return p + d[1] * self * Sym.call(.log, [a[0]])
            case .mod: return d[0] - d[1] * Sym.call(.floor, [a[0] / a[1]])
            case .min: return d[0].constant == 0 && d[1].constant == 0 ? .zero : Sym.call(.select, [Sym.call(.le, [a[0], a[1]]), d[0], d[1]])
            case .max: return d[0].constant == 0 && d[1].constant == 0 ? .zero : Sym.call(.select, [Sym.call(.ge, [a[0], a[1]]), d[0], d[1]])
            case .exp: return d[0] * self
            case .log: return d[0] / a[0]
            case .log10: return d[0] / (a[0] * .c(Foundation.log(10.0)))
            case .sqrt: return d[0] / (.c(2) * self)
            case .sin: return d[0] * Sym.call(.cos, [a[0]])
            case .cos: return -(d[0] * Sym.call(.sin, [a[0]]))
            case .tan: return d[0] * (.one + self * self)
            case .tanh: return d[0] * (.one - self * self)
            case .sinh: return d[0] * Sym.call(.cosh, [a[0]])
            case .cosh: return d[0] * Sym.call(.sinh, [a[0]])
            case .abs: return d[0] * Sym.call(.sign, [a[0]])
            case .exprel:
                // d/du (e^u - 1)/u = (u e^u - e^u + 1)/u^2, 1/2 at u = 0
                let u = a[0], e = Sym.call(.exp, [u])
                let g = (u * e - e + .one) / (u * u)
                return d[0] * Sym.call(.select, [Sym.call(.eq, [u, .zero]), .c(0.5), g])
            case .select:
                if d[1].constant == 0 && d[2].constant == 0 { return .zero }
                return Sym.call(.select, [a[0], d[1], d[2]])
            case .floor, .ceil, .trunc, .sign, .lt, .le, .gt, .ge, .eq, .ne, .and, .or, .not, .fire,
                 .state, .input, .parameter, .derived, .constant:
                return .zero
            }
        }
    }

    /// The value in double precision, names from `env`.
    func evaluate(_ env: [String: Double]) throws -> Double {
        switch self {
        case .c(let x): return x
        case .v(let n):
            guard let x = env[n] else { throw EquationError("'\(n)' has no value here") }
            return x
        case .f(let op, let args):
            let a = try args.map { try $0.evaluate(env) }
            return Sym.apply(op, a)
        }
    }

    static func apply(_ op: Op, _ a: [Double]) -> Double {
        switch op {
        case .add: return a[0] + a[1]
        case .sub: return a[0] - a[1]
        case .mul: return a[0] * a[1]
        case .div: return a[0] / a[1]
        case .neg: return -a[0]
        case .pow: return Foundation.pow(a[0], a[1])
        case .mod: return a[0] - a[1] * Foundation.floor(a[0] / a[1])
        case .min: return Swift.min(a[0], a[1])
        case .max: return Swift.max(a[0], a[1])
        case .exp: return Foundation.exp(a[0])
        case .log: return Foundation.log(a[0])
        case .log10: return Foundation.log10(a[0])
        case .sqrt: return a[0].squareRoot()
        case .sin: return Foundation.sin(a[0])
        case .cos: return Foundation.cos(a[0])
        case .tan: return Foundation.tan(a[0])
        case .tanh: return Foundation.tanh(a[0])
        case .sinh: return Foundation.sinh(a[0])
        case .cosh: return Foundation.cosh(a[0])
        case .abs: return Swift.abs(a[0])
        case .floor: return Foundation.floor(a[0])
        case .ceil: return Foundation.ceil(a[0])
        case .trunc: return Foundation.trunc(a[0])
        case .sign: return a[0] > 0 ? 1 : (a[0] < 0 ? -1 : 0)
        case .exprel: return a[0] == 0 ? 1 : Foundation.expm1(a[0]) / a[0]
        case .lt: return a[0] < a[1] ? 1 : 0
        case .le: return a[0] <= a[1] ? 1 : 0
        case .gt: return a[0] > a[1] ? 1 : 0
        case .ge: return a[0] >= a[1] ? 1 : 0
        case .eq: return a[0] == a[1] ? 1 : 0
        case .ne: return a[0] != a[1] ? 1 : 0
        case .and: return a[0] != 0 && a[1] != 0 ? 1 : 0
        case .or: return a[0] != 0 || a[1] != 0 ? 1 : 0
        case .not: return a[0] != 0 ? 0 : 1
        case .select: return a[0] != 0 ? a[1] : a[2]
        case .fire: return a[0] > 0 ? 1 : 0
        case .state, .input, .parameter, .derived, .constant: return .nan
        }
    }
}

/// What a name means while checking an expression.
struct NameInfo {
    let sym: Sym
    let dimension: Dimension
    let isBoolean: Bool
}

/// Resolves, checks the dimensions of, and lowers a parsed expression. Names are looked up in `names`
/// (variables), then as units (`mV`), then as the constants `pi`, `e`, `True`, `False`.
struct Checker {
    let names: [String: NameInfo]
    let place: String

    func fail(_ e: Expr, _ message: String) -> EquationError {
        let c = e.column
        return EquationError(c > 0 ? "\(place), column \(c): \(message)" : "\(place): \(message)")
    }

    /// The lowered expression, its dimension and whether it is a boolean.
    func check(_ e: Expr) throws -> (Sym, Dimension, Bool) {
        switch e {
        case .number(let v): return (.c(v), .one, false)
        case .name(let n, _):
            if let info = names[n] { return (info.sym, info.dimension, info.isBoolean) }
            if n == "t" { throw fail(e, "the time 't' is not supported (models must be autonomous; drive them through the input)") }
            if n == "xi" || n.hasPrefix("xi_") { throw fail(e, "the noise term '\(n)' is not supported (stochastic equations need a per-neuron random stream, which NeuronModel's step does not carry)") }
            if let q = Units.lookup(n) { return (.c(q.value), q.dimension, false) }
            switch n {
            case "pi": return (.c(Double.pi), .one, false)
            case "e": return (.c(M_E), .one, false)
            case "True": return (.one, .one, true)
            case "False": return (.zero, .one, true)
            case "inf": return (.c(.infinity), .one, false)
            default: throw fail(e, "undefined name '\(n)'")
            }
        case .unary(let op, let a, _):
            let (s, d, b) = try check(a)
            if op == "not" {
                guard b else { throw fail(e, "'not' needs a condition") }
                return (Sym.call(.not, [s]), .one, true)
            }
            if b { throw fail(e, "arithmetic on a condition") }
            return (-s, d, false)
        case .binary(let op, let l, let r, _):
            let (ls, ld, lb) = try check(l)
            let (rs, rd, rb) = try check(r)
            switch op {
            case "and", "or":
                guard lb, rb else { throw fail(e, "'\(op)' needs conditions on both sides") }
                return (Sym.call(op == "and" ? .and : .or, [ls, rs]), .one, true)
            case "<", "<=", ">", ">=", "==", "!=":
                guard ld == rd || ls.constant == 0 || rs.constant == 0 else {
                    throw fail(e, "inconsistent units in comparison: \(ld) \(op) \(rd)")
                }
                let o: Op = ["<": .lt, "<=": .le, ">": .gt, ">=": .ge, "==": .eq, "!=": .ne][op]!
                return (Sym.call(o, [ls, rs]), .one, true)
            default: break
            }
            if lb || rb { throw fail(e, "arithmetic on a condition") }
            switch op {
            case "+", "-", "%":
                guard ld == rd else { throw fail(e, "inconsistent units: \(ld) \(op) \(rd)") }
                return (op == "+" ? ls + rs : op == "-" ? ls - rs : Sym.call(.mod, [ls, rs]), ld, false)
            case "*": return (ls * rs, ld * rd, false)
            case "/": return (ls / rs, ld / rd, false)
            case "**":
                guard rd.isDimensionless else { throw fail(e, "the exponent must be dimensionless, got \(rd)") }
                if ld.isDimensionless { return (Sym.call(.pow, [ls, rs]), .one, false) }
                guard let p = rs.constant else { throw fail(e, "a quantity with units (\(ld)) needs a constant exponent") }
                if p == p.rounded() {
                    guard let d = ld.power(exactly: p) else { throw fail(e, "\(ld) to the power \(p): exponents past +-\(Dimension.maxExponent)") }
                    return (Sym.call(.pow, [ls, rs]), d, false)
                }
                if 2 * p == (2 * p).rounded(), let h = ld.squareRoot() {
                    guard let d = h.power(exactly: 2 * p) else { throw fail(e, "\(ld) to the power \(p): exponents past +-\(Dimension.maxExponent)") }
                    return (Sym.call(.pow, [ls, rs]), d, false)
                }
                throw fail(e, "\(ld) to the power \(p) has no unit")
            default: throw fail(e, "unknown operator '\(op)'")
            }
        case .call(let name, let args, _):
            guard let arity = knownFunctions[name] else { throw fail(e, "unknown function '\(name)'") }
            guard args.count == arity else { throw fail(e, "\(name) takes \(arity) argument\(arity == 1 ? "" : "s"), got \(args.count)") }
            if name == "rand" || name == "randn" {
                throw fail(e, "\(name)() is not supported (no per-neuron random stream in NeuronModel's step)")
            }
            let c = try args.map { try check($0) }
            if c.contains(where: { $0.2 }) && name != "int" { throw fail(e, "\(name) of a condition") }
            switch name {
            case "exp", "log", "log10", "sin", "cos", "tan", "tanh", "sinh", "cosh", "exprel":
                guard c[0].1.isDimensionless else { throw fail(e, "\(name) needs a dimensionless argument, got \(c[0].1)") }
                let op: Op = ["exp": .exp, "log": .log, "log10": .log10, "sin": .sin, "cos": .cos, "tan": .tan, "tanh": .tanh,
                              "sinh": .sinh, "cosh": .cosh, "exprel": .exprel][name]!
                return (Sym.call(op, [c[0].0]), .one, false)
            case "sqrt":
                guard let h = c[0].1.squareRoot() else { throw fail(e, "sqrt of \(c[0].1) has no unit") }
                return (Sym.call(.sqrt, [c[0].0]), h, false)
            case "abs": return (Sym.call(.abs, [c[0].0]), c[0].1, false)
            case "floor": return (Sym.call(.floor, [c[0].0]), c[0].1, false)
            case "ceil": return (Sym.call(.ceil, [c[0].0]), c[0].1, false)
            case "int": return (Sym.call(.trunc, [c[0].0]), c[0].1, false)
            case "sign": return (Sym.call(.sign, [c[0].0]), .one, false)
            case "clip":
                guard c[1].1 == c[0].1 || c[1].0.constant != nil && !c[1].0.constant!.isFinite,
                      c[2].1 == c[0].1 || c[2].0.constant != nil && !c[2].0.constant!.isFinite else {
                    throw fail(e, "clip bounds must have the unit of its value (\(c[0].1))")
                }
                return (Sym.call(.min, [Sym.call(.max, [c[0].0, c[1].0]), c[2].0]), c[0].1, false)
            default: throw fail(e, "unknown function '\(name)'")
            }
        }
    }
}
