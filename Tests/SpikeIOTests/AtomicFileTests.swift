import Foundation
import XCTest
import SpikeCore
@testable import SpikeIO

final class AtomicFileTests: XCTestCase {
    private struct Simulated: Error {}

    private func listing(_ dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    }

    func testCreatesAndReplacesWithoutLeavingTemporaries() throws {
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("out.bin")
        try AtomicFile.write(Data([1, 2, 3]), to: url)
        XCTAssertEqual(try Data(contentsOf: url), Data([1, 2, 3]))
        try AtomicFile.write(Data([9]), to: url)
        XCTAssertEqual(try Data(contentsOf: url), Data([9]))
        try AtomicFile.write(Data(), to: url)
        XCTAssertEqual(try Data(contentsOf: url), Data())
        XCTAssertEqual(try listing(dir), ["out.bin"])
    }

    func testMissingDirectoryThrowsWithPathAndCreatesNothing() throws {
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("missing/sub/x.npy")
        assertIOError(try AtomicFile.write(Data([1]), to: url), in: url.path, ["cannot write", "No such file or directory"])
        assertIOError(try NPY.write(Tensor([1, 2]), to: url), in: url.path, ["cannot write"])
        XCTAssertEqual(try listing(dir), [])
    }

    func testFailedRenameLeavesDestinationAndNoTemporary() throws {
        // The destination is a non-empty directory: refused before anything is written.
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("taken.npy")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        try Data([7]).write(to: url.appendingPathComponent("keep"))
        assertIOError(try NPY.write(Tensor([1, 2]), to: url), in: url.path, ["cannot write", "is a directory; only a regular file is replaced"])
        XCTAssertEqual(try listing(dir), ["taken.npy"])
        XCTAssertEqual(try Data(contentsOf: url.appendingPathComponent("keep")), Data([7]))
        // The destination becomes a directory while the temporary is written: refused at the rename, no temporary left.
        let late = dir.appendingPathComponent("late.npy")
        assertIOError(try AtomicFile.write(NPY.encode(Tensor([1])), to: late, beforeRename: {
            try FileManager.default.createDirectory(at: late, withIntermediateDirectories: false)
            try Data([7]).write(to: late.appendingPathComponent("keep"))
        }), in: late.path, ["cannot write", "is a directory"])
        XCTAssertEqual(try listing(dir), ["late.npy", "taken.npy"])
        XCTAssertEqual(try Data(contentsOf: late.appendingPathComponent("keep")), Data([7]))
    }

    func testFailureJustBeforeRenameKeepsOldContents() throws {
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("weights.npy")
        try NPY.write(Tensor([1, 2, 3]), to: url)
        let before = try Data(contentsOf: url)

        var sawTemporary: [String] = []
        XCTAssertThrowsError(try AtomicFile.write(NPY.encode(Tensor([4, 5])), to: url, beforeRename: {
            // At this point the new bytes are complete in a hidden temporary next to the destination.
            sawTemporary = try self.listing(dir).filter { $0 != "weights.npy" }
            throw Simulated()
        })) { XCTAssertTrue($0 is Simulated) }

        XCTAssertEqual(sawTemporary.count, 1)
        XCTAssertTrue(sawTemporary.first?.hasPrefix(".weights.npy.tmp-\(getpid())-") ?? false, "\(sawTemporary)")
        XCTAssertEqual(try Data(contentsOf: url), before, "destination must be untouched")
        XCTAssertEqual(try listing(dir), ["weights.npy"], "temporary must be removed")
        XCTAssertEqual(try NPY.read(from: url), Tensor([1, 2, 3]))
    }
}
