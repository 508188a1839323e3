import Foundation
import SpikeCore

/// Reading and writing the safetensors format (Hugging Face `safetensors`).
///
/// Layout: an 8-byte little-endian `UInt64` header length `N`, then `N` bytes of UTF-8 JSON
/// `{"__metadata__": {string: string}, "<name>": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...}`,
/// then the raw little-endian data. Offsets are relative to the start of the data section; the tensors
/// must cover it exactly, without gaps or overlaps.
///
/// Writing produces `F32` tensors laid out contiguously in the order given, the header padded with spaces
/// to a multiple of 8 bytes, byte for byte what the Python package writes for the same (name-sorted) float32
/// tensors; `__metadata__` is omitted when the metadata is empty and its keys are written sorted.
/// Reading accepts `F32`, `F64`, `F16`, `BF16`, `I64`, `I32`, `I16`, `I8`, `U64`, `U32`, `U16`, `U8` and `BOOL`,
/// converted to `Float`, and returns the tensors in the order of their data offsets.
public enum SafeTensors {
    /// The longest JSON header read, in bytes: the limit of the reference implementation (Rust `safetensors`).
    public static let maxHeaderBytes = 100_000_000
    /// The name used in error messages from `encode`, which has no file.
    static let inMemoryName = "<safetensors>"

    /// Encodes `tensors` (as F32, in the given order) and `metadata` as a safetensors file.
    /// Throws `SpikeIOError.duplicateTensor` or `.invalidTensorName` (for the reserved `"__metadata__"`).
    public static func encode(_ tensors: [(String, Tensor)], metadata: [String: String]) throws -> Data {
        try encode(tensors, metadata: metadata, name: inMemoryName)
    }

    /// Decodes the contents of a safetensors file; `name` (usually the file's path) is used in error messages.
    /// Tensors are returned in the order of their data offsets.
    public static func decode(_ data: Data, name: String) throws -> (tensors: [(String, Tensor)], metadata: [String: String]) {
        try data.withUnsafeBytes { raw in try decode(raw, name: name) }
    }

    /// Writes `tensors` and `metadata` to `url` as a safetensors file, atomically (see `AtomicFile`).
    public static func write(_ tensors: [(String, Tensor)], metadata: [String: String], to url: URL) throws {
        try AtomicFile.write(encode(tensors, metadata: metadata, name: url.path), to: url)
    }

    /// Reads the safetensors file at `url`; errors name the file's path.
    public static func read(from url: URL) throws -> (tensors: [(String, Tensor)], metadata: [String: String]) {
        try decode(Bytes.readFile(url), name: url.path)
    }

    // MARK: - Writing

    static func encode(_ tensors: [(String, Tensor)], metadata: [String: String], name: String) throws -> Data {
        var seen = Set<String>()
        for (tensorName, _) in tensors {
            if tensorName == "__metadata__" {
                throw SpikeIOError.invalidTensorName(file: name, name: tensorName, reason: "the name is reserved for the metadata")
            }
            if !seen.insert(tensorName).inserted { throw SpikeIOError.duplicateTensor(file: name, name: tensorName) }
        }
        var members: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { JSON.quote($0) + ":" + JSON.quote(metadata[$0]!) }
            members.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for (tensorName, t) in tensors {
            let end = offset + 4 * t.count
            members.append(JSON.quote(tensorName) + ":{\"dtype\":\"F32\",\"shape\":["
                + t.shape.map(String.init).joined(separator: ",") + "],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array(("{" + members.joined(separator: ",") + "}").utf8)
        header.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8))
        var out = Data(capacity: 8 + header.count + offset)
        let n = UInt64(header.count)
        out.append(contentsOf: (0..<8).map { UInt8((n >> (8 * UInt64($0))) & 0xFF) })
        out.append(contentsOf: header)
        for (_, t) in tensors { Bytes.appendFloat32LE(t.scalars, to: &out) }
        return out
    }

    // MARK: - Reading

    /// The safetensors dtype names this reader accepts.
    static let dtypes: [String: Bytes.Element] = [
        "F64": .f64, "F32": .f32, "F16": .f16, "BF16": .bf16,
        "I64": .i64, "I32": .i32, "I16": .i16, "I8": .i8,
        "U64": .u64, "U32": .u32, "U16": .u16, "U8": .u8, "BOOL": .bool,
    ]

    /// One tensor's header entry.
    private struct Entry {
        var name: String
        var element: Bytes.Element
        var shape: [Int]
        var begin: Int
        var end: Int
        var index: Int
    }

    private static func decode(_ bytes: UnsafeRawBufferPointer, name: String) throws -> (tensors: [(String, Tensor)], metadata: [String: String]) {
        guard bytes.count >= 8 else { throw SpikeIOError.truncatedHeader(file: name, needed: 8, available: bytes.count) }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(bytes.count - 8) else {
            let needed = n > UInt64(Int.max - 8) ? Int.max : 8 + Int(n)
            throw SpikeIOError.truncatedHeader(file: name, needed: needed, available: bytes.count)
        }
        guard n <= UInt64(maxHeaderBytes) else {
            throw SpikeIOError.malformedHeader(file: name, reason: "header of \(n) bytes is over the limit of \(maxHeaderBytes)")
        }
        let headerEnd = 8 + Int(n)
        let json: JSON
        do {
            json = try JSON.parse(UnsafeRawBufferPointer(rebasing: bytes[8..<headerEnd]))
        } catch {
            throw SpikeIOError.malformedHeader(file: name, reason: "invalid JSON: \(error.message)")
        }
        guard case let .object(members) = json else {
            throw SpikeIOError.malformedHeader(file: name, reason: "header is \(json.kind), not a JSON object")
        }
        let dataSize = bytes.count - headerEnd

        var metadata: [String: String] = [:]
        var sawMetadata = false
        var entries: [Entry] = []
        var names = Set<String>()
        for (key, value) in members {
            if key == "__metadata__" {
                if sawMetadata { throw SpikeIOError.malformedHeader(file: name, reason: "duplicate '__metadata__' key") }
                sawMetadata = true
                metadata = try parseMetadata(value, name: name)
                continue
            }
            guard names.insert(key).inserted else { throw SpikeIOError.duplicateTensor(file: name, name: key) }
            var entry = try parseEntry(key, value, name: name)
            entry.index = entries.count
            if entry.end > dataSize {
                throw SpikeIOError.dataOutOfBounds(file: name, tensor: key, begin: entry.begin, end: entry.end, dataSize: dataSize)
            }
            entries.append(entry)
        }

        // Order by data offset (zero-length tensors by header order), then require exact contiguous coverage.
        entries.sort { ($0.begin, $0.end, $0.index) < ($1.begin, $1.end, $1.index) }
        var cursor = 0
        var previous: Entry? = nil
        for e in entries {
            if e.begin < cursor, let p = previous {
                throw SpikeIOError.overlappingData(file: name, first: p.name, firstRange: p.begin..<p.end,
                                                   second: e.name, secondRange: e.begin..<e.end)
            }
            if e.begin > cursor {
                throw SpikeIOError.uncoveredData(file: name, range: cursor..<e.begin, dataSize: dataSize)
            }
            cursor = e.end
            if e.end > e.begin { previous = e }
        }
        if cursor < dataSize {
            throw SpikeIOError.uncoveredData(file: name, range: cursor..<dataSize, dataSize: dataSize)
        }

        let data = UnsafeRawBufferPointer(rebasing: bytes[headerEnd...])
        let tensors = entries.map { e -> (String, Tensor) in
            let count = (e.end - e.begin) / e.element.size
            let slice = UnsafeRawBufferPointer(rebasing: data[e.begin..<e.end])
            return (e.name, Tensor(shape: e.shape, scalars: Bytes.floats(from: slice, count: count, element: e.element)))
        }
        return (tensors, metadata)
    }

    private static func parseMetadata(_ value: JSON, name: String) throws -> [String: String] {
        guard case let .object(pairs) = value else {
            throw SpikeIOError.malformedHeader(file: name, reason: "'__metadata__' is \(value.kind), not an object of strings")
        }
        var metadata: [String: String] = [:]
        for (k, v) in pairs {
            guard case let .string(s) = v else {
                throw SpikeIOError.malformedHeader(file: name, reason: "'__metadata__' value for \(MessageText.quoted(k)) is \(v.kind), not a string")
            }
            guard metadata.updateValue(s, forKey: k) == nil else {
                throw SpikeIOError.malformedHeader(file: name, reason: "duplicate '__metadata__' key \(MessageText.quoted(k))")
            }
        }
        return metadata
    }

    private static func parseEntry(_ tensor: String, _ value: JSON, name: String) throws -> Entry {
        func malformed(_ reason: String) -> SpikeIOError {
            .malformedHeader(file: name, reason: "tensor \(MessageText.quoted(tensor)): \(reason)")
        }
        guard case let .object(fields) = value else { throw malformed("entry is \(value.kind), not an object") }
        var byKey: [String: JSON] = [:]
        for (k, v) in fields where byKey.updateValue(v, forKey: k) != nil {
            throw malformed("duplicate key \(MessageText.quoted(k))")
        }
        for key in ["dtype", "shape", "data_offsets"] where byKey[key] == nil {
            throw malformed("missing key '\(key)'")
        }
        func integers(_ key: String) throws -> [Int] {
            guard case let .array(items) = byKey[key]! else { throw malformed("'\(key)' is \(byKey[key]!.kind), not an array") }
            return try items.map { item in
                guard case let .number(_, integer?) = item, integer >= 0 else {
                    throw malformed("'\(key)' must hold non-negative integers, found \(item.kind)")
                }
                return integer
            }
        }
        guard case let .string(dtype) = byKey["dtype"]! else { throw malformed("'dtype' is \(byKey["dtype"]!.kind), not a string") }
        guard let element = dtypes[dtype] else {
            throw SpikeIOError.unsupportedDType(file: name, tensor: tensor, dtype: dtype,
                                                reason: "expected F32, F64, F16, BF16 or an integer/bool type")
        }
        let shape = try integers("shape")
        let offsets = try integers("data_offsets")
        guard offsets.count == 2 else { throw malformed("'data_offsets' has \(offsets.count) values, expected [begin, end]") }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end else { throw malformed("'data_offsets' [\(begin), \(end)] has begin after end") }
        guard let count = Bytes.product(shape), let needed = Bytes.product([count, element.size]) else {
            throw malformed("shape \(MessageText.excerpt("\(shape)")) has too many elements")
        }
        guard needed == end - begin else {
            throw SpikeIOError.dataSizeMismatch(file: name, tensor: tensor, shape: shape, dtype: dtype,
                                                expected: needed, actual: end - begin)
        }
        return Entry(name: tensor, element: element, shape: shape, begin: begin, end: end, index: 0)
    }
}
