import SpikeCore
/// An invalid argument to an encoder, generator, decoder or loss that came from outside the program
/// (a parameter value, a file, a CLI option): intensities outside the encoder's domain, NaN, zero steps,
/// thresholds that are not positive. The message is one line naming the coder and the problem, e.g.
/// "poisson: intensity 1.5 at index 3 is outside [0, 1]".
public struct CodingError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Shared argument checks of the coders.
public enum CodingCheck {
    /// Throws unless `steps >= 1`.
    public static func steps(_ steps: Int, _ coder: String) throws {
        guard steps >= 1 else { throw CodingError("\(coder): steps must be at least 1, got \(steps)") }
        guard steps <= Int(Int32.max) else { throw CodingError("\(coder): steps must be at most \(Int32.max), got \(steps)") }
    }
    /// Throws unless `steps >= 1`, and unless the output of `steps` x `elements` values (float32) fits the
    /// memory budget (`MemoryBudget`): checked before anything is allocated.
    public static func steps(_ steps: Int, _ coder: String, elements: Int) throws {
        try Self.steps(steps, coder)
        try MemoryBudget.checkProduct([steps, Swift.max(elements, 1)], elementSize: 4, what: "\(coder): output of \(steps) steps x \(elements) values")
    }
    /// Throws unless `value > 0` and finite.
    public static func positive(_ value: Float, _ name: String, _ coder: String) throws {
        guard value > 0, value.isFinite else { throw CodingError("\(coder): \(name) must be > 0, got \(value)") }
    }
    /// Throws unless every element is finite (no NaN or infinity).
    public static func finite(_ values: [Float], _ coder: String) throws {
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw CodingError("\(coder): value \(values[i]) at index \(i) is not finite")
        }
    }
    /// Throws unless every element is finite and within `range`.
    public static func within(_ values: [Float], _ range: ClosedRange<Float>, _ coder: String) throws {
        try finite(values, coder)
        if let i = values.firstIndex(where: { !range.contains($0) }) {
            throw CodingError("\(coder): intensity \(values[i]) at index \(i) is outside [\(range.lowerBound), \(range.upperBound)]")
        }
    }
}
