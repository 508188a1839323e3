/// Entry points for the fuzz targets of `Fuzz/` (libFuzzer): the parsers that are internal to SpikeIO, reached
/// only with `@_spi(Fuzzing) import SpikeIO`, so they stay out of the public API.
@_spi(Fuzzing) public enum SpikeIOFuzzing {
    /// Parses `text` as the Python literal of a `.npy` header; returns the value's rendering for error messages
    /// (`repr`), or nil when the text is not a literal (the parser threw).
    public static func pythonLiteral(_ text: String) -> String? {
        guard let value = try? PythonLiteral.parse(text) else { return nil }
        return value.repr
    }

    /// Parses `bytes` as a safetensors JSON header (errors name the byte offset); returns whether it parsed.
    public static func jsonHeader(_ bytes: UnsafeRawBufferPointer) -> JSON? {
        try? JSON.parse(bytes)
    }
}
