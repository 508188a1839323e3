import Foundation
import XCTest
import SpikeCore
@testable import SpikeIO

final class SafeTensorsTests: XCTestCase {
    /// A safetensors file with the given header text (unpadded) and data bytes.
    private func st(_ header: String, _ data: [UInt8] = []) -> Data {
        let h = Array(header.utf8)
        var out = Data((0..<8).map { UInt8((UInt64(h.count) >> (8 * UInt64($0))) & 0xFF) })
        out += h
        out += data
        return out
    }

    private func names(_ tensors: [(String, Tensor)]) -> [String] { tensors.map(\.0) }

    // MARK: Round trips

    func testRoundTripShapesAndMetadata() throws {
        let tensors: [(String, Tensor)] = [
            ("scalar", Tensor(2.5)), ("vector", ramp([5])), ("cube", ramp([2, 3, 4], offset: 3)), ("empty", Tensor.zeros([0, 3])),
        ]
        let metadata = ["format": "pt", "note": "quotes \" backslash \\ newline \n tab \t unicode é ∑ 🧠 ctrl \u{01}"]
        let data = try SafeTensors.encode(tensors, metadata: metadata)
        let back = try SafeTensors.decode(data, name: "m.safetensors")
        XCTAssertEqual(names(back.tensors), ["scalar", "vector", "cube", "empty"], "order of data offsets = order written")
        for (a, b) in zip(tensors, back.tensors) { XCTAssertEqual(a.1, b.1, a.0) }
        XCTAssertEqual(back.metadata, metadata)

        let empty = try SafeTensors.decode(SafeTensors.encode([], metadata: [:]), name: "e.safetensors")
        XCTAssertTrue(empty.tensors.isEmpty)
        XCTAssertEqual(empty.metadata, [:])
    }

    func testRoundTripThroughFile() throws {
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("model.safetensors")
        let tensors: [(String, Tensor)] = [("z.weight", ramp([3, 2])), ("a.bias", ramp([3], offset: 10))]
        try SafeTensors.write(tensors, metadata: ["epoch": "3"], to: url)
        let back = try SafeTensors.read(from: url)
        XCTAssertEqual(names(back.tensors), ["z.weight", "a.bias"])
        XCTAssertEqual(back.tensors[0].1, tensors[0].1)
        XCTAssertEqual(back.tensors[1].1, tensors[1].1)
        XCTAssertEqual(back.metadata, ["epoch": "3"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["model.safetensors"])
    }

    func testHeaderIsPaddedToEightBytes() throws {
        for n in 0..<10 {
            let data = try SafeTensors.encode([(String(repeating: "x", count: n + 1), ramp([n]))], metadata: [:])
            let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            XCTAssertEqual(length % 8, 0)
            XCTAssertEqual(data.count, 8 + length + 4 * n)
        }
    }

    /// The exact bytes we write equal what Python's `safetensors.numpy.save` writes for the same tensors
    /// (Python orders tensors by dtype, then name; all are F32 here and given in name order).
    ///
    /// Checked once by hand the other way round as well: files from `SafeTensors.write` for these tensors
    /// (and for the round-trip tensors above, with multi-key metadata and escaped strings) loaded unchanged
    /// with `safetensors.numpy.load_file` / `safe_open(...).metadata()` in safetensors 0.8.0 (numpy 2.4.6):
    /// same names, shapes, dtype float32, values and metadata.
    func testEncodeMatchesPythonBytes() throws {
        let tensors: [(String, Tensor)] = [
            ("bias", Tensor([0.5, -1.25])), ("empty", Tensor.zeros([0, 3])), ("fc1.weight", ramp([2, 3])), ("scalar", Tensor(3)),
        ]
        XCTAssertEqual(try SafeTensors.encode(tensors, metadata: ["format": "pt"]), PythonFixtures.stPython)
        XCTAssertEqual(try SafeTensors.encode([("w", ramp([2, 2]))], metadata: [:]), PythonFixtures.stNoMeta)
    }

    // MARK: Reading files written by Python

    func testReadsPythonFile() throws {
        let (tensors, metadata) = try SafeTensors.decode(PythonFixtures.stPython, name: "py.safetensors")
        XCTAssertEqual(metadata, ["format": "pt"])
        XCTAssertEqual(names(tensors), ["bias", "empty", "fc1.weight", "scalar"])
        XCTAssertEqual(tensors[0].1, Tensor([0.5, -1.25]))
        XCTAssertEqual(tensors[1].1, Tensor.zeros([0, 3]))
        XCTAssertEqual(tensors[2].1, ramp([2, 3]))
        XCTAssertEqual(tensors[3].1, Tensor(3))
    }

    func testReadsPythonMixedDTypesInOffsetOrder() throws {
        let (tensors, metadata) = try SafeTensors.decode(PythonFixtures.stMixed, name: "mixed.safetensors")
        XCTAssertEqual(metadata, [:])
        // Python lays tensors out by dtype (I64, F64, I32, F16, U8, BOOL); we return them by offset.
        XCTAssertEqual(names(tensors), ["i", "d", "j", "h", "u", "b"])
        let byName = Dictionary(uniqueKeysWithValues: tensors)
        XCTAssertEqual(byName["d"], Tensor([1.5, -2.0, Float(1e-3)]))
        XCTAssertEqual(byName["h"], Tensor([[1.0, -0.5], [65504, 5.9604645e-8]]))
        XCTAssertEqual(byName["i"], Tensor([-7, Float(1 << 40)]))
        XCTAssertEqual(byName["j"], Tensor([3, -4]))
        XCTAssertEqual(byName["u"], Tensor([0, 200]))
        XCTAssertEqual(byName["b"], Tensor([1, 0]))
    }

    func testReadsBFloat16() throws {
        // bfloat16 is the top half of a float32: 1.0 = 0x3F80, -2.5 = 0xC020, 3.140625 = 0x4049.
        let file = st(#"{"w":{"dtype":"BF16","shape":[3],"data_offsets":[0,6]}}"#, [0x80, 0x3F, 0x20, 0xC0, 0x49, 0x40])
        XCTAssertEqual(try SafeTensors.decode(file, name: "bf.safetensors").tensors[0].1, Tensor([1, -2.5, 3.140625]))
    }

    func testOrdersByDataOffsetNotHeaderOrder() throws {
        let file = st(#"{"late":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"z0":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},"early":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
                      float32Bytes([1, 2]))
        let tensors = try SafeTensors.decode(file, name: "o.safetensors").tensors
        XCTAssertEqual(names(tensors), ["early", "z0", "late"])
        XCTAssertEqual(tensors[0].1, Tensor([1]))
        XCTAssertEqual(tensors[2].1, Tensor([2]))
    }

    func testAcceptsUnpaddedAndWhitespaceHeaders() throws {
        let file = st(" \n{ \"w\" : { \"shape\" : [ 1 ] , \"data_offsets\" : [0, 4], \"dtype\" : \"F32\" } }\t  ", float32Bytes([9]))
        XCTAssertEqual(try SafeTensors.decode(file, name: "w.safetensors").tensors[0].1, Tensor([9]))
        let escaped = st(#"{"__metadata__":{"k\u00e9\ud83e\udde0\/":"v\"\\\n"},"\u0077":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}"#, float32Bytes([1]))
        let decoded = try SafeTensors.decode(escaped, name: "e.safetensors")
        XCTAssertEqual(decoded.metadata, ["ké🧠/": "v\"\\\n"])
        XCTAssertEqual(names(decoded.tensors), ["w"])
    }

    // MARK: Bad input

    func testRejectsBadHeaderLength() {
        assertIOError(try SafeTensors.decode(Data([1, 2, 3]), name: "m.safetensors"), in: "m.safetensors",
                      ["truncated: header needs 8 bytes, file has 3"])
        var file = st("{}", [])
        file[0] = 0xE8; file[1] = 0x03  // 1000
        assertIOError(try SafeTensors.decode(file, name: "m.safetensors"), in: "m.safetensors",
                      ["truncated: header needs 1008 bytes, file has 10"])
        var huge = st("{}")
        for i in 0..<8 { huge[i] = 0xFF }
        assertIOError(try SafeTensors.decode(huge, name: "m.safetensors"), in: "m.safetensors", ["truncated", "file has 10"])
    }

    func testRejectsInvalidJSON() {
        let cases: [(String, [String])] = [
            (#"{"w":{"dtype":"F32""#, ["invalid JSON", "unexpected end"]),
            (#"{"w":{"dtype":"F32",}}"#, ["invalid JSON", "expected a string key"]),
            (#"{"w":{"dtype":F32}}"#, ["invalid JSON", "unexpected character 'F'"]),
            (#"{"w":1} x"#, ["invalid JSON", "unexpected data after the JSON value"]),
            (#"{"a\qb":{}}"#, ["invalid JSON", "invalid escape"]),
            (#"{"\ud800":{}}"#, ["invalid JSON", "unpaired surrogate"]),
            ("", ["invalid JSON"]),
            ("[1, 2]", ["header is an array, not a JSON object"]),
        ]
        for (header, fragments) in cases {
            assertIOError(try SafeTensors.decode(st(header), name: "j.safetensors"), in: "j.safetensors", ["malformed header"] + fragments)
        }
        var notUTF8 = st(#"{"__metadata__":{"k":"xx"}}"#)
        notUTF8[8 + 23] = 0xFF
        assertIOError(try SafeTensors.decode(notUTF8, name: "j.safetensors"), in: "j.safetensors", ["not valid UTF-8"])
    }

    func testRejectsBadTensorEntries() {
        let four = float32Bytes([1])
        let cases: [(String, [UInt8], [String])] = [
            (#"{"w":{"shape":[1],"data_offsets":[0,4]}}"#, four, ["tensor 'w': missing key 'dtype'"]),
            (#"{"w":{"dtype":"F32","data_offsets":[0,4]}}"#, four, ["tensor 'w': missing key 'shape'"]),
            (#"{"w":{"dtype":"F32","shape":[1]}}"#, four, ["tensor 'w': missing key 'data_offsets'"]),
            (#"{"w":[1,2]}"#, four, ["tensor 'w': entry is an array, not an object"]),
            (#"{"w":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, four, ["tensor 'w': duplicate key 'dtype'"]),
            (#"{"w":{"dtype":32,"shape":[1],"data_offsets":[0,4]}}"#, four, ["'dtype' is the number 32, not a string"]),
            (#"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, four, ["'shape' must hold non-negative integers"]),
            (#"{"w":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}"#, four, ["'shape' must hold non-negative integers"]),
            (#"{"w":{"dtype":"F32","shape":1,"data_offsets":[0,4]}}"#, four, ["'shape' is the number 1, not an array"]),
            (#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#, four, ["'data_offsets' has 3 values"]),
            (#"{"w":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}"#, four, ["begin after end"]),
            (#"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}"#, four, ["too many elements"]),
            (#"{"__metadata__":{"k":1},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, four,
             ["'__metadata__' value for 'k' is the number 1, not a string"]),
            (#"{"__metadata__":[],"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, four, ["'__metadata__' is an array"]),
            (#"{"__metadata__":{"k":"a","k":"b"},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, four,
             ["duplicate '__metadata__' key 'k'"]),
            (#"{"__metadata__":{},"__metadata__":{},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, four,
             ["duplicate '__metadata__' key"]),
        ]
        for (header, data, fragments) in cases {
            assertIOError(try SafeTensors.decode(st(header, data), name: "t.safetensors"), in: "t.safetensors", ["malformed header"] + fragments)
        }
    }

    func testRejectsWrongDType() {
        assertIOError(try SafeTensors.decode(st(#"{"w":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}"#, [0]), name: "d.safetensors"),
                      in: "d.safetensors", ["tensor 'w' has unsupported dtype 'F8_E4M3'"])
        assertIOError(try SafeTensors.decode(st(#"{"w":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}"#, float32Bytes([1])), name: "d.safetensors"),
                      in: "d.safetensors", ["unsupported dtype 'f32'"])
    }

    func testRejectsSizeMismatch() {
        assertIOError(try SafeTensors.decode(st(#"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}"#, [UInt8](repeating: 0, count: 20)),
                                             name: "s.safetensors"),
                      in: "s.safetensors", ["tensor 'w' of shape [2, 3] and dtype F32 needs 24 bytes, but its data_offsets span 20"])
        assertIOError(try SafeTensors.decode(st(#"{"w":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}"#, [UInt8](repeating: 0, count: 8)),
                                             name: "s.safetensors"),
                      in: "s.safetensors", ["dtype F64 needs 16 bytes, but its data_offsets span 8"])
    }

    func testRejectsOffsetsOutOfRangeOverlappingOrNotCovering() {
        let data120 = [UInt8](repeating: 0, count: 120)
        assertIOError(try SafeTensors.decode(st(#"{"fc1.weight":{"dtype":"F32","shape":[10,10],"data_offsets":[0,400]}}"#, data120),
                                             name: "model.safetensors"),
                      in: "model.safetensors", ["tensor 'fc1.weight' data range [0, 400) exceeds the 120-byte data section"])
        assertIOError(try SafeTensors.decode(st(#"{"a":{"dtype":"F32","shape":[6],"data_offsets":[0,24]},"b":{"dtype":"F32","shape":[6],"data_offsets":[16,40]}}"#,
                                                [UInt8](repeating: 0, count: 40)), name: "o.safetensors"),
                      in: "o.safetensors", ["tensors 'a' [0, 24) and 'b' [16, 40) overlap"])
        assertIOError(try SafeTensors.decode(st(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}"#,
                                                [UInt8](repeating: 0, count: 8)), name: "o.safetensors"),
                      in: "o.safetensors", ["tensors 'a' [0, 8) and 'b' [4, 4) overlap"])
        assertIOError(try SafeTensors.decode(st(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#,
                                                [UInt8](repeating: 0, count: 12)), name: "g.safetensors"),
                      in: "g.safetensors", ["bytes [4, 8) of the 12-byte data section belong to no tensor"])
        assertIOError(try SafeTensors.decode(st(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, [UInt8](repeating: 0, count: 10)),
                                             name: "g.safetensors"),
                      in: "g.safetensors", ["bytes [4, 10) of the 10-byte data section belong to no tensor"])
        assertIOError(try SafeTensors.decode(st("{}", [1, 2]), name: "g.safetensors"),
                      in: "g.safetensors", ["bytes [0, 2) of the 2-byte data section belong to no tensor"])
    }

    func testRejectsDuplicateNames() {
        let header = #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        assertIOError(try SafeTensors.decode(st(header, float32Bytes([1, 2])), name: "dup.safetensors"),
                      in: "dup.safetensors", ["duplicate tensor name 'w'"])
        assertIOError(try SafeTensors.encode([("w", Tensor(1)), ("w", Tensor(2))], metadata: [:]),
                      in: SafeTensors.inMemoryName, ["duplicate tensor name 'w'"])
        assertIOError(try SafeTensors.encode([("__metadata__", Tensor(1))], metadata: [:]),
                      in: SafeTensors.inMemoryName, ["invalid tensor name '__metadata__'", "reserved"])
    }

    func testWriteFailureNamesPathAndKeepsOldFile() throws {
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("m.safetensors")
        try SafeTensors.write([("a", Tensor([1]))], metadata: [:], to: url)
        let before = try Data(contentsOf: url)
        assertIOError(try SafeTensors.write([("a", Tensor(1)), ("a", Tensor(2))], metadata: [:], to: url),
                      in: url.path, ["duplicate tensor name 'a'"])
        XCTAssertEqual(try Data(contentsOf: url), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["m.safetensors"])
        assertIOError(try SafeTensors.read(from: dir.appendingPathComponent("nope.safetensors")),
                      in: dir.appendingPathComponent("nope.safetensors").path, ["cannot read", "No such file"])
    }

    func testMessagesStayOnOneLine() {
        let header = "{\"line\\nbreak\":{\"dtype\":\"Q\\n4\",\"shape\":[1],\"data_offsets\":[0,4]}}"
        let error = assertIOError(try SafeTensors.decode(st(header, float32Bytes([1])), name: "n.safetensors"),
                                  in: "n.safetensors", ["'line\\nbreak'", "'Q\\n4'"])
        XCTAssertNotNil(error)
    }
}
