import Foundation
import XCTest
@testable import SpikeIO

final class FileBytesTests: XCTestCase {
    func testReadsWholeFilesOfAnySize() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("FileBytesTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for size in [0, 1, 7, 8, 9, 70_000] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let path = dir.appendingPathComponent("f\(size)").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            XCTAssertEqual(try FileBytes.read(path: path), bytes)
        }
    }

    func testSpecialFilesWithoutAStatSizeAreReadToTheEnd() throws {
        #if os(Linux)
        let status = try FileBytes.read(path: "/proc/self/status")
        XCTAssertTrue(String(decoding: status, as: UTF8.self).contains("Name:"))
        #endif
    }

    func testErrorsNameThePath() {
        assertIOError(try FileBytes.read(path: "/nonexistent/x.bin"), in: "/nonexistent/x.bin", ["cannot read"])
        assertIOError(try FileBytes.read(path: "/tmp"), in: "/tmp", ["is a directory"])
    }
}
