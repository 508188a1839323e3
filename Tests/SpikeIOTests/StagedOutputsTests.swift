import Foundation
import XCTest
import SpikeCore
@testable import SpikeIO

/// All-or-nothing outputs: validated first, staged in a hidden folder, published by renames that are undone
/// on failure; leftovers of killed runs recognised and cleaned.
final class StagedOutputsTests: XCTestCase {
    private struct Simulated: Error {}

    private func listing(_ dir: URL) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() }

    func testPublishesEverythingAndLeavesNoStaging() throws {
        let dir = try makeTemporaryDirectory(self)
        let out = dir.appendingPathComponent("out/sub")
        let a = out.appendingPathComponent("a.npy"), b = dir.appendingPathComponent("b.svg")
        try Data("old".utf8).write(to: b)
        let o = try StagedOutputs([a, b], creating: [out])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "nothing is created before the first file is staged")
        try o.stage(a) { try NPY.write(Tensor([1, 2]), to: $0) }
        try o.stage(Data("new".utf8), for: b)
        XCTAssertEqual(try Data(contentsOf: b), Data("old".utf8), "nothing is published before publish()")
        try o.publish()
        XCTAssertEqual(try NPY.read(from: a), Tensor([1, 2]))
        XCTAssertEqual(try Data(contentsOf: b), Data("new".utf8))
        XCTAssertEqual(try listing(dir), ["b.svg", "out"])
        XCTAssertEqual(try listing(out), ["a.npy"])
    }

    func testFailureWhileStagingPublishesNothing() throws {
        let dir = try makeTemporaryDirectory(self)
        let out = dir.appendingPathComponent("new")
        let a = out.appendingPathComponent("a.npy"), b = out.appendingPathComponent("b.npy")
        let o = try StagedOutputs([a, b], creating: [out])
        try o.stage(Data([1]), for: a)
        XCTAssertThrowsError(try o.stage(b) { _ in throw Simulated() }) { XCTAssertTrue($0 is Simulated) }
        XCTAssertEqual(try listing(dir), [], "the staging folder and the directory made for it are removed")
        // Dropped unpublished: removed as well.
        do {
            let p = try StagedOutputs([a], creating: [out])
            try p.stage(Data([1]), for: a)
        }
        XCTAssertEqual(try listing(dir), [])
    }

    func testARenameFailingPartWayIsUndone() throws {
        let dir = try makeTemporaryDirectory(self)
        let names = ["a.npy", "b.npy", "c.npy"].map { dir.appendingPathComponent($0) }
        try Data("old a".utf8).write(to: names[0])
        try Data("old c".utf8).write(to: names[2])
        let o = try StagedOutputs(names)
        for u in names { try o.stage(Data("new \(u.lastPathComponent)".utf8), for: u) }
        XCTAssertThrowsError(try o.publish(beforeRename: { i in if i == 2 { throw Simulated() } })) { XCTAssertTrue($0 is Simulated) }
        XCTAssertEqual(try Data(contentsOf: names[0]), Data("old a".utf8), "a replaced, then put back")
        XCTAssertFalse(FileManager.default.fileExists(atPath: names[1].path), "b did not exist: removed again")
        XCTAssertEqual(try Data(contentsOf: names[2]), Data("old c".utf8))
        XCTAssertEqual(try listing(dir), ["a.npy", "c.npy"])
    }

    func testDestinationsAreValidatedFirst() throws {
        let dir = try makeTemporaryDirectory(self)
        let a = dir.appendingPathComponent("a")
        assertIOError(try StagedOutputs([a, a]), in: a.path, ["written twice"])
        try FileManager.default.createDirectory(at: a, withIntermediateDirectories: false)
        assertIOError(try StagedOutputs([dir.appendingPathComponent("b"), a]), in: a.path, ["is a directory; only a regular file is replaced"])
        let plain = dir.appendingPathComponent("plain")
        try Data().write(to: plain)
        let under = plain.appendingPathComponent("x.svg")
        assertIOError(try StagedOutputs([under]), in: under.path, ["cannot write"])
        let made = plain.appendingPathComponent("out")
        assertIOError(try StagedOutputs([made.appendingPathComponent("x")], creating: [made]), in: made.appendingPathComponent("x").path, ["is not a directory"])
        let o = try StagedOutputs([dir.appendingPathComponent("c")])
        assertIOError(try o.stage(Data(), for: dir.appendingPathComponent("d")), in: dir.appendingPathComponent("d").path, ["not among the outputs"])
        XCTAssertEqual(try listing(dir), ["a", "plain"])
    }

    /// The pid of a process that has exited.
    private func deadPid() throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run(); p.waitUntilExit()
        return p.processIdentifier
    }

    func testLeftoversOfKilledRunsAreRecognisedAndCleaned() throws {
        let dir = try makeTemporaryDirectory(self)
        let dead = try deadPid()
        // A run killed inside its rename loop: a.npy replaced (old one in the backup), b.npy new, c.npy not yet moved.
        let folder = dir.appendingPathComponent("\(StagedOutputs.stagingPrefix)\(dead)-zz")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        try Data("old a".utf8).write(to: folder.appendingPathComponent(".backup-0"))
        try Data("new a".utf8).write(to: dir.appendingPathComponent("a.npy"))
        try Data("new b".utf8).write(to: dir.appendingPathComponent("b.npy"))
        try Data("old c".utf8).write(to: dir.appendingPathComponent("c.npy"))
        try Data("new c".utf8).write(to: folder.appendingPathComponent("c.npy"))
        var info = stat()
        XCTAssertEqual(lstat(dir.appendingPathComponent("b.npy").path, &info), 0)
        let journal = "a.npy\t.backup-0\t1\nb.npy\t-\t\(info.st_ino)\nc.npy\t.backup-2\t2\n"
        try Data(journal.utf8).write(to: folder.appendingPathComponent("publishing.journal"))
        // Other leftovers: an old-style staging folder and a temporary, both of the dead process; one of a live one.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent(".spike-simulate-\(dead)-1"), withIntermediateDirectories: false)
        try Data().write(to: dir.appendingPathComponent(".x.npy.tmp-\(dead)-q"))
        try Data().write(to: dir.appendingPathComponent(".y.npy.tmp-1-q"))
        _ = try StagedOutputs([dir.appendingPathComponent("z.npy")])
        XCTAssertEqual(try listing(dir), [".y.npy.tmp-1-q", "a.npy", "c.npy"])
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("a.npy")), Data("old a".utf8))
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("c.npy")), Data("old c".utf8))
    }
}
