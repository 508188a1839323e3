import Foundation

/// The physical dimension of a quantity: exponents of the seven SI base units
/// (metre, kilogram, second, ampere, kelvin, mole, candela), as Brian2's `Dimension`.
public struct Dimension: Hashable, Sendable, CustomStringConvertible {
    /// Exponents in the order m, kg, s, A, K, mol, cd.
    public var exponents: [Int]

    /// Dimensionless (`: 1` in Brian2's equations).
    public static let one = Dimension([0, 0, 0, 0, 0, 0, 0])
    /// The base units' dimensions (metre, kilogram, second, ampere, kelvin, mole, candela).
    public static let metre = Dimension([1, 0, 0, 0, 0, 0, 0])
    public static let kilogram = Dimension([0, 1, 0, 0, 0, 0, 0])
    public static let second = Dimension([0, 0, 1, 0, 0, 0, 0])
    public static let amp = Dimension([0, 0, 0, 1, 0, 0, 0])
    public static let kelvin = Dimension([0, 0, 0, 0, 1, 0, 0])
    public static let mole = Dimension([0, 0, 0, 0, 0, 1, 0])
    public static let candela = Dimension([0, 0, 0, 0, 0, 0, 1])
    /// kg m^2 s^-3 A^-1.
    public static let volt = Dimension([2, 1, -3, -1, 0, 0, 0])

    /// A dimension from its seven exponents (m, kg, s, A, K, mol, cd).
    public init(_ exponents: [Int]) { self.exponents = exponents }

    /// Whether every exponent is 0.
    public var isDimensionless: Bool { exponents.allSatisfy { $0 == 0 } }

    /// Product and quotient of dimensions (exponents add, subtract).
    public static func * (a: Dimension, b: Dimension) -> Dimension { Dimension(zip(a.exponents, b.exponents).map { $0 + $1 }) }
    public static func / (a: Dimension, b: Dimension) -> Dimension { Dimension(zip(a.exponents, b.exponents).map { $0 - $1 }) }
    /// The dimension to an integer power.
    public func power(_ n: Int) -> Dimension { Dimension(exponents.map { $0 * n }) }
    /// The largest exponent magnitude a dimension may reach through `power(exactly:)` (`volt**5000` is refused
    /// with an error rather than overflowing the exponents).
    public static let maxExponent = 1000
    /// The dimension to the power `p`, or nil when `p` is not an integer or an exponent of the result would pass
    /// `maxExponent` in magnitude: the checked form for exponents read from equations.
    public func power(exactly p: Double) -> Dimension? {
        guard p == p.rounded(), abs(p) <= Double(Dimension.maxExponent) else { return nil }
        let n = Int(p)
        var out: [Int] = []
        for e in exponents {
            let (v, overflow) = e.multipliedReportingOverflow(by: n)
            guard !overflow, abs(v) <= Dimension.maxExponent else { return nil }
            out.append(v)
        }
        return Dimension(out)
    }
    /// The square root, or nil when an exponent is odd.
    public func squareRoot() -> Dimension? {
        exponents.allSatisfy({ $0 % 2 == 0 }) ? Dimension(exponents.map { $0 / 2 }) : nil
    }

    /// Brian2's spelling: a named unit where one fits (`volt`, `amp`, `siemens`, ...), else base units (`m^2 kg s^-3`).
    public var description: String {
        if isDimensionless { return "1" }
        for (name, d) in Units.namedDimensions where d == self { return name }
        let symbols = ["m", "kg", "s", "A", "K", "mol", "cd"]
        return zip(symbols, exponents).filter { $0.1 != 0 }.map { $0.1 == 1 ? $0.0 : "\($0.0)^\($0.1)" }.joined(separator: " ")
    }
}

/// A value in SI base units with its dimension (`10*mV` is 0.01 with the dimension of volt).
public struct Quantity: Sendable, Equatable, CustomStringConvertible {
    /// The value in SI base units.
    public var value: Double
    /// Its dimension.
    public var dimension: Dimension
    /// A quantity of `value` SI base units of `dimension`.
    public init(_ value: Double, _ dimension: Dimension = .one) { self.value = value; self.dimension = dimension }
    public var description: String { dimension.isDimensionless ? "\(value)" : "\(value) \(dimension)" }
}

/// Brian2's unit names: the SI base and derived units, their symbols, the SI prefixes (full: `milli`, `nano`;
/// short: `m`, `n`, `u`, ...) and a power suffix `2` or `3` (`cm2`, `umetre3`), as `brian2.units.allunits`.
public enum Units {
    /// Unprefixed units by name: scale to SI and dimension.
    static let base: [String: (Double, Dimension)] = {
        let V = Dimension.volt, A = Dimension.amp, s = Dimension.second, m = Dimension.metre, kg = Dimension.kilogram
        let ohm = V / A, siemens = A / V, farad = A * s / V, hertz = Dimension.one / s, coulomb = A * s
        let joule = kg * m.power(2) / s.power(2), watt = joule / s, newton = kg * m / s.power(2)
        let molar = Dimension.mole / m.power(3), weber = V * s, tesla = weber / m.power(2), henry = weber / A
        let pascal = newton / m.power(2)
        var t: [String: (Double, Dimension)] = [:]
        for (names, scale, d) in [
            (["metre", "meter", "m"], 1.0, m), (["gram", "gramme", "g"], 1e-3, kg), (["kilogram", "kg"], 1.0, kg),
            (["second", "s"], 1.0, s), (["amp", "ampere", "A"], 1.0, A), (["kelvin", "K"], 1.0, Dimension.kelvin),
            (["mole", "mol"], 1.0, Dimension.mole), (["candela", "cd"], 1.0, Dimension.candela),
            (["volt", "V"], 1.0, V), (["ohm"], 1.0, ohm), (["siemens", "S"], 1.0, siemens), (["farad", "F"], 1.0, farad),
            (["hertz", "Hz"], 1.0, hertz), (["coulomb", "C"], 1.0, coulomb), (["joule", "J"], 1.0, joule),
            (["watt", "W"], 1.0, watt), (["newton", "N"], 1.0, newton), (["pascal", "Pa"], 1.0, pascal),
            (["weber", "Wb"], 1.0, weber), (["tesla", "T"], 1.0, tesla), (["henry", "H"], 1.0, henry),
            (["molar", "M"], 1000.0, molar), (["litre", "liter", "l", "L"], 1e-3, m.power(3)),
        ] as [([String], Double, Dimension)] {
            for n in names { t[n] = (scale, d) }
        }
        return t
    }()

    /// Named dimensions for messages.
    static let namedDimensions: [(String, Dimension)] = ["volt", "amp", "second", "siemens", "farad", "ohm", "hertz", "metre",
                                                         "kilogram", "molar", "coulomb", "joule", "watt"].map { ($0, base[$0]!.1) }
        + [("volt/second", Dimension.volt / .second), ("amp/metre^2", Dimension.amp / Dimension.metre.power(2)),
           ("siemens/metre^2", base["siemens"]!.1 / Dimension.metre.power(2)), ("farad/metre^2", base["farad"]!.1 / Dimension.metre.power(2))]

    static let fullPrefixes: [(String, Double)] = [("yocto", 1e-24), ("zepto", 1e-21), ("atto", 1e-18), ("femto", 1e-15),
        ("pico", 1e-12), ("nano", 1e-9), ("micro", 1e-6), ("milli", 1e-3), ("centi", 1e-2), ("deci", 1e-1),
        ("deka", 1e1), ("hecto", 1e2), ("kilo", 1e3), ("mega", 1e6), ("giga", 1e9), ("tera", 1e12)]
    static let shortPrefixes: [Character: Double] = ["y": 1e-24, "z": 1e-21, "a": 1e-18, "f": 1e-15, "p": 1e-12, "n": 1e-9,
        "u": 1e-6, "m": 1e-3, "c": 1e-2, "d": 1e-1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12]

    /// The unit `name` (e.g. `mV`, `nsiemens`, `cm2`, `umolar`) as a quantity, or nil if it is not a unit name.
    public static func lookup(_ name: String) -> Quantity? {
        if let (s, d) = base[name] { return Quantity(s, d) }
        // Power suffix: cm2, um3, metre2 (one suffix: `cm22` is not a unit).
        if let last = name.last, last == "2" || last == "3", name.count > 1, let q = lookupUnsuffixed(String(name.dropLast())),
           !q.dimension.isDimensionless {
            let n = last == "2" ? 2 : 3
            return Quantity(Foundation.pow(q.value, Double(n)), q.dimension.power(n))
        }
        return lookupUnsuffixed(name)
    }

    /// A unit name without a power suffix: a base unit, or a prefixed one (`mV`, `nsiemens`).
    static func lookupUnsuffixed(_ name: String) -> Quantity? {
        if let (s, d) = base[name] { return Quantity(s, d) }
        for (p, f) in fullPrefixes where name.hasPrefix(p) {
            if let (s, d) = base[String(name.dropFirst(p.count))] { return Quantity(s * f, d) }
        }
        if let first = name.first, let f = shortPrefixes[first], name.count > 1, let (s, d) = base[String(name.dropFirst())] {
            return Quantity(s * f, d)
        }
        return nil
    }
}
