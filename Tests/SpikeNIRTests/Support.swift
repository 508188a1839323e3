import Foundation
import XCTest
import SpikeCore
import SpikeIO
@testable import SpikeNIR

enum Fixtures {
    static func url(_ path: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/\(path)", withExtension: nil), "fixture \(path)")
    }
    static func graph(_ name: String) throws -> NIRGraph { try NIRFile.read(url: url("\(name).nir")) }
    static func npy(_ path: String) throws -> Tensor { try NPY.read(from: url(path)) }
    static func exists(_ path: String) -> Bool { Bundle.module.url(forResource: "Fixtures/\(path)", withExtension: nil) != nil }

    static let primitives = ["prim_affine", "prim_linear", "prim_scale", "prim_threshold", "prim_delay", "prim_i", "prim_li",
                             "prim_if", "prim_lif", "prim_cubali", "prim_cubalif", "prim_flatten", "prim_conv1d", "prim_conv2d",
                             "prim_sumpool2d", "prim_avgpool2d"]
    static let graphs = ["graph_ff", "graph_recurrent", "graph_nested", "graph_conv"]
}

/// `|a - b| <= 1e-5 * max(|b|)` over the trace (relative to the reference trace's largest magnitude), and
/// equal shapes; spikes (`exact`) must be identical.
func assertClose(_ a: Tensor, _ b: Tensor, exact: Bool, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.shape, b.shape, "\(what): shape", file: file, line: line)
    guard a.shape == b.shape else { return }
    if exact { XCTAssertEqual(a.scalars, b.scalars, "\(what): spikes differ", file: file, line: line); return }
    let scale = max(b.scalars.map { abs($0) }.max() ?? 0, Float.leastNormalMagnitude)
    let worst = zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
    XCTAssertLessThanOrEqual(worst / scale, 1e-5, "\(what): max relative difference \(worst / scale)", file: file, line: line)
}
