import Foundation
import XCTest
import SpikeCore
@testable import SpikeData

final class RandmanManifoldTests: XCTestCase {
    func testFCutoffFormula() {
        XCTAssertEqual(Randman.fCutoff(alpha: 2), 32)        // ceil(1000^(1/2)) = ceil(31.62)
        XCTAssertEqual(Randman.fCutoff(alpha: 4), 6)         // ceil(1000^(1/4)) = ceil(5.62)
        XCTAssertEqual(Randman.fCutoff(alpha: 1), 1000)      // 1000, at the cap
        XCTAssertEqual(Randman.fCutoff(alpha: 0.5), 1000)    // 1e6 capped at 1000
        XCTAssertEqual(Randman.fCutoff(alpha: 0.01), 1000)   // huge, capped
        XCTAssertEqual(Randman.fCutoff(alpha: 2, precision: 0.0625), 4)   // 0.0625^(-1/2) = 4 exactly
        XCTAssertEqual(Randman.fCutoff(alpha: 1, maxFCutoff: 50), 50)
        let m = try! Randman(embeddingDim: 3, manifoldDim: 2, alpha: 2, seed: 1)
        XCTAssertEqual(m.fCutoff, 32)
        XCTAssertEqual(m.parameters.count, 3 * 2 * 3 * 32)
    }

    func testSpectrum() {
        let s = Randman.spectrum(alpha: 2, count: 4)
        XCTAssertEqual(s, [1, 0.25, 1.0 / 9, 1.0 / 16])
        let m = try! Randman(embeddingDim: 1, manifoldDim: 1, alpha: 3, seed: 5)
        XCTAssertEqual(m.spectrum.count, m.fCutoff)
        for (i, v) in m.spectrum.enumerated() { XCTAssertEqual(v, 1 / pow(Double(i + 1), 3), accuracy: 1e-15) }
    }

    /// g(x) = sum_i a_i s_i sin(2 pi (i x f_i + p_i)) at x = 0.25, chosen so every sine is sin(pi/2) = 1:
    /// i=0: phase 0.25; i=1: 1*0.25*1 + 0 = 0.25; i=2: 2*0.25*0.5 + 0 = 0.25.
    /// With alpha = 2, s = [1, 1/4, 1/9], a = [0.5, 0.8, 0.9]: 0.5 + 0.2 + 0.1 = 0.8.
    func testRandomFunction1DHandComputed() throws {
        let a = [0.5, 0.8, 0.9], f = [0.0, 1.0, 0.5], p = [0.25, 0.0, 0.0]
        let s = Randman.spectrum(alpha: 2, count: 3)
        let g = Randman.randomFunction1D(0.25, amplitudes: a, frequencies: f, phases: p, spectrum: s)
        XCTAssertEqual(g, 0.8, accuracy: 1e-12)

        // Second point, x = 0.5: i=0: sin(pi/2)=1 -> 0.5; i=1: sin(2 pi * 0.5) = sin(pi) = 0;
        // i=2: sin(2 pi * 2*0.5*0.5) = sin(pi) = 0. Total 0.5.
        XCTAssertEqual(Randman.randomFunction1D(0.5, amplitudes: a, frequencies: f, phases: p, spectrum: s),
                       0.5, accuracy: 1e-12)

        // The same coefficients as a 1-unit, 1-d manifold evaluate to the same value.
        let m = try Randman(embeddingDim: 1, manifoldDim: 1, alpha: 2, parameters: a + f + p)
        XCTAssertEqual(m.fCutoff, 3)
        XCTAssertEqual(m.evaluate([0.25])[0], 0.8, accuracy: 1e-12)
    }

    func testManifoldIsProductOfOneDimensionalFunctions() throws {
        let m = try Randman(embeddingDim: 4, manifoldDim: 3, alpha: 2, seed: 99)
        let x = [0.1, 0.55, 0.9]
        let y = m.evaluate(x)
        XCTAssertEqual(y.count, 4)
        for e in 0..<4 {
            var expected = 1.0
            for d in 0..<3 {
                let t = m.theta(unit: e, axis: d)
                expected *= Randman.randomFunction1D(x[d], amplitudes: t.amplitudes, frequencies: t.frequencies,
                                                     phases: t.phases, spectrum: m.spectrum)
            }
            XCTAssertEqual(y[e], expected)   // same arithmetic order: bit-identical
        }
    }

    func testCoefficientsUniformAndNoBias() throws {
        let m = try Randman(embeddingDim: 5, manifoldDim: 2, alpha: 2, seed: 3)
        XCTAssertFalse(m.useBias)
        XCTAssertTrue(m.parameters.allSatisfy { $0 >= 0 && $0 < 1 })
        for e in 0..<5 {
            for d in 0..<2 {
                let t = m.theta(unit: e, axis: d)
                XCTAssertEqual(t.amplitudes[0], 0, "constant term must be zeroed without bias")
                XCTAssertGreaterThan(t.amplitudes[1], 0)
            }
        }
        let biased = try Randman(embeddingDim: 5, manifoldDim: 2, alpha: 2, seed: 3, useBias: true)
        XCTAssertNotEqual(biased.theta(unit: 0, axis: 0).amplitudes[0], 0)
        // Same seed: same draws apart from the zeroed terms.
        XCTAssertEqual(biased.theta(unit: 2, axis: 1).phases, m.theta(unit: 2, axis: 1).phases)
        // Same seed, same manifold; another seed, another one.
        XCTAssertEqual(try Randman(embeddingDim: 5, manifoldDim: 2, alpha: 2, seed: 3), m)
        XCTAssertNotEqual(try Randman(embeddingDim: 5, manifoldDim: 2, alpha: 2, seed: 4).parameters, m.parameters)
    }

    /// Larger alpha gives smoother functions: on a fine grid of [0, 1), the mean absolute difference between
    /// neighbouring points of the standardised unit functions shrinks as alpha grows.
    func testSmoothnessGrowsWithAlpha() throws {
        func roughness(alpha: Double) throws -> Double {
            let units = 16, grid = 400
            let m = try Randman(embeddingDim: units, manifoldDim: 1, alpha: alpha, seed: 2024)
            var ys = [[Double]](repeating: [], count: units)
            for k in 0..<grid {
                let y = m.evaluate([Double(k) / Double(grid)])
                for e in 0..<units { ys[e].append(y[e]) }
            }
            var total = 0.0
            for y in ys {
                let lo = y.min()!, hi = y.max()!
                let z = y.map { ($0 - lo) / (hi - lo + 1e-7) }
                var diff = 0.0
                for k in 1..<grid { diff += abs(z[k] - z[k - 1]) }
                total += diff / Double(grid - 1)
            }
            return total / Double(units)
        }
        let r1 = try roughness(alpha: 1.5), r2 = try roughness(alpha: 2), r4 = try roughness(alpha: 4)
        XCTAssertGreaterThan(r1, r2, "alpha 1.5 should be rougher than alpha 2 (\(r1) vs \(r2))")
        XCTAssertGreaterThan(r2, r4, "alpha 2 should be rougher than alpha 4 (\(r2) vs \(r4))")
    }

    func testManifoldValidation() {
        XCTAssertThrowsError(try Randman(embeddingDim: 0, manifoldDim: 1, seed: 1)) {
            XCTAssertEqual(($0 as? DatasetError)?.parameter, "embeddingDim")
        }
        XCTAssertThrowsError(try Randman(embeddingDim: 1, manifoldDim: 0, seed: 1)) {
            XCTAssertEqual(($0 as? DatasetError)?.parameter, "manifoldDim")
        }
        XCTAssertThrowsError(try Randman(embeddingDim: 1, manifoldDim: 1, alpha: 0, seed: 1)) {
            XCTAssertEqual(($0 as? DatasetError)?.parameter, "alpha")
        }
        XCTAssertThrowsError(try Randman(embeddingDim: 1, manifoldDim: 1, alpha: .nan, seed: 1)) {
            XCTAssertEqual(($0 as? DatasetError)?.parameter, "alpha")
        }
        XCTAssertThrowsError(try Randman(embeddingDim: 1, manifoldDim: 1, seed: 1, precision: 1)) {
            XCTAssertEqual(($0 as? DatasetError)?.parameter, "precision")
        }
        XCTAssertThrowsError(try Randman(embeddingDim: 2, manifoldDim: 1, alpha: 2, parameters: [0.1, 0.2])) {
            XCTAssertEqual(($0 as? DatasetError)?.parameter, "parameters")
        }
    }
}
