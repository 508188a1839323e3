import Foundation
import XCTest
@testable import SpikeIO

/// Damaged and hostile HDF5 input: every failure is a thrown one-line `SpikeIOError` naming the file,
/// never a trap, a hang or a huge allocation.
final class HDF5CorruptionTests: XCTestCase {
    /// Opens and walks `bytes` completely; returns the error message, or nil if the file was accepted.
    private func walk(_ bytes: [UInt8], name: String) -> String? {
        do {
            try HDF5File(bytes: bytes, name: name, allocationLimit: 1 << 20).validateAll()
            return nil
        } catch let error as SpikeIOError {
            let message = error.description
            XCTAssertTrue(message.hasPrefix(name + ": "), message)
            XCTAssertFalse(message.contains("\n"), message)
            return message
        } catch {
            XCTFail("not a SpikeIOError: \(error)")
            return "?"
        }
    }

    func testSmallFixturesValidate() throws {
        for name in ["small_default.h5", "small_v108.h5", "small_latest.h5", "default.h5", "latest.h5"] {
            XCTAssertNil(walk(try HDF5ReaderTests.fixtureBytes(name), name: name), name)
        }
    }

    /// Cut at many points (each of the first 300 bytes, then every 53rd): always an error, never a crash.
    func testTruncatedFilesThrow() throws {
        for name in ["small_default.h5", "small_latest.h5"] {
            let bytes = try HDF5ReaderTests.fixtureBytes(name)
            var cuts = Array(0..<min(300, bytes.count))
            cuts += stride(from: 300, to: bytes.count, by: 53)
            var failures = 0
            for cut in cuts {
                // Data blocks at the end can be cut without touching metadata only if nothing reads them:
                // validateAll reads everything, so each cut must fail.
                if walk(Array(bytes[0..<cut]), name: "cut\(cut).h5") != nil { failures += 1 }
            }
            XCTAssertEqual(failures, cuts.count, "\(name): some truncated files were accepted")
        }
    }

    /// Flipped bytes anywhere: accepted (when the byte was not used or not checked) or an error, never a crash.
    func testFlippedBytesNeverCrash() throws {
        for name in ["small_default.h5", "small_latest.h5"] {
            let bytes = try HDF5ReaderTests.fixtureBytes(name)
            var state: UInt64 = 0x9E37_79B9_7F4A_7C15
            var errors = 0
            for i in 0..<70 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let position = Int((state >> 33) % UInt64(bytes.count))
                var damaged = bytes
                let mask = UInt8(truncatingIfNeeded: state >> 8) | 1
                damaged[position] ^= i % 3 == 0 ? 0xFF : mask
                if i % 5 == 0 {  // an 8-byte field overwritten with large values (sizes, counts, addresses)
                    for k in 0..<min(8, bytes.count - position) { damaged[position + k] = UInt8(truncatingIfNeeded: state >> UInt64(8 * k)) | 0x40 }
                }
                if walk(damaged, name: "flip.h5") != nil { errors += 1 }
            }
            XCTAssertGreaterThan(errors, 5, name)
        }
    }

    func testNotHDF5() {
        XCTAssertEqual(walk([], name: "empty.h5"), "empty.h5: not a HDF5 file (bad magic bytes)")
        XCTAssertNotNil(walk(Array("not an hdf5 file at all".utf8), name: "text.h5"))
    }

    /// A dataset whose dataspace claims far more elements than the file could hold is refused before
    /// anything is allocated.
    func testHugeShapeIsRefused() throws {
        var bytes = try HDF5ReaderTests.fixtureBytes("small_default.h5")
        let file = try HDF5File(bytes: bytes, name: "s.h5")
        let d = try file.root.dataset("g/d9")
        XCTAssertEqual(try d.readInt64s(), (0..<10).map { Int64($0) })
        // Find the dataspace message of g/d9 (version 1, rank 1, dims = 10) and make its dimension 2^40.
        let header = d.header
        let space = try XCTUnwrap(header.first(H5ObjectHeader.MessageType.dataspace))
        let dimAt = space.body.lowerBound + 8
        XCTAssertEqual(bytes[dimAt], 10)
        bytes[dimAt + 5] = 1
        let bad = try HDF5File(bytes: bytes, name: "s.h5")
        assertIOError(try bad.root.dataset("g/d9").readInt64s(), in: "s.h5", ["/g/d9", "contiguous data"])
    }

    /// A group whose member points back at the root: `validateAll` reports the cycle instead of recursing.
    func testGroupCycleIsReported() throws {
        let w = HDF5Writer()
        try w.root.addDataset("a/b/x", .numbers([Float(1)]))
        var bytes = try w.encode()
        let f = try HDF5File(bytes: bytes, name: "c.h5")
        guard case let .object(b) = try XCTUnwrap(f.root.group("a").links().first)?.target else { return XCTFail("no link") }
        let pattern = (0..<8).map { UInt8(truncatingIfNeeded: b >> (8 * $0)) }
        let at = try XCTUnwrap((0...(bytes.count - 8)).first { bytes[$0..<($0 + 8)].elementsEqual(pattern) })
        let root = f.root.address
        for k in 0..<8 { bytes[at + k] = UInt8(truncatingIfNeeded: root >> (8 * k)) }
        let cyclic = try HDF5File(bytes: bytes, name: "c.h5")
        assertIOError(try cyclic.validateAll(), in: "c.h5", ["/a/b", "cycle"])
        // Paths through the cycle still resolve (each step is one lookup), without recursion.
        XCTAssertNoThrow(try cyclic.root.group("a/b/a/b/a"))
    }

    /// Every truncation of a file from the writer (old-style groups over several B-tree levels) throws.
    func testTruncatedWriterOutputThrows() throws {
        let w = HDF5Writer()
        for k in 0..<40 { try w.root.addDataset("g/item\(k)", .scalar(Int16(k))) }
        try w.root.addDataset("c", .numbers((0..<100).map { Float($0) }), chunks: [10], deflateLevel: 6)
        let bytes = try w.encode()
        XCTAssertNil(walk(bytes, name: "w.h5"))
        for cut in stride(from: 0, to: bytes.count, by: 29) {
            XCTAssertNotNil(walk(Array(bytes[0..<cut]), name: "w.h5"), "cut at \(cut)")
        }
    }
}
