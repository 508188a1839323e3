import XCTest
import SpikeCore
import SpikeNN
import SpikeCoding

final class EncoderPopulationTests: XCTestCase {
    typealias Kit = EncoderTestKit

    /// Bohte et al. 2002 centres for N = 5 on [0, 1]: spacing 1/3 from -1/6 to 7/6, sigma = (1/3) / 1.5.
    func testBohteCentres() throws {
        let (mu, sigma) = try Encode.populationCentres(neurons: 5, min: 0, max: 1)
        Kit.assertClose(mu, [-1.0 / 6, 1.0 / 6, 0.5, 5.0 / 6, 7.0 / 6], tol: 1e-6)
        XCTAssertEqual(sigma, 2.0 / 9, accuracy: 1e-6)
        let (e, se) = try Encode.populationCentres(neurons: 3, min: -1, max: 1, centres: .endpoints)
        XCTAssertEqual(e, [-1, 0, 1])
        XCTAssertEqual(se, 1 / 1.5, accuracy: 1e-6)
    }

    /// Tuning curves: the neuron whose centre is nearest responds most (1 on its centre); the curves are
    /// mirror-symmetric (r_i(x) = r_{N-1-i}(min + max - x)); each curve is a Gaussian of the distance.
    func testTuningCurves() throws {
        let N = 7
        let (mu, sigma) = try Encode.populationCentres(neurons: N, min: 0, max: 1)
        let xs = (0...40).map { Float($0) / 40 }
        let r = try Encode.gaussianResponses(Tensor(xs), neurons: N)
        XCTAssertEqual(r.shape, [41, N])
        let mirrored = try Encode.gaussianResponses(Tensor(xs.map { 1 - $0 }), neurons: N)
        for (j, x) in xs.enumerated() {
            let row = Array(r.scalars[(j * N)..<((j + 1) * N)])
            let byDistance = mu.indices.sorted { abs(mu[$0] - x) < abs(mu[$1] - x) }
            if abs(mu[byDistance[1]] - x) - abs(mu[byDistance[0]] - x) > 1e-3 {   // not halfway between two centres
                XCTAssertEqual(row.indices.max { row[$0] < row[$1] }, byDistance[0], "x = \(x)")
            }
            for i in 0..<N {
                XCTAssertEqual(row[i], exp(-(x - mu[i]) * (x - mu[i]) / (2 * sigma * sigma)), accuracy: 1e-6)
                XCTAssertEqual(row[i], mirrored.scalars[j * N + (N - 1 - i)], accuracy: 1e-5, "symmetry at x = \(x)")
            }
        }
        // On a centre: response 1 there.
        let on = try Encode.gaussianResponses(Tensor([0.5]), neurons: 5)
        XCTAssertEqual(on.scalars[2], 1)
    }

    /// Spike output: the value 0.5 on neuron 2's centre spikes there at step 0, its neighbours (r = 0.3247)
    /// at round(10 * 0.6753) = 7, the outer ones (r = 0.011 < 0.1) not at all.
    func testPopulationSpikeTimes() throws {
        let s = try Encode.population(Tensor([[0.5]]), steps: 11, neurons: 5)
        XCTAssertEqual(s.shape, [11, 1, 1, 5])
        XCTAssertEqual(Kit.spikeSteps(s), [nil, 7, 0, 7, nil])
        // Stronger response, earlier spike, across values.
        let xs = Tensor([0.1, 0.35, 0.8])
        let st = try Encode.population(xs, steps: 30, neurons: 6, output: .spikes(minResponse: 0))
        let r = try Encode.gaussianResponses(xs, neurons: 6)
        let steps = Kit.spikeSteps(st).map { $0! }
        for i in 0..<r.count { for j in 0..<r.count where r.scalars[i] > r.scalars[j] { XCTAssertLessThanOrEqual(steps[i], steps[j]) } }
    }

    func testPopulationCurrentsShapeAndGradient() throws {
        let m = PopulationEncoder(steps: 3, neurons: 4, min: -1, max: 2, output: .currents)
        let x = Tensor([[0.3, -0.5], [1.9, 0.7]])
        let y = m(Variable(x))
        XCTAssertEqual(y.shape, [3, 2, 2, 4])
        let r = try Encode.gaussianResponses(x, neurons: 4, min: -1, max: 2)
        XCTAssertEqual(Array(y.value.scalars[0..<16]), r.scalars)
        XCTAssertEqual(Array(y.value.scalars[32..<48]), r.scalars)
        let g = GradCheck.check([x], eps: 1e-3) { vs in m(vs[0]) }
        XCTAssertTrue(g.passed, "\(g)")
    }
}
