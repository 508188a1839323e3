import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one memory rule of SpikeKit: every structure whose size comes from outside the program (a file, a flag,
/// a checkpoint) is estimated in bytes before it is allocated, and refused with a `MemoryBudgetError` when the
/// estimate exceeds the budget.
///
/// The budget is, in order of precedence:
/// 1. the value given to `setOverride(_:)` (a library setter, used by tests and embedding programs);
/// 2. the environment variable `SPIKEKIT_MEMORY_BUDGET`: a number of bytes, optionally with a binary suffix
///    `K`, `M`, `G` or `T` (`512M`, `8G`, `1.5G`);
/// 3. the machine's physical memory (`MemTotal` of `/proc/meminfo` on Linux, `sysconf` elsewhere).
///
/// Estimates are per structure (a neuron group, a projection's synapses, a delay ring, an encoder's output,
/// a layer's weights, a data set, a recording): each must fit the budget on its own. Products of sizes are
/// computed with overflow checks, so a size such as 2^62 is refused instead of wrapping around.
public enum MemoryBudget {
    /// The environment variable that sets the budget (bytes, or with a `K`, `M`, `G`, `T` suffix).
    public static let environmentVariable = "SPIKEKIT_MEMORY_BUDGET"

    private static let lock = NSLock()
    nonisolated(unsafe) private static var overrideBytes: Int?

    /// Sets (or with nil, removes) a budget in bytes that takes precedence over the environment and the
    /// machine's memory. Thread-safe.
    public static func setOverride(_ bytes: Int?) {
        lock.lock(); defer { lock.unlock() }
        overrideBytes = bytes.map { Swift.max(0, $0) }
    }

    /// The budget in bytes now in force (see the type's documentation for the order of precedence); throws
    /// when `SPIKEKIT_MEMORY_BUDGET` is set but is not a size.
    public static func bytes() throws -> Int {
        lock.lock()
        let o = overrideBytes
        lock.unlock()
        if let o { return o }
        // getenv, not ProcessInfo.environment (which copies the whole environment into a dictionary per call):
        // the budget is checked per sample and per batch by the data pipeline.
        if let raw = getenv(environmentVariable) {
            let text = String(cString: raw)
            guard let b = parseSize(text) else {
                throw MemoryBudgetError(message: "\(environmentVariable): '\(text.prefix(40))' is not a size (bytes, or a number with K, M, G or T)")
            }
            return b
        }
        return physicalMemory
    }

    /// The machine's physical memory in bytes (`MemTotal` on Linux; `sysconf` pages otherwise), or 8 GiB when
    /// neither can be read.
    public static let physicalMemory: Int = {
        #if os(Linux)
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("MemTotal:") {
                let fields = line.split(separator: " ")
                if fields.count >= 2, let kb = Int(fields[1]), kb > 0 {
                    let (b, o) = kb.multipliedReportingOverflow(by: 1024)
                    return o ? Int.max : b
                }
            }
        }
        #endif
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        if pages > 0, size > 0 {
            let (b, o) = pages.multipliedReportingOverflow(by: size)
            return o ? Int.max : b
        }
        return 8 << 30
    }()

    /// `text` as a number of bytes: digits (a fraction allowed) with an optional suffix `K`, `M`, `G`, `T`
    /// (binary multiples; a trailing `B` or `iB` is accepted), or nil.
    public static func parseSize(_ text: String) -> Int? {
        var s = text.trimmingCharacters(in: .whitespaces).uppercased()
        if s.hasSuffix("IB") { s.removeLast(2) } else if s.hasSuffix("B") { s.removeLast() }
        var scale = 1.0
        if let last = s.last, let k = ["K": 1.0, "M": 2.0, "G": 3.0, "T": 4.0][String(last)] {
            scale = pow(1024, k); s.removeLast()
        }
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let v = Double(s), v.isFinite, v >= 0 else {
            return nil
        }
        let bytes = (v * scale).rounded()
        return bytes < 9.2e18 ? Int(bytes) : nil
    }

    /// The product of `factors`, or nil when it overflows `Int` or a factor is negative.
    public static func product(_ factors: [Int]) -> Int? {
        var acc = 1
        for f in factors {
            guard f >= 0 else { return nil }
            let (p, o) = acc.multipliedReportingOverflow(by: f)
            if o { return nil }
            acc = p
        }
        return acc
    }

    /// The sum of `terms`, or nil when it overflows `Int` or a term is nil or negative.
    public static func sum(_ terms: [Int?]) -> Int? {
        var acc = 0
        for t in terms {
            guard let t, t >= 0 else { return nil }
            let (s, o) = acc.addingReportingOverflow(t)
            if o { return nil }
            acc = s
        }
        return acc
    }

    /// Refuses `bytes` (an estimate; nil means it overflowed `Int`) above the budget, with an error naming
    /// `what` (e.g. `"group 'E' (2147483647 neurons)"`), the estimate and the budget.
    public static func check(bytes: Int?, what: String) throws {
        let budget = try Self.bytes()
        guard let bytes else {
            throw MemoryBudgetError(message: "\(what) needs more memory than can be counted (the size overflows), above the memory budget of \(describe(budget))\(hint)")
        }
        guard bytes <= budget else {
            throw MemoryBudgetError(message: "\(what) needs an estimated \(describe(bytes)), above the memory budget of \(describe(budget))\(hint)")
        }
    }

    /// Refuses the product of `factors` times `elementSize` bytes above the budget (see `check(bytes:what:)`)
    /// and returns it.
    @discardableResult
    public static func checkProduct(_ factors: [Int], elementSize: Int, what: String) throws -> Int {
        let bytes = product(factors + [elementSize])
        try check(bytes: bytes, what: what)
        return bytes!
    }

    /// `bytes` for a person: `123 bytes`, `4.0 KiB`, `75.0 GiB` (with the exact count above 1 KiB).
    public static func describe(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) bytes" }
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var v = Double(bytes) / 1024, k = 0
        while v >= 1024 && k < units.count - 1 { v /= 1024; k += 1 }
        return String(format: "%.1f ", v) + units[k] + " (\(bytes) bytes)"
    }

    private static let hint = " (set \(environmentVariable) to change it)"
}

/// A structure refused by `MemoryBudget`: a one-line message with the estimate and the budget.
public struct MemoryBudgetError: Error, CustomStringConvertible, Sendable {
    /// The message, e.g. `group 'E' (2147483647 neurons) needs an estimated 32.0 GiB (...), above the memory budget of ...`.
    public let message: String
    /// A refusal with `message`.
    public init(message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
