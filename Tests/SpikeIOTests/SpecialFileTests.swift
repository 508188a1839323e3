import Foundation
import XCTest
import SpikeCore
@testable import SpikeIO

/// Inputs are regular files read with a limit; outputs replace nothing but a regular file (root included);
/// temporaries of killed runs are cleaned.
final class SpecialFileTests: XCTestCase {
    func testInputsMustBeRegularFilesWithinTheLimit() throws {
        let dir = try makeTemporaryDirectory(self)
        let file = dir.appendingPathComponent("x.bin")
        try Data([1, 2, 3]).write(to: file)
        XCTAssertEqual(try InputFile.read(file), Data([1, 2, 3]))
        XCTAssertEqual(try InputFile.read(file, limit: 3), Data([1, 2, 3]))
        assertIOError(try InputFile.read(file, limit: 2), in: file.path, ["the file has 3 bytes, above the limit of 2 bytes"])
        let start = Date()
        for dev in ["/dev/zero", "/dev/urandom"] {
            assertIOError(try InputFile.read(path: dev), in: dev, ["is a character device, not a regular file"])
            assertIOError(try NPY.read(from: URL(fileURLWithPath: dev)), in: dev, ["is a character device"])
            assertIOError(try SafeTensors.read(from: URL(fileURLWithPath: dev)), in: dev, ["is a character device"])
        }
        assertIOError(try InputFile.read(dir), in: dir.path, ["is a directory, not a regular file"])
        // A FIFO without a writer: refused at once, not waited on.
        let fifo = dir.appendingPathComponent("fifo")
        XCTAssertEqual(mkfifo(fifo.path, 0o600), 0)
        assertIOError(try InputFile.read(fifo), in: fifo.path, ["is a FIFO, not a regular file"])
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
        // The default limit is the memory budget.
        MemoryBudget.setOverride(2)
        defer { MemoryBudget.setOverride(nil) }
        assertIOError(try NPY.read(from: file), in: file.path, ["above the limit of 2 bytes"])
    }

    func testOutputsReplaceOnlyRegularFiles() throws {
        let dir = try makeTemporaryDirectory(self)
        let fifo = dir.appendingPathComponent("fifo")
        XCTAssertEqual(mkfifo(fifo.path, 0o600), 0)
        assertIOError(try AtomicFile.write(Data([1]), to: fifo), in: fifo.path, ["is a FIFO; only a regular file is replaced"])
        let link = dir.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "/dev/null")
        assertIOError(try AtomicFile.write(Data([1]), to: link), in: link.path, ["is a symbolic link; only a regular file is replaced"])
        if getuid() == 0 {
            // As root: a device node like /dev/full, made here (major 1, minor 7) so that nothing shared is at risk.
            let dev = dir.appendingPathComponent("full")
            XCTAssertEqual(mknod(dev.path, S_IFCHR | 0o666, dev_t((1 << 8) | 7)), 0)
            assertIOError(try AtomicFile.write(Data([1]), to: dev), in: dev.path, ["is a character device; only a regular file is replaced"])
            var info = stat()
            XCTAssertEqual(lstat(dev.path, &info), 0)
            XCTAssertEqual(info.st_mode & S_IFMT, S_IFCHR, "the device node is still there")
        } else {
            assertIOError(try AtomicFile.write(Data([1]), to: URL(fileURLWithPath: "/dev/full")), in: "/dev/full", ["is a character device"])
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), getuid() == 0 ? ["fifo", "full", "link"] : ["fifo", "link"])
    }

    func testTemporariesOfKilledRunsAreRemoved() throws {
        let dir = try makeTemporaryDirectory(self)
        // A process that has exited: its pid is free (or reused by a process that did not write here).
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run(); p.waitUntilExit()
        let dead = p.processIdentifier
        let leftover = dir.appendingPathComponent(".out.npy.tmp-\(dead)-abc")
        let live = dir.appendingPathComponent(".out.npy.tmp-1-abc")       // pid 1 exists
        let other = dir.appendingPathComponent(".other.npy.tmp-\(dead)-abc")
        for u in [leftover, live, other] { try Data([0]).write(to: u) }
        try NPY.write(Tensor([1]), to: dir.appendingPathComponent("out.npy"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(),
                       [".other.npy.tmp-\(dead)-abc", ".out.npy.tmp-1-abc", "out.npy"])
    }
}
