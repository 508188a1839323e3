import Foundation
import Testing
import SpikeIO
@testable import SpikeData

/// Path of the format fixtures (`Fixtures/formats`, written by its make_fixtures.py).
let formatFixtures: String = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/formats").path

/// `Fixtures/formats/<relative>`.
func fixture(_ relative: String) -> String { formatFixtures + "/" + relative }

/// The JSON object in fixture `relative`.
func fixtureJSON(_ relative: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: fixture(relative)))
    return try JSONSerialization.jsonObject(with: data) as! [String: Any]
}

/// Expected events `{x, y, t, p}` of a JSON fixture entry, compared field by field with `events`.
func expectEvents(_ events: EventStream, _ expected: Any?, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let e = expected as? [String: [NSNumber]] else {
        Issue.record("no expected events", sourceLocation: sourceLocation); return
    }
    #expect(events.x == e["x"]!.map { Int32($0.int64Value) }, sourceLocation: sourceLocation)
    #expect(events.y == e["y"]!.map { Int32($0.int64Value) }, sourceLocation: sourceLocation)
    #expect(events.t == e["t"]!.map { $0.int64Value }, sourceLocation: sourceLocation)
    #expect(events.p == e["p"]!.map { Int32($0.int64Value) }, sourceLocation: sourceLocation)
}

/// The one-line message of the error `body` throws (records an issue when nothing is thrown).
func errorMessage(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> String {
    do {
        try body()
        Issue.record("expected an error", sourceLocation: sourceLocation)
        return ""
    } catch {
        let message = "\(error)"
        #expect(!message.contains("\n"), "not one line: \(message)", sourceLocation: sourceLocation)
        return message
    }
}

/// A fresh temporary directory for files written by a test.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "SpikeDataTests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes `bytes` to `path`, creating folders.
func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}
