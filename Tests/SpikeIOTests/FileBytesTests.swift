import XCTest
import Foundation
@testable import SpikeIO

final class FileBytesTests: XCTestCase {
    func testRegularFilesSpecialFilesAndErrors() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("filebytes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        for size in [0, 1, 4096, 70_000] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try Data(bytes).write(to: url)
            XCTAssertEqual(try FileBytes.read(path: url.path), bytes)
        }
        // A file whose size stat reports as 0 but that has contents (grows while read).
        let status = try FileBytes.read(path: "/proc/self/status")
        XCTAssertTrue(String(decoding: status, as: UTF8.self).hasPrefix("Name:"))
        XCTAssertThrowsError(try FileBytes.read(path: url.path + "-missing")) { XCTAssertTrue("\($0)".contains("-missing")) }
    }
}
