import XCTest
@testable import SpikeCoding

/// Asserts that `body` throws a one-line `CodingError` whose message contains every one of `fragments`
/// (shared by the generator and ADM tests).
func expectCodingError<T>(_ body: @autoclosure () throws -> T, _ fragments: String...,
                          file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected a CodingError containing \(fragments)", file: file, line: line)
    } catch let error as CodingError {
        XCTAssertFalse(error.message.contains("\n"), "message should be one line: \(error.message)", file: file, line: line)
        for f in fragments {
            XCTAssertTrue(error.message.contains(f), "'\(error.message)' does not mention '\(f)'", file: file, line: line)
        }
    } catch {
        XCTFail("expected a CodingError, got \(error)", file: file, line: line)
    }
}
