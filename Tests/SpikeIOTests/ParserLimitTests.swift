import Foundation
import XCTest
import SpikeCore
@testable import SpikeIO

/// Limits of the readers against hostile input (issue 15): nesting depth, string, header and document lengths,
/// linear time, and input quoted in errors cut and escaped.
final class ParserLimitTests: XCTestCase {
    func message(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "no error" } catch let e as JSON.ParseError { return e.message } catch { return "\(error)" }
    }

    // MARK: MessageText

    func testExcerptEscapesControlCharactersAndCutsLongText() {
        XCTAssertEqual(MessageText.excerpt("a\nb\r\tc\u{1b}[0m\u{7f}\u{2028}"), "a\\nb\\r\\tc\\u{1b}[0m\\u{7f}\\u{2028}")
        XCTAssertEqual(MessageText.quoted("short"), "'short'")
        let long = String(repeating: "x", count: 50_000_000)
        let start = Date()
        let cut = MessageText.excerpt(long)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertEqual(cut, String(repeating: "x", count: 200) + "… (49999800 more bytes)")
        XCTAssertEqual(MessageText.excerpt(String(repeating: "y", count: 200)), String(repeating: "y", count: 200), "200 are kept whole")
    }

    // MARK: JSON

    func testJSONNestingHasADepthLimit() {
        for open in ["[", "{\"a\":"] {
            let doc = Array(String(repeating: open, count: 50_000).utf8)
            let m = message { try JSON.parse(document: doc) }
            XCTAssertEqual(m, "JSON nested too deeply (more than 128 levels) at line 1, column \(open == "[" ? 129 : 129 * 5 - 4)", open)
        }
        // 127 levels of arrays around a scalar still read.
        let ok = String(repeating: "[", count: 127) + "1" + String(repeating: "]", count: 127)
        XCTAssertNoThrow(try JSON.parse(document: Array(ok.utf8)))
    }

    func testJSONStringAndDocumentLimits() {
        let atLimit = "\"" + String(repeating: "a", count: JSON.maxStringBytes) + "\""
        XCTAssertNoThrow(try JSON.parse(document: Array(atLimit.utf8)))
        let over = "[\"" + String(repeating: "a", count: JSON.maxStringBytes + 1) + "\"]"
        XCTAssertEqual(message { try JSON.parse(document: Array(over.utf8)) }, "string longer than 1048576 bytes at line 1, column 1048579")
        let huge = [UInt8](repeating: 0x20, count: JSON.maxDocumentBytes + 1)
        XCTAssertEqual(message { try JSON.parse(document: huge) }, "the document is 268435457 bytes, over the limit of 268435456")
    }

    func testJSONErrorsQuoteInputCutAndEscaped() {
        XCTAssertEqual(message { try JSON.parse(document: Array("[\"a\\\u{01}\"]".utf8)) }, "invalid escape '\\\\u{1}' at line 1, column 5")
        let long = JSON.number(text: String(repeating: "9", count: 1000), integer: nil)
        XCTAssertEqual(long.kind, "the number " + String(repeating: "9", count: 200) + "… (800 more bytes)")
    }

    /// Parsing time grows linearly: 4x the input takes well under 16x the time (a quadratic reader takes ~16x).
    func testJSONParsesInLinearTime() throws {
        func time(_ n: Int) throws -> Double {
            let doc = Array(("[" + Array(repeating: "{\"k\": [1.5, \"s\"]}", count: n).joined(separator: ",\n") + "]").utf8)
            let start = Date()
            guard case let .array(items) = try JSON.parse(document: doc) else { throw XCTSkip("not an array") }
            XCTAssertEqual(items.count, n)
            return Date().timeIntervalSince(start)
        }
        _ = try time(2_000)  // warm up
        let small = try time(20_000), large = try time(80_000)
        XCTAssertLessThan(large, 8 * small + 0.05, "20000 items: \(small) s, 80000 items: \(large) s")
    }

    // MARK: Headers

    func testNPYHeaderOverTheLimitIsRefusedBeforeReading() {
        var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 2, 0])
        let length = UInt32(NPY.maxHeaderBytes + 1)
        data.append(contentsOf: (0..<4).map { UInt8((length >> (8 * UInt32($0))) & 0xFF) })
        data.append(Data(repeating: 0x20, count: Int(length)))
        XCTAssertEqual(message { try NPY.decode(data, name: "big.npy") }, "big.npy: malformed header: header of 10001 bytes is over the limit of 10000")
    }

    func testNPYHeaderErrorsCutLongValues() {
        let shape = "(" + String(repeating: "1, ", count: 2000) + "-1)"
        var dict = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
        dict += String(repeating: " ", count: (64 - (10 + dict.utf8.count + 1) % 64) % 64) + "\n"
        var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(dict.utf8.count & 0xFF), UInt8(dict.utf8.count >> 8)])
        data.append(contentsOf: Array(dict.utf8))
        let m = message { try NPY.decode(data, name: "s.npy") }
        XCTAssertTrue(m.hasPrefix("s.npy: malformed header: 'shape' must hold non-negative integers, got (1, 1, 1"), m)
        XCTAssertTrue(m.hasSuffix("… (5804 more bytes)"), m)
    }

    func testSafeTensorsHeaderOverTheLimitIsRefused() {
        var data = Data((0..<8).map { UInt8((UInt64(SafeTensors.maxHeaderBytes + 1) >> (8 * UInt64($0))) & 0xFF) })
        data.append(Data(repeating: 0x20, count: SafeTensors.maxHeaderBytes + 1))
        XCTAssertEqual(message { try SafeTensors.decode(data, name: "big.safetensors") },
                       "big.safetensors: malformed header: header of 100000001 bytes is over the limit of 100000000")
    }

    func testSafeTensorsErrorsCutAndEscapeTensorNames() {
        let name = "bad\nname" + String(repeating: "n", count: 10_000)
        let header = Array("{\(JSON.quote(name)): {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4]}}".utf8)
        var data = Data((0..<8).map { UInt8((UInt64(header.count) >> (8 * UInt64($0))) & 0xFF) })
        data.append(contentsOf: header)
        data.append(Data(repeating: 0, count: 4))
        let m = message { try SafeTensors.decode(data, name: "n.safetensors") }
        XCTAssertTrue(m.hasPrefix("n.safetensors: tensor 'bad\\nname" + String(repeating: "n", count: 192) + "… (9808 more bytes)' of shape [2]"), m)
        XCTAssertFalse(m.contains("\n"))
    }
}
