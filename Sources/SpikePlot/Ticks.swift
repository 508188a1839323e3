import Foundation

/// Axis ticks at "nice" values: multiples of 1, 2 or 5 times a power of ten, about `count` of them inside the
/// range: the range divided by `count`, rounded to the nearest nice number (Heckbert, "Nice numbers for graph
/// labels", Graphics Gems 1990: below 1.5 -> 1, 3 -> 2, 7 -> 5, else 10, times the power of ten).
public enum Ticks {
    /// The tick step for `lo...hi` with about `count` ticks.
    public static func step(_ lo: Double, _ hi: Double, count: Int = 5) -> Double {
        let range = hi - lo
        guard range.isFinite, range > 0 else { return 1 }
        let rough = range / Double(max(1, count))
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        let residual = rough / magnitude
        let nice: Double = residual < 1.5 ? 1 : residual < 3 ? 2 : residual < 7 ? 5 : 10
        return nice * magnitude
    }

    /// The ticks in `lo...hi` (both ends included when they fall on a tick), at multiples of `step(lo, hi)`.
    public static func values(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        guard lo.isFinite, hi.isFinite, hi > lo else { return lo.isFinite ? [lo] : [] }
        let s = step(lo, hi, count: count)
        let first = (lo / s).rounded(.up)
        var out: [Double] = []
        var k = 0.0
        while (first + k) * s <= hi + s * 1e-9, out.count < 100 {
            // k s rounded to 12 significant digits: 0.6, not 0.6000000000000001.
            let v = Double(String(format: "%.12g", (first + k) * s)) ?? (first + k) * s
            out.append(abs(v) < s * 1e-9 ? 0 : v)
            k += 1
        }
        return out
    }

    /// Ticks at whole numbers only (neuron indices, counts): `values` with a step of at least 1.
    public static func integers(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        guard step(lo, hi, count: count) < 1 else { return values(lo, hi, count: count) }
        return stride(from: lo.rounded(.up), through: hi, by: 1).map { $0 }
    }

    /// `v` written with as many decimals as `step` needs (0.5 -> "0.5", 20 -> "20", 2.5e-5 -> "2.5e-05").
    public static func label(_ v: Double, step: Double) -> String {
        if v == 0 { return "0" }
        let magnitude = max(abs(v), step)
        if magnitude >= 1e6 || step < 1e-4 { return String(format: "%g", v) }
        let decimals = max(0, Int((-log10(step)).rounded(.up)))
        var text = String(format: "%.\(decimals)f", v)
        if text.hasPrefix("-"), Double(text) == 0 { text.removeFirst() }
        return text
    }
}
