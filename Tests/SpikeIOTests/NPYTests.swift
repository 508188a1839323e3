import Foundation
import XCTest
import SpikeCore
@testable import SpikeIO

final class NPYTests: XCTestCase {
    /// A version-1.0 `.npy` file with `header` (the dict text) padded as numpy pads, followed by `payload`.
    private func npy(_ header: String, payload: [UInt8] = [], version: UInt8 = 1) -> Data {
        let lengthSize = version == 1 ? 2 : 4
        var text = Array(header.utf8)
        let unpadded = 8 + lengthSize + text.count + 1
        text += [UInt8](repeating: 0x20, count: (64 - unpadded % 64) % 64) + [0x0A]
        var out = Data(NPY.magic + [version, 0])
        out += (0..<lengthSize).map { UInt8((text.count >> (8 * $0)) & 0xFF) }
        out += text
        out += payload
        return out
    }

    private func header(descr: String = "'<f4'", fortran: String = "False", shape: String) -> String {
        "{'descr': \(descr), 'fortran_order': \(fortran), 'shape': \(shape), }"
    }

    // MARK: Round trips and compatibility with numpy

    func testRoundTripShapes() throws {
        for shape in [[], [5], [2, 3, 4], [0, 3]] {
            let t = ramp(shape)
            let data = NPY.encode(t)
            XCTAssertEqual(try NPY.decode(data, name: "t.npy"), t, "shape \(shape)")
        }
    }

    func testRoundTripThroughFileKeepsSpecialValues() throws {
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("special.npy")
        let t = Tensor(shape: [2, 3], scalars: [.infinity, -.infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e-30])
        try NPY.write(t, to: url)
        let back = try NPY.read(from: url)
        XCTAssertEqual(back.shape, t.shape)
        XCTAssertEqual(back.scalars.map(\.bitPattern), t.scalars.map(\.bitPattern))
        // NaN payloads survive too (compared bitwise, since NaN != NaN).
        let nan = Tensor(shape: [1], scalars: [Float(bitPattern: 0x7FC0_1234)])
        try NPY.write(nan, to: url)
        XCTAssertEqual(try NPY.read(from: url).scalars[0].bitPattern, 0x7FC0_1234)
    }

    /// What we write is byte for byte what `np.save` writes for the same float32 arrays.
    func testEncodeMatchesNumpyBytes() {
        XCTAssertEqual(NPY.encode(Tensor(3.25)), PythonFixtures.npyScalar)
        XCTAssertEqual(NPY.encode(ramp([5])), PythonFixtures.npyVector)
        XCTAssertEqual(NPY.encode(ramp([2, 3, 4])), PythonFixtures.npyRank3)
        XCTAssertEqual(NPY.encode(Tensor.zeros([0, 3])), PythonFixtures.npyEmpty)
    }

    func testHeaderLayout() {
        for shape in [[], [7], [123_456_789, 0], Array(repeating: 1, count: 30)] {
            let data = NPY.encode(Tensor.zeros(shape))
            XCTAssertEqual(Array(data.prefix(8)), NPY.magic + [1, 0])
            let headerLength = Int(data[8]) | Int(data[9]) << 8
            XCTAssertEqual((10 + headerLength) % 64, 0, "data of \(shape) must start on a 64-byte boundary")
            XCTAssertEqual(data[10 + headerLength - 1], 0x0A, "header must end in a newline")
            XCTAssertEqual(data.count, 10 + headerLength + 4 * shape.reduce(1, *))
        }
    }

    func testReadsNumpyFiles() throws {
        XCTAssertEqual(try NPY.decode(PythonFixtures.npyScalar, name: "s.npy"), Tensor(3.25))
        XCTAssertEqual(try NPY.decode(PythonFixtures.npyRank3, name: "r.npy"), ramp([2, 3, 4]))
        XCTAssertEqual(try NPY.decode(PythonFixtures.npyEmpty, name: "e.npy"), Tensor.zeros([0, 3]))
        // The fixtures other packages ship were written by numpy too.
        XCTAssertEqual(try NPY.decode(PythonFixtures.npyV2, name: "v2.npy"), ramp([2, 2]))
        XCTAssertEqual(try NPY.decode(PythonFixtures.npyV3, name: "v3.npy"), ramp([3]))
    }

    func testReadsFloat64() throws {
        let t = try NPY.decode(PythonFixtures.npyFloat64, name: "d.npy")
        XCTAssertEqual(t.shape, [2, 3])
        XCTAssertEqual(t.scalars, [1.5, -2.25, Float(1e-3), 3.0, Float(1e30), -0.0])
        XCTAssertEqual(t.scalars[5].sign, .minus)
    }

    func testReadsIntegerBoolAndHalfDTypes() throws {
        XCTAssertEqual(try NPY.decode(PythonFixtures.npyInt64, name: "a.npy"), Tensor([-3, 0, 7, Float(1 << 40)]))
        XCTAssertEqual(try NPY.decode(PythonFixtures.npyInt32, name: "a.npy"), Tensor([[-1, 2], [300, -40000]]))
        XCTAssertEqual(try NPY.decode(PythonFixtures.npyUInt8, name: "a.npy"), Tensor([0, 1, 255]))
        XCTAssertEqual(try NPY.decode(PythonFixtures.npyBool, name: "a.npy"), Tensor([1, 0, 1]))
        let half = try NPY.decode(PythonFixtures.npyFloat16, name: "h.npy")
        XCTAssertEqual(half.scalars, [1, -2.5, 65504, 5.9604645e-8, .infinity])
    }

    func testHeaderParsingIsRobust() throws {
        let payload = float32Bytes([1, 2, 3, 4, 5, 6])
        let variants = [
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",  // numpy's own
            "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2, 3)}",  // double quotes, no trailing comma
            "{'shape':(2,3),'fortran_order':False,'descr':'<f4'}",  // other order, no spaces
            "{ 'descr' : '<f4' ,\t'fortran_order' : False , 'shape' : ( 2 , 3 , ) , }",  // odd spacing
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }",  // Python 2 longs
            "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3], }",  // a list
        ]
        for h in variants {
            XCTAssertEqual(try NPY.decode(npy(h, payload: payload), name: "x.npy"), Tensor([[1, 2, 3], [4, 5, 6]]), h)
        }
        XCTAssertEqual(try NPY.decode(npy(header(shape: "()"), payload: float32Bytes([7])), name: "x.npy"), Tensor(7))
        XCTAssertEqual(try NPY.decode(npy(header(shape: "(1,)"), payload: float32Bytes([7])), name: "x.npy"), Tensor([7]))
        // A header of format 2.0 built by hand.
        XCTAssertEqual(try NPY.decode(npy(header(shape: "(2,)"), payload: float32Bytes([1, 2]), version: 2), name: "x.npy"),
                       Tensor([1, 2]))
    }

    func testDecodesFromDataSlice() throws {
        let padded = Data([1, 2, 3]) + NPY.encode(ramp([4]))
        XCTAssertEqual(try NPY.decode(padded.dropFirst(3), name: "slice.npy"), ramp([4]))
    }

    // MARK: Bad input

    func testRejectsBadMagicAndVersion() {
        assertIOError(try NPY.decode(Data("hello world, this is text".utf8), name: "x.npy"), in: "x.npy", ["not a .npy file"])
        assertIOError(try NPY.decode(Data(), name: "x.npy"), in: "x.npy", ["truncated"])
        assertIOError(try NPY.decode(Data(NPY.magic), name: "x.npy"), in: "x.npy", ["truncated", "file has 6"])
        var v4 = NPY.encode(ramp([2]))
        v4[6] = 4
        assertIOError(try NPY.decode(v4, name: "x.npy"), in: "x.npy", ["unsupported .npy format version 4.0"])
    }

    func testRejectsTruncatedAndOverlongFiles() {
        let full = NPY.encode(ramp([6]))  // 128-byte header + 24 bytes of data
        assertIOError(try NPY.decode(full.prefix(50), name: "x.npy"), in: "x.npy", ["truncated: header needs 128 bytes, file has 50"])
        assertIOError(try NPY.decode(full.prefix(9), name: "x.npy"), in: "x.npy", ["truncated: header needs 10 bytes, file has 9"])
        assertIOError(try NPY.decode(full.prefix(138), name: "x.npy"), in: "x.npy", ["truncated: header says 24 bytes of data, file has 10"])
        assertIOError(try NPY.decode(full + Data([0, 0, 0]), name: "x.npy"), in: "x.npy",
                      ["3 unexpected bytes after the data", "header says 24 bytes of data, file has 27"])
    }

    func testRejectsUnsupportedDTypesAndLayouts() {
        assertIOError(try NPY.decode(PythonFixtures.npyBigEndian, name: "be.npy"), in: "be.npy",
                      ["unsupported dtype '>f4'", "big-endian"])
        assertIOError(try NPY.decode(PythonFixtures.npyFortran, name: "f.npy"), in: "f.npy", ["fortran_order is True"])
        assertIOError(try NPY.decode(npy(header(descr: "'|O'", shape: "(2,)"), payload: [UInt8](repeating: 0, count: 16)), name: "o.npy"),
                      in: "o.npy", ["unsupported dtype '|O'", "object arrays"])
        assertIOError(try NPY.decode(npy(header(descr: "'<c8'", shape: "(1,)"), payload: [UInt8](repeating: 0, count: 8)), name: "x.npy"),
                      in: "x.npy", ["unsupported dtype '<c8' (expected float32 or float64)"])
        assertIOError(try NPY.decode(npy(header(descr: "'<U5'", shape: "(1,)")), name: "x.npy"), in: "x.npy", ["unsupported dtype '<U5'"])
        assertIOError(try NPY.decode(npy(header(descr: "[('a', '<f4'), ('b', '<f4')]", shape: "(1,)")), name: "x.npy"),
                      in: "x.npy", ["unsupported dtype", "structured dtypes"])
    }

    func testRejectsMalformedHeaders() {
        let cases: [(String, [String])] = [
            ("{'descr': '<f4', 'fortran_order': False}", ["malformed header", "no 'shape' key"]),
            ("{'descr': '<f4', 'shape': (1,)}", ["no 'fortran_order' key"]),
            ("{'fortran_order': False, 'shape': (1,)}", ["no 'descr' key"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", ["unexpected key 'extra'"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'shape': (1,)}", ["duplicate key 'shape'"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3}", ["malformed header", "expected ',' or ')'"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", ["non-negative integers"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,)}", ["non-integer"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': 4}", ["'shape' must be a tuple"]),
            ("{'descr': '<f4', 'fortran_order': 'no', 'shape': (1,)}", ["'fortran_order' must be True or False"]),
            ("{'descr': 4, 'fortran_order': False, 'shape': (1,)}", ["'descr' must be a string"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4)}", ["too many elements"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}", ["integer too large"]),
            ("('descr', '<f4')", ["header is not a dict"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} junk", ["unexpected 'j'"]),
            ("{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}", ["malformed header"]),
            ("{'descr': os.system('x'), 'fortran_order': False, 'shape': (1,)}", ["unsupported name 'os'"]),
            ("", ["expected a value"]),
        ]
        for (h, fragments) in cases {
            assertIOError(try NPY.decode(npy(h, payload: float32Bytes([1])), name: "bad.npy"), in: "bad.npy", fragments)
        }
    }

    func testReadReportsMissingFileWithPath() throws {
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("absent.npy")
        assertIOError(try NPY.read(from: url), in: url.path, ["cannot read", "No such file"])
        assertIOError(try NPY.read(from: dir), in: dir.path, ["cannot read"])
    }

    func testErrorsNameTheFilePath() throws {
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("short.npy")
        try NPY.encode(ramp([6])).prefix(140).write(to: url)
        assertIOError(try NPY.read(from: url), in: url.path, ["truncated: header says 24 bytes of data, file has 12"])
    }
}
