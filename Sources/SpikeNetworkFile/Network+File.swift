import Foundation
import SpikeSim

extension NetworkDescription {
    /// Reads and checks the network file at `url` (JSON, or the YAML subset of `YAMLSubset` for `.yaml`/`.yml`;
    /// the schema is docs/SIMULATION.md). Relative file names inside it resolve against its folder. Throws a
    /// one-line `NetworkFileError` naming the file and the place of the first problem.
    public init(contentsOf url: URL) throws {
        self = try NetworkFile.load(url.path)
    }
}

extension Network {
    /// The network of a checked network-file description: its groups, inputs, projections (with plasticity)
    /// and monitors, built in the order `NetworkBuilder` documents (so the same file and seed give the same
    /// network, bit for bit, as `spike simulate FILE`), with a `SpikeCounter` per group after the file's
    /// monitors. Run it for the file's duration with `run(duration: description.duration)` (ms).
    public convenience init(_ description: NetworkDescription) throws {
        try self.init(dt: description.dt, seed: description.seed)
        try NetworkBuilder.populate(self, description)
    }

    /// The network of the network file at `url` (`NetworkDescription(contentsOf:)`, then `init(_:)`): the
    /// counterpart of `save(to:)` and `restore(from:)`, which hold a network's state, not its structure.
    public convenience init(contentsOf url: URL) throws {
        try self.init(NetworkDescription(contentsOf: url))
    }
}
