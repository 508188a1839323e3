import XCTest
import SpikeCore
@testable import SpikeCoding

/// SPAIC's Latency encoder against SPAIC 0.6.3's `torch_coding` (spike steps printed by
/// Tests/SpikeNeuronsTests/Fixtures/spaic_latency.py).
final class EncoderSPAICLatencyTests: XCTestCase {
    func testSpikeStepsMatchSPAIC() throws {
        let x = Tensor(shape: [2, 5], scalars: [0.0, 0.25, 0.5, 0.75, 1.0, 0.9, 0.8, 0.6, 0.4, 0.03].map { $0 * 3 })
        let cases: [(Int, Float?, Bool, [[Int]])] = [
            (16, nil, false, [[15, 11, 7, 3, 0], [1, 2, 5, 9, 14]]),
            (10, 0.5, false, [[4, 3, 2, 1, 0], [0, 0, 1, 2, 4]]),
            (16, nil, true, [[-1, 11, 7, 3, 0], [1, 2, 5, 9, -1]]),
        ]
        for (T, scale, cut, expected) in cases {
            let s = try Encode.spaicLatency(x, steps: T, maxScale: scale, cutOff: cut)
            XCTAssertEqual(s.shape, [T, 2, 5])
            for b in 0..<2 {
                for n in 0..<5 {
                    let fired = (0..<T).filter { s.scalars[$0 * 10 + b * 5 + n] != 0 }
                    XCTAssertEqual(fired, expected[b][n] < 0 ? [] : [expected[b][n]], "T \(T) scale \(String(describing: scale)) cut \(cut) [\(b), \(n)]")
                }
            }
        }
        XCTAssertThrowsError(try Encode.spaicLatency(Tensor([-1, 2]), steps: 4)) { XCTAssertEqual("\($0)", "spaic latency: inputs must be finite and >= 0") }
        XCTAssertThrowsError(try Encode.spaicLatency(Tensor([1, 2]), steps: 4, maxScale: 2)) { XCTAssertEqual("\($0)", "spaic latency: max_scale must be in (0, 1], got 2.0") }
    }
}
