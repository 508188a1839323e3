import XCTest
@testable import SpikeCore

/// Every differentiable op against central finite differences.
final class GradientTests: XCTestCase {
    var rng = SeededRandom(seed: 1)

    func t(_ shape: [Int], _ lo: Float = -1, _ hi: Float = 1) -> Tensor { .uniform(shape, low: lo, high: hi, rng: &rng) }

    func assertGrad(_ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line, _ f: @escaping ([Variable]) -> Variable) {
        let r = GradCheck.check(inputs, eps: 1e-2, atol: 2e-3, rtol: 1e-2, f)
        XCTAssertTrue(r.passed, "\(r)", file: file, line: line)
    }

    func testArithmeticWithBroadcasting() {
        assertGrad([t([3, 4]), t([4])]) { $0[0] + $0[1] }
        assertGrad([t([3, 4]), t([3, 1])]) { $0[0] - $0[1] }
        assertGrad([t([2, 3, 4]), t([3, 4])]) { $0[0] * $0[1] }
        assertGrad([t([3, 4]), t([1, 4], 1, 2)]) { $0[0] / $0[1] }
        assertGrad([t([5])]) { -($0[0] * 3 + 1) / 2 - 0.5 }
    }

    func testElementwiseFunctions() {
        assertGrad([t([6])]) { $0[0].exp() }
        assertGrad([t([6], 0.5, 2)]) { $0[0].log() }
        assertGrad([t([6], -3, 3)]) { $0[0].sigmoid() }
        assertGrad([t([6], -2, 2)]) { $0[0].tanh() }
        assertGrad([Tensor([-1.5, -0.3, 0.4, 2])]) { $0[0].relu() }
        assertGrad([t([6])]) { $0[0].squared() }
    }

    func testSoftmaxAndLogSoftmax() {
        assertGrad([t([3, 5], -2, 2)]) { $0[0].softmax(axis: 1) }
        assertGrad([t([3, 5], -2, 2)]) { $0[0].logSoftmax(axis: -1) }
        assertGrad([t([4, 3], -2, 2)]) { $0[0].softmax(axis: 0) }
    }

    func testReductions() {
        assertGrad([t([2, 3, 4])]) { $0[0].sum() }
        assertGrad([t([2, 3, 4])]) { $0[0].mean() }
        assertGrad([t([2, 3, 4])]) { $0[0].sum(axis: 1) }
        assertGrad([t([2, 3, 4])]) { $0[0].mean(axis: 0, keepDims: true) }
        // Distinct values so that the maximum is unique under the finite-difference step.
        assertGrad([Tensor(shape: [3, 2], scalars: [0.1, 0.9, 0.5, -0.4, 0.3, 0.2])]) { $0[0].max(axis: 0) }
    }

    func testMatmulAllTransposes() {
        for ta in [false, true] { for tb in [false, true] {
            let a = ta ? t([4, 3]) : t([3, 4]), b = tb ? t([5, 4]) : t([4, 5])
            assertGrad([a, b]) { Variable.matmul($0[0], $0[1], transposeA: ta, transposeB: tb) }
        } }
    }

    func testShapeOps() {
        assertGrad([t([2, 3, 4])]) { $0[0].transposed() }
        assertGrad([t([2, 3, 4])]) { $0[0].transposed(0, 2) }
        assertGrad([t([2, 6])]) { $0[0].reshaped([3, -1]) }
        assertGrad([t([5, 2])]) { $0[0].slice(1..<4) }
        assertGrad([t([2, 3]), t([2, 3])]) { Variable.stack($0) }
        assertGrad([t([2, 3]), t([2, 1])]) { Variable.concatenate($0, axis: 1) }
        assertGrad([t([2, 3]), t([1, 3])]) { Variable.concatenate($0, axis: 0) }
    }

    func testGradientsAccumulateAcrossBackwardCalls() {
        let w = Variable(Tensor([1, 2]), requiresGrad: true)
        (w * w).sum().backward()
        (w * w).sum().backward()
        XCTAssertEqual(w.grad?.scalars, [4, 8])
    }

    func testNoGradModeRecordsNothing() {
        let w = Variable(Tensor([1, 2]), requiresGrad: true)
        let y = Tape.withoutGradients { (w * w).sum() }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue(Tape.isRecording)
    }

    func testCheckerCatchesAWrongVJP() {
        let r = GradCheck.check([t([4])]) { x in
            Variable.record(x[0].value * 2, parents: [x[0]]) { g in [g * 3] }   // wrong on purpose
        }
        XCTAssertFalse(r.passed)
    }
}
