import XCTest
import Foundation
@testable import SpikeIO

/// int32 and float64 `.npy` writing (spike monitor indices and times), against numpy's own bytes:
///
///     import numpy as np, io
///     for a in [np.array([0, 3, -2], dtype=np.int32), np.array([0.1, 2.5], dtype=np.float64)]:
///         b = io.BytesIO(); np.save(b, a); print(b.getvalue().hex())
final class NPYTypedTests: XCTestCase {
    static func hex(_ s: String) -> Data {
        var d = Data()
        var i = s.startIndex
        while i < s.endIndex { let j = s.index(i, offsetBy: 2); d.append(UInt8(s[i..<j], radix: 16)!); i = j }
        return d
    }

    func testInt32IsNumpysBytes() throws {
        let numpy = Self.hex("934e554d5059010076007b276465736372273a20273c6934272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000000003000000feffffff")
        let data = NPY.encode(int32: [0, 3, -2], shape: [3])
        XCTAssertEqual(data, numpy)
        XCTAssertEqual(try NPY.decode(data, name: "i.npy").scalars, [0, 3, -2])
    }

    func testFloat64IsNumpysBytes() throws {
        let numpy = Self.hex("934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a9a9999999999b93f0000000000000440")
        let data = NPY.encode(float64: [0.1, 2.5], shape: [2])
        XCTAssertEqual(data, numpy)
        XCTAssertEqual(try NPY.decode(data, name: "t.npy").scalars, [0.1, 2.5])
    }

    func testEmptyArrays() throws {
        XCTAssertEqual(try NPY.decode(NPY.encode(int32: [], shape: [0]), name: "e").shape, [0])
        XCTAssertEqual(try NPY.decode(NPY.encode(float64: [], shape: [0]), name: "e").shape, [0])
    }
}
