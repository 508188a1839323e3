/// Errors from building or validating a data set; every `description` is a single line.
///
/// Invalid generator settings come from outside the program (a command line, a JSON file), so they are
/// thrown, not trapped. Misuse of an already valid data set (an index out of range in
/// `SpikeDataset.batch(indices:)`) is a programming error and traps instead, as in `SpikeCore`.
public enum DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A parameter out of range. `description` reads `"<context>: <parameter> <requirement>, got <value>"`,
    /// e.g. `"randman: classes must be at least 2, got 1"`.
    case invalidParameter(context: String, parameter: String, requirement: String, got: String)
    /// A data set with no samples where at least one is needed: `"dataset is empty"`.
    case empty
    /// Data whose parts do not fit together (counts, ranges), e.g.
    /// `"dataset: sample 3 has 7 spike steps, expected 10 (units)"`.
    case inconsistent(String)
    /// A data set folder without the files its loader needs. `description` reads
    /// `"<dataset>: <path>: expected <files>; the data set is published at <source> (nothing is downloaded)"`.
    case missingFiles(dataset: String, path: String, expected: String, source: String)

    /// The one-line message.
    public var description: String {
        switch self {
        case let .invalidParameter(context, parameter, requirement, got):
            return "\(context): \(parameter) \(requirement), got \(got)"
        case .empty:
            return "dataset is empty"
        case let .inconsistent(message):
            return "dataset: \(message)"
        case let .missingFiles(dataset, path, expected, source):
            return "\(dataset): \(path): expected \(expected); the data set is published at \(source) (nothing is downloaded)"
        }
    }

    /// The name of the offending parameter for `.invalidParameter`, else `nil`.
    public var parameter: String? {
        if case let .invalidParameter(_, parameter, _, _) = self { return parameter }
        return nil
    }
}
