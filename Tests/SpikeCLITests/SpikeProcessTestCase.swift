import XCTest
import Foundation
import SpikeKit

/// Base of the end-to-end tests of the `spike` executable: a temporary directory per test and a runner that
/// starts the built binary as a real process and captures its exit status, stdout and stderr.
class SpikeProcessTestCase: XCTestCase {
    var tmp: URL!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("spike-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: tmp) }

    /// A path inside the test's temporary directory.
    func path(_ name: String) -> String { tmp.appendingPathComponent(name).path }

    /// Writes `t` as .npy into the temporary directory; returns its path.
    func write(_ t: Tensor, _ name: String) throws -> String { try NPY.write(t, to: tmp.appendingPathComponent(name)); return path(name) }

    /// A spikes monitor's files `PREFIX_i.npy` (int32 indices) and `PREFIX_t.npy` (float64 times in ms) as [K, 2]
    /// rows (index, time), after checking their types.
    func spikeRows(_ prefix: String) throws -> Tensor {
        let iData = try Data(contentsOf: URL(fileURLWithPath: path(prefix + "_i.npy")))
        let tData = try Data(contentsOf: URL(fileURLWithPath: path(prefix + "_t.npy")))
        XCTAssertTrue(String(decoding: iData.prefix(128), as: UTF8.self).contains("'descr': '<i4'"), prefix)
        XCTAssertTrue(String(decoding: tData.prefix(128), as: UTF8.self).contains("'descr': '<f8'"), prefix)
        let i = try NPY.read(from: URL(fileURLWithPath: path(prefix + "_i.npy"))), t = try NPY.read(from: URL(fileURLWithPath: path(prefix + "_t.npy")))
        XCTAssertEqual(i.shape, t.shape, prefix)
        return Tensor(shape: [i.count, 2], scalars: zip(i.scalars, t.scalars).flatMap { [$0, $1] })
    }

    struct Run { let status: Int32; let stdout: String; let stderr: String }

    /// Runs `spike args` (with `environment` replacing the process environment when given).
    func spike(_ args: [String], environment: [String: String]? = nil) throws -> Run {
        let p = Process()
        p.executableURL = Bundle.main.bundleURL.appendingPathComponent("spike")
        p.arguments = args
        if let environment { p.environment = environment }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// Fails unless the run failed (non-zero exit, no crash) with one error line containing `fragment`.
    func assertFails(_ args: [String], _ fragment: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try spike(args)
        XCTAssertNotEqual(r.status, 0, "expected failure: \(args)", file: file, line: line)
        XCTAssertTrue(r.stderr.contains(fragment), "stderr was: \(r.stderr)", file: file, line: line)
        XCTAssertEqual(r.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }.count, 1, "stderr was: \(r.stderr)", file: file, line: line)
        XCTAssertFalse(r.stderr.contains("Fatal error"), "crashed: \(r.stderr)", file: file, line: line)
    }
}
