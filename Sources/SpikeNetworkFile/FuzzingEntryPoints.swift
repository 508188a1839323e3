import SpikeIO

/// Entry points for the fuzz targets of `Fuzz/` (libFuzzer) that are internal to SpikeNetworkFile, reached only
/// with `@_spi(Fuzzing) import SpikeNetworkFile`.
@_spi(Fuzzing) public enum NetworkFileFuzzing {
    /// Checks `value` as the `plasticity` object of a projection (what `NetworkFile.parse` does with it);
    /// throws the one-line error a network file would give (at the default dt of 0.1 ms, which bounds reward times).
    public static func plasticity(_ value: JSON, file: String) throws {
        _ = try PlasticityDescription.parse(FileNode(file: file, value: value), dt: 0.1)
    }
}
