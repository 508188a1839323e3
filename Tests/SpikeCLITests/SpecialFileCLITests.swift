import XCTest
import Foundation
import SpikeKit
@testable import SpikeCLI

/// Endless and special files through the binary: inputs fail at once with one line; outputs never replace a
/// device, FIFO or directory, as root too.
final class SpecialFileCLITests: SpikeProcessTestCase {
    func assertOneLine(_ args: [String], _ fragments: String..., file: StaticString = #filePath, line: UInt = #line) throws {
        let start = Date()
        let r = try spike(args)
        XCTAssertEqual(r.status, 1, r.stderr, file: file, line: line)
        XCTAssertEqual(r.stderr.filter { $0 == "\n" }.count, 1, "stderr was: \(r.stderr.prefix(2000))", file: file, line: line)
        for f in fragments { XCTAssertTrue(r.stderr.contains(f), "'\(f)' not in \(r.stderr.prefix(2000))", file: file, line: line) }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10, file: file, line: line)
    }

    func testEndlessInputsFailFast() throws {
        try assertOneLine(["encode", "poisson", "--input", "/dev/zero", "--output", path("o.npy")], "/dev/zero: cannot read: is a character device, not a regular file")
        try assertOneLine(["neuron", "lif", "--input", "/dev/zero", "--output", path("o")], "/dev/zero: cannot read: is a character device")
        try assertOneLine(["eval", "--model", "/dev/urandom"], "/dev/urandom: cannot read: is a character device")
        try assertOneLine(["simulate", "/dev/urandom", "--output", path("o")], "/dev/urandom: cannot read the network file: is a character device")
        let net = """
        {"dt": 0.1, "duration": 1, "groups": [{"name": "E", "model": "lif_delta", "size": 2}],
         "inputs": [{"name": "I", "type": "current", "target": "E", "file": "/dev/urandom"}]}
        """
        try Data(net.utf8).write(to: tmp.appendingPathComponent("n.json"))
        try assertOneLine(["simulate", path("n.json"), "--output", path("o")], "inputs[0].file: /dev/urandom: cannot read: is a character device")
        XCTAssertEqual(mkfifo(path("fifo"), 0o600), 0)
        try assertOneLine(["encode", "poisson", "--input", path("fifo"), "--output", path("o.npy")], "is a FIFO, not a regular file")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp.path).sorted(), ["fifo", "n.json"])
    }

    func testOutputsNeverReplaceSpecialFiles() throws {
        // `spike train --save DEVICE` as root: refused before training, the node stays. The node is made here
        // (major 1, minor 7: /dev/full's) so that a regression cannot damage the machine's /dev.
        let target: String
        if getuid() == 0 {
            target = path("full")
            XCTAssertEqual(mknod(target, S_IFCHR | 0o666, dev_t((1 << 8) | 7)), 0)
        } else {
            target = "/dev/full"
        }
        let tiny = ["--classes", "2", "--units", "12", "--steps", "12", "--samples-per-class", "16", "--hidden", "8", "--epochs", "1"]
        let r = try spike(["train"] + tiny + ["--save", target])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertEqual(r.stderr, "Error: \(target): cannot write: is a character device; only a regular file is replaced\n")
        var info = stat()
        XCTAssertEqual(lstat(target, &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFCHR)
        XCTAssertEqual(mkfifo(path("fifo.npy"), 0o600), 0)
        let x = try write(Tensor([0.1, 0.5]), "x.npy")
        try assertOneLine(["encode", "poisson", "--input", x, "--output", path("fifo.npy")], "is a FIFO; only a regular file is replaced")
        try FileManager.default.createDirectory(atPath: path("dir.npy"), withIntermediateDirectories: false)
        try assertOneLine(["encode", "poisson", "--input", x, "--output", path("dir.npy")], "is a directory; only a regular file is replaced")
        try assertOneLine(["simulate", "--example", "cuba", "--duration", "1ms", "--output", path("o"), "--save-state", path("fifo.npy")], "is a FIFO")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("o")))
    }
}
