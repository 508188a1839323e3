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
        for name in ["small_default.h5", "small_latest.h5", "default.h5", "latest.h5"] {
            XCTAssertNil(walk(try HDF5ReaderTests.fixtureBytes(name), name: name), name)
        }
    }

    /// Cut at many points (every 37th byte and each of the first 600): always an error, never a crash.
    func testTruncatedFilesThrow() throws {
        for name in ["small_default.h5", "small_latest.h5"] {
            let bytes = try HDF5ReaderTests.fixtureBytes(name)
            var cuts = Array(0..<min(600, bytes.count))
            cuts += stride(from: 600, to: bytes.count, by: 37)
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
            for i in 0..<120 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let position = Int((state >> 33) % UInt64(bytes.count))
                var damaged = bytes
                let mask = UInt8(truncatingIfNeeded: state >> 8) | 1
                damaged[position] ^= i % 3 == 0 ? 0xFF : mask
                if walk(damaged, name: "flip.h5") != nil { errors += 1 }
            }
            XCTAssertGreaterThan(errors, 10, name)
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
}
