import Foundation
import XCTest
import SpikeIO

/// The public JSON reader used by network files: member order, duplicate keys, exact integers, line and column.
final class JSONDocumentTests: XCTestCase {
    func parse(_ s: String) throws -> JSON { try JSON.parse(document: Array(s.utf8)) }

    func testKeepsOrderDuplicatesAndExactIntegers() throws {
        let v = try parse("{\"b\": 1, \"a\": [true, null, \"x\"], \"b\": 2.5, \"big\": 9007199254740993}")
        guard case let .object(members) = v else { return XCTFail("not an object: \(v)") }
        XCTAssertEqual(members.map(\.key), ["b", "a", "b", "big"])
        XCTAssertEqual(members[0].value, .number(text: "1", integer: 1))
        XCTAssertEqual(members[1].value, .array([.bool(true), .null, .string("x")]))
        XCTAssertEqual(members[2].value, .number(text: "2.5", integer: nil))
        XCTAssertEqual(members[3].value, .number(text: "9007199254740993", integer: 9007199254740993))
        XCTAssertEqual(members[1].value.kind, "an array")
    }

    func testErrorsNameLineAndColumn() {
        XCTAssertThrowsError(try parse("{\n  \"a\": 1\n  \"b\": 2\n}")) { e in
            XCTAssertEqual((e as? JSON.ParseError)?.message, "expected ',' or '}' at line 3, column 3")
        }
        XCTAssertThrowsError(try parse("[1, 2,\n ]")) { e in
            XCTAssertEqual((e as? JSON.ParseError)?.message, "unexpected character ']' at line 2, column 2")
        }
        XCTAssertThrowsError(try parse("{} x")) { e in
            XCTAssertEqual((e as? JSON.ParseError)?.message, "unexpected data after the JSON value at line 1, column 4")
        }
    }
}
