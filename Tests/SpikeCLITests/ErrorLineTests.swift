import XCTest
import Foundation
import SpikeKit
@testable import SpikeCLI

/// Every error is one line: argument-parser's errors without their usage lines, control characters escaped,
/// long names cut.
final class ErrorLineTests: SpikeProcessTestCase {

    func testFormatEscapesAndCuts() {
        XCTAssertEqual(ErrorLine.format("net.json: groups[0].na\nme\u{1b}[2J\t: unknown field"), #"net.json: groups[0].na\nme\u{1b}[2J\t: unknown field"#)
        XCTAssertEqual(ErrorLine.format("Missing value for '--steps <steps>'\nHelp:  --steps <steps>\nUsage: spike encode", usage: true),
                       "Missing value for '--steps <steps>'")
        let long = String(repeating: "é", count: 1_000_000)
        let cut = ErrorLine.format("x.json: '\(long)' is not a valid name")
        // The run "'" + 1e6 "é" (2 bytes each) is 2,000,002 bytes with its closing quote; 256 bytes end inside an "é",
        // so "'" + 127 "é" (255 bytes) are kept and 1,999,747 cut.
        XCTAssertEqual(cut, "x.json: '" + String(repeating: "é", count: 127) + "...[1999747 more bytes] is not a valid name")
        let many = String(repeating: "word ", count: 10_000)
        XCTAssertLessThan(ErrorLine.format(many).utf8.count, ErrorLine.maxLength + 300)
        XCTAssertTrue(ErrorLine.format(many).hasSuffix("more bytes]"))
        XCTAssertEqual(ErrorLine.format("short"), "short")
    }

    /// Runs `spike args` and checks one `Error:` line on stderr, a clean exit status, and every fragment.
    func assertOneLine(_ args: [String], status: Int32, _ fragments: String..., file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try spike(args)
        XCTAssertEqual(r.status, status, r.stderr, file: file, line: line)
        XCTAssertEqual(r.stderr.filter { $0 == "\n" }.count, 1, "stderr was: \(r.stderr.prefix(3000))", file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("Error: "), r.stderr, file: file, line: line)
        for f in fragments { XCTAssertTrue(r.stderr.contains(f), "'\(f)' not in \(r.stderr.prefix(3000))", file: file, line: line) }
    }

    func testArgumentParserErrorsAreOneLineAndSayWhatIsWrong() throws {
        let x = try write(Tensor([0.1, 0.5]), "x.npy")
        try assertOneLine(["encode", "poisson", "--input", x, "--steps", "-1", "--output", path("o.npy")], status: 1,
                          "steps must be at least 1, got -1")
        try assertOneLine(["train", "--steps", "-1"], status: 1, "steps must be at least 1", "-1")
        try assertOneLine(["encode", "poisson", "--input", x, "--steps", "1e9", "--output", path("o.npy")], status: 64,
                          "The value '1e9' is invalid for '--steps <steps>'")
        try assertOneLine(["train", "--no-such-flag"], status: 64, "--no-such-flag")
        try assertOneLine(["simulate", "--duration", "-5ms", "--example", "cuba", "--output", path("o")], status: 1, "--duration: expected a duration such as 500ms or 10s, got '-5ms'")
        // Help is not an error: the whole text, status 0.
        let h = try spike(["encode", "--help"])
        XCTAssertEqual(h.status, 0)
        XCTAssertGreaterThan(h.stdout.split(separator: "\n").count, 10)
    }

    func testControlCharactersFromFilesAreEscaped() throws {
        let text = #"{"dt": 0.1, "duration": 1, "groups": [{"na\nme\u001b[31m": "x", "model": "lif_delta", "size": 2}]}"#
        try Data(text.utf8).write(to: tmp.appendingPathComponent("n.json"))
        try assertOneLine(["simulate", path("n.json"), "--output", path("o")], status: 1, #"groups[0].na\nme\u{1b}[31m: unknown field"#)
    }

    func testLongNamesAreCut() throws {
        // Under the JSON reader's 1 MiB string limit (a longer string is refused by the parser: ParserLimitTests).
        let name = String(repeating: "a", count: 500_000) + "!"
        let text = #"{"dt": 0.1, "duration": 1, "groups": [{"name": ""# + name + #"", "model": "lif_delta", "size": 2}]}"#
        try Data(text.utf8).write(to: tmp.appendingPathComponent("n.json"))
        let r = try spike(["simulate", path("n.json"), "--output", path("o")])
        XCTAssertEqual(r.status, 1)
        // Cut once, where the network file quotes it (MessageText: 200 characters kept of 500,001), not again by ErrorLine.
        XCTAssertEqual(r.stderr, "Error: \(path("n.json")): groups[0].name: '" + String(repeating: "a", count: 200)
                       + "… (499801 more bytes)' is not a valid name (letters, digits, '_', '-', '.'; it names output files)\n")
    }
}
