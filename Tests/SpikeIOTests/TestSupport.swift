import Foundation
import XCTest
import SpikeCore
@testable import SpikeIO

/// Asserts that `body` throws a `SpikeIOError` whose one-line message starts with `file` and
/// contains every string in `fragments`; returns the error for further checks.
@discardableResult
func assertIOError<T>(
    _ body: @autoclosure () throws -> T, in name: String, _ fragments: [String],
    file: StaticString = #filePath, line: UInt = #line
) -> SpikeIOError? {
    do {
        _ = try body()
        XCTFail("expected a SpikeIOError containing \(fragments), nothing was thrown", file: file, line: line)
        return nil
    } catch let error as SpikeIOError {
        let message = error.description
        XCTAssertTrue(message.hasPrefix(name + ": "), "message does not start with '\(name): ': \(message)", file: file, line: line)
        XCTAssertFalse(message.contains("\n"), "message is not one line: \(message)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(message.contains(fragment), "message lacks '\(fragment)': \(message)", file: file, line: line)
        }
        return error
    } catch {
        XCTFail("expected a SpikeIOError, got \(type(of: error)): \(error)", file: file, line: line)
        return nil
    }
}

/// `count` values `0, 0.5, 1, ...` shifted by `offset`, as a tensor of `shape`.
func ramp(_ shape: [Int], offset: Float = -1) -> Tensor {
    let n = shape.reduce(1, *)
    return Tensor(shape: shape, scalars: (0..<n).map { Float($0) * 0.5 + offset })
}

/// A fresh, empty temporary directory, removed when the test ends.
func makeTemporaryDirectory(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("SpikeIOTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// Little-endian bytes of float32 values.
func float32Bytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { v -> [UInt8] in
        let bits = v.bitPattern
        return (0..<4).map { UInt8((bits >> (8 * UInt32($0))) & 0xFF) }
    }
}
