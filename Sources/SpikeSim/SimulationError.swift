/// An error in a network description or a simulation request that comes from outside the program (a network
/// file, CLI arguments, parameter values): one line naming the place and the problem.
public struct SimulationError: Error, CustomStringConvertible, Equatable {
    /// The one-line message.
    public let message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
