import Testing
import SpikeIO

/// Streams written by Python's `zlib.compress(b"spike " * 20, 6)` and `gzip.compress(..., mtime=0)` (two
/// members: the same text, then `b"tail"`).
@Suite struct ZlibTests {
    let text = Array(String(repeating: "spike ", count: 20).utf8)
    let pythonZlib: [UInt8] = [120, 156, 43, 46, 200, 204, 78, 85, 40, 166, 59, 9, 0, 162, 18, 44, 177]
    let pythonGzip: [UInt8] = [31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 43, 46, 200, 204, 78, 85, 40, 166, 59, 9, 0, 74, 136,
                               25, 245, 120, 0, 0, 0, 31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 43, 73, 204, 204, 1, 0, 93,
                               180, 55, 124, 4, 0, 0, 0]

    @Test func inflatesPythonsZlibAndMultiMemberGzip() throws {
        #expect(try Zlib.decompress(pythonZlib, limit: 1000, name: "z") == text)
        #expect(try Zlib.decompress(pythonZlib, limit: 1000, expectedSize: 120, name: "z") == text)
        #expect(Zlib.isGzip(pythonGzip))
        #expect(try Zlib.decompress(pythonGzip, format: .gzip, limit: 1000, name: "g") == text + Array("tail".utf8))
    }

    @Test func roundTripsEveryFormat() throws {
        let data = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 * 7 / 3) }
        for format in [Zlib.Format.zlib, .gzip, .raw] {
            let packed = Zlib.compress(data, format: format)
            #expect(packed.count < data.count)
            #expect(try Zlib.decompress(packed, format: format, limit: data.count, name: "r") == data)
        }
    }

    @Test func refusesOutputPastTheLimitAndWrongSizes() {
        #expect(throws: SpikeIOError.malformedHeader(file: "z", reason: "deflate stream inflates past the limit of 100 bytes")) {
            try Zlib.decompress(pythonZlib, limit: 100, name: "z")
        }
        #expect(throws: SpikeIOError.malformedHeader(file: "z", reason: "deflate stream gave 120 bytes, expected 121")) {
            try Zlib.decompress(pythonZlib, limit: 1000, expectedSize: 121, name: "z")
        }
    }

    @Test func truncatedOrCorruptStreamsThrow() {
        for cut in 0..<pythonZlib.count - 4 {
            #expect(throws: SpikeIOError.self) { try Zlib.decompress(Array(pythonZlib[0..<cut]), limit: 1000, name: "z") }
        }
        var bad = pythonZlib
        bad[5] ^= 0xFF
        #expect(throws: SpikeIOError.self) { try Zlib.decompress(bad, limit: 1000, name: "z") }
    }
}
