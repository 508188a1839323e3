import XCTest
import SpikeCKernels
import SpikeCore
import SpikeNeurons
@testable import SpikeSim

/// The C kernel of the CUBA group update, both its AVX2 and its portable loop, against the Swift lane step.
final class CUBAKernelTests: XCTestCase {
    func testKernelEqualsTheSwiftLaneStepBitForBit() {
        let m = Brian2CUBA()
        let n = 45                         // five full blocks and a partial one
        let nb = (n + 7) / 8
        var rng = SeededRandom(seed: 12)
        var swift = [SIMD8<Float>](repeating: .zero, count: nb * 4)
        for b in 0..<nb {
            for l in 0..<8 {
                swift[b * 4][l] = -60 + 12 * rng.nextUniform()
                swift[b * 4 + 1][l] = 3 * rng.nextUniform()
                swift[b * 4 + 2][l] = -2 * rng.nextUniform()
                swift[b * 4 + 3][l] = rng.nextUniform() < 0.2 ? Float(rng.nextInt(below: 5)) : 0
            }
        }
        var avx = swift, portable = swift
        var p = m.kernelParameters
        var fired = 0
        for _ in 0..<300 {
            let inputs = (0..<n).map { _ in rng.nextUniform() * 30 - 5 }
            var expected: [Int32] = []
            for b in 0..<nb {
                var xv = SIMD8<Float>.zero
                for l in 0..<8 where b * 8 + l < n { xv[l] = inputs[b * 8 + l] }
                let y = swift.withUnsafeMutableBufferPointer { m.stepLanes(xv, $0.baseAddress! + b * 4) }
                for l in 0..<8 where y[l] > 0 && b * 8 + l < n { expected.append(Int32(b * 8 + l)) }
            }
            for (kernel, which) in [(sk_cuba_step, 0), (sk_cuba_step_portable, 1)] as [(CUBAKernel, Int)] {
                var x = inputs
                var spikes = [Int32](repeating: -1, count: nb * 8)
                var state = which == 0 ? avx : portable
                let k = state.withUnsafeMutableBufferPointer { bp in
                    UnsafeMutableRawPointer(bp.baseAddress!).withMemoryRebound(to: Float.self, capacity: nb * 32) { f in
                        kernel(&p, f, &x, n, 0, nb, &spikes)
                    }
                }
                XCTAssertEqual(Array(spikes.prefix(k)), expected)
                XCTAssertEqual(x, [Float](repeating: 0, count: n), "inputs consumed")
                if which == 0 { avx = state } else { portable = state }
            }
            fired += expected.count
        }
        for k in 0..<(nb * 4) {
            for l in 0..<8 where (k / 4) * 8 + l < n {
                XCTAssertEqual(avx[k][l].bitPattern, swift[k][l].bitPattern)
                XCTAssertEqual(portable[k][l].bitPattern, swift[k][l].bitPattern)
            }
        }
        XCTAssertGreaterThan(fired, 50, "spikes and refractory periods must occur")
    }
}

typealias CUBAKernel = (UnsafePointer<sk_cuba_params>?, UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?, Int,
                        Int, Int, UnsafeMutablePointer<Int32>?) -> Int
