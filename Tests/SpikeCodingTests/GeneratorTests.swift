import XCTest
import SpikeCore
@testable import SpikeCoding

final class GeneratorTests: XCTestCase {

    /// Spike count of each neuron (column) of a `[T, N]` train.
    private func counts(_ spikes: Tensor) -> [Double] {
        let (t, n) = (spikes.shape[0], spikes.shape[1])
        var c = [Double](repeating: 0, count: n)
        for k in 0..<t { for j in 0..<n { c[j] += Double(spikes.scalars[k * n + j]) } }
        return c
    }

    // MARK: Poisson

    func testPoissonRateAndFanoFactorWithinConfidenceBounds() throws {
        let rate: Float = 20, dt: Float = 1e-3, steps = 1000, neurons = 400
        let s = try Generate.poisson(rate: rate, neurons: neurons, steps: steps, dt: dt, seed: 42)
        XCTAssertEqual(s.shape, [steps, neurons])
        XCTAssertTrue(s.scalars.allSatisfy { $0 == 0 || $0 == 1 })
        let c = counts(s)
        let n = Double(neurons)
        let mean = c.reduce(0, +) / n
        let variance = c.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        let p = Double(rate * dt), T = Double(steps)
        // Mean count T p = 20 (the rate in Hz over 1 s); its standard error sqrt(T p (1-p) / n).
        let se = (T * p * (1 - p) / n).squareRoot()
        XCTAssertEqual(mean, T * p, accuracy: 4 * se)
        XCTAssertEqual(mean / (T * Double(dt)), Double(rate), accuracy: 4 * se / (T * Double(dt)))
        // Fano factor of a Bernoulli train is 1 - p = 0.98; the sample variance has a relative standard
        // error of about sqrt(2 / (n - 1)).
        let fano = variance / mean
        XCTAssertEqual(fano, 1 - p, accuracy: 4 * (2 / (n - 1)).squareRoot())
        XCTAssertGreaterThan(fano, 0.7)
        XCTAssertLessThan(fano, 1.3)
    }

    func testPoissonPerNeuronRates() throws {
        let rates: [Float] = [0, 5, 50, 200]
        let dt: Float = 1e-3, steps = 20_000
        let s = try Generate.poisson(rates: rates, steps: steps, dt: dt, seed: 7)
        XCTAssertEqual(s.shape, [steps, 4])
        let c = counts(s)
        XCTAssertEqual(c[0], 0)
        for j in 1..<rates.count {
            let p = Double(rates[j] * dt), T = Double(steps)
            XCTAssertEqual(c[j], T * p, accuracy: 4 * (T * p * (1 - p)).squareRoot(), "neuron \(j)")
        }
        // Probability 1 per step fires at every step.
        let full = try Generate.poisson(rates: [1000], steps: 50, dt: 1e-3)
        XCTAssertEqual(full.scalars, [Float](repeating: 1, count: 50))
    }

    func testPoissonIsDeterministicPerSeedAndPerNeuron() throws {
        let a = try Generate.poisson(rate: 30, neurons: 8, steps: 300, dt: 1e-3, seed: 3)
        let b = try Generate.poisson(rate: 30, neurons: 8, steps: 300, dt: 1e-3, seed: 3)
        let c = try Generate.poisson(rate: 30, neurons: 8, steps: 300, dt: 1e-3, seed: 4)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        // Neuron j's train depends on the seed, j and its rate only, not on how many neurons there are.
        let two = try Generate.poisson(rates: [40, 90], steps: 300, dt: 1e-3, seed: 11)
        let one = try Generate.poisson(rates: [40], steps: 300, dt: 1e-3, seed: 11)
        XCTAssertEqual((0..<300).map { two.scalars[$0 * 2] }, one.scalars)
        // The rng form equals the seed form for a fresh generator and advances it.
        var rng = SeededRandom(seed: 3)
        let first = try Generate.poisson(rate: 30, neurons: 8, steps: 300, dt: 1e-3, rng: &rng)
        let second = try Generate.poisson(rate: 30, neurons: 8, steps: 300, dt: 1e-3, rng: &rng)
        XCTAssertEqual(first, a)
        XCTAssertNotEqual(second, first)
        var rng2 = SeededRandom(seed: 11)
        XCTAssertEqual(try Generate.poisson(rates: [40, 90], steps: 300, dt: 1e-3, rng: &rng2), two)
    }

    func testPoissonBadInputThrows() {
        expectCodingError(try Generate.poisson(rate: -1, neurons: 2, steps: 10, dt: 1e-3), "poisson", "negative")
        expectCodingError(try Generate.poisson(rates: [5, .nan], steps: 10, dt: 1e-3), "index 1", "not finite")
        expectCodingError(try Generate.poisson(rates: [.infinity], steps: 10, dt: 1e-3), "not finite")
        expectCodingError(try Generate.poisson(rate: 2000, neurons: 1, steps: 10, dt: 1e-3), "above 1")
        expectCodingError(try Generate.poisson(rate: 10, neurons: 1, steps: 10, dt: 0), "dt")
        expectCodingError(try Generate.poisson(rate: 10, neurons: 1, steps: 10, dt: -1e-3), "dt")
        expectCodingError(try Generate.poisson(rate: 10, neurons: 1, steps: 10, dt: .nan), "dt")
        expectCodingError(try Generate.poisson(rate: 10, neurons: 1, steps: 0, dt: 1e-3), "steps")
        expectCodingError(try Generate.poisson(rate: 10, neurons: 0, steps: 10, dt: 1e-3), "neurons")
        expectCodingError(try Generate.poisson(rates: [], steps: 10, dt: 1e-3), "at least one rate")
    }

    // MARK: Currents

    func testConstantCurrent() throws {
        let c = try Generate.constantCurrent(0.7, neurons: 3, steps: 4)
        XCTAssertEqual(c.shape, [4, 3])
        XCTAssertEqual(c.scalars, [Float](repeating: 0.7, count: 12))
        let per = try Generate.constantCurrent([1, -2], steps: 3)
        XCTAssertEqual(per, Tensor([[1, -2], [1, -2], [1, -2]]))
        expectCodingError(try Generate.constantCurrent(.nan, neurons: 1, steps: 3), "constant", "not finite")
        expectCodingError(try Generate.constantCurrent(1, neurons: 1, steps: 0), "steps")
        expectCodingError(try Generate.constantCurrent(1, neurons: 0, steps: 3), "neurons")
        expectCodingError(try Generate.constantCurrent([], steps: 3), "at least one value")
    }

    func testSineValuesByHand() throws {
        // 1 Hz sampled every 0.25 s: a quarter period per step.
        let s = try Generate.sine(amplitude: 2, frequency: 1, offset: 1, neurons: 2, steps: 5, dt: 0.25)
        XCTAssertEqual(s.shape, [5, 2])
        let expected: [Float] = [1, 3, 1, -1, 1]
        for k in 0..<5 {
            XCTAssertEqual(s[k, 0], expected[k], accuracy: 1e-6)
            XCTAssertEqual(s[k, 1], expected[k], accuracy: 1e-6)
        }
        // A phase of pi/2 gives a cosine.
        let c = try Generate.sine(amplitude: 1, frequency: 1, phase: .pi / 2, steps: 5, dt: 0.25)
        for (k, e) in [Float(1), 0, -1, 0, 1].enumerated() { XCTAssertEqual(c[k, 0], e, accuracy: 1e-6) }
        // 10 Hz at 1 ms: sin(2 pi * 10 * 0.012) at step 12.
        let f = try Generate.sine(amplitude: 0.5, frequency: 10, steps: 20, dt: 1e-3)
        XCTAssertEqual(f[12, 0], Float(0.5 * sin(2 * Double.pi * 10 * 0.012)), accuracy: 1e-6)
        // Nyquist (2 Hz at dt 0.25 s) is allowed, above it is not.
        XCTAssertNoThrow(try Generate.sine(amplitude: 1, frequency: 2, steps: 4, dt: 0.25))
        expectCodingError(try Generate.sine(amplitude: 1, frequency: 3, steps: 4, dt: 0.25), "sine", "Nyquist")
        expectCodingError(try Generate.sine(amplitude: 1, frequency: -1, steps: 4, dt: 0.25), "frequency")
        expectCodingError(try Generate.sine(amplitude: .nan, frequency: 1, steps: 4, dt: 0.25), "amplitude", "not finite")
        expectCodingError(try Generate.sine(amplitude: 1, frequency: 1, phase: .infinity, steps: 4, dt: 0.25), "phase")
        expectCodingError(try Generate.sine(amplitude: 1, frequency: 1, steps: 4, dt: 0), "dt")
        expectCodingError(try Generate.sine(amplitude: 1, frequency: 1, steps: 0, dt: 0.25), "steps")
    }

    func testRampValuesByHand() throws {
        let r = try Generate.ramp(from: 0, to: 1, neurons: 2, steps: 5)
        XCTAssertEqual(r, Tensor([[0, 0], [0.25, 0.25], [0.5, 0.5], [0.75, 0.75], [1, 1]]))
        let down = try Generate.ramp(from: 3, to: -1, steps: 3)
        XCTAssertEqual(down.scalars, [3, 1, -1])
        XCTAssertEqual(try Generate.ramp(from: 2, to: 5, steps: 1).scalars, [2])
        expectCodingError(try Generate.ramp(from: .nan, to: 1, steps: 5), "ramp", "start")
        expectCodingError(try Generate.ramp(from: 0, to: -.infinity, steps: 5), "end")
        expectCodingError(try Generate.ramp(from: 0, to: 1, steps: 0), "steps")
        expectCodingError(try Generate.ramp(from: 0, to: 1, neurons: -1, steps: 3), "neurons")
    }

    // MARK: Explicit spikes

    func testSpikeGeneratorPlacesSpikesInTheirSteps() throws {
        // 3 ms is not exactly representable; Brian2's shift keeps it in step 3, not 2.
        let s = try Generate.spikes(indices: [0, 1, 2, 0, 1], times: [0, 0.001, 0.0025, 0.003, 0.0099],
                                    neurons: 3, steps: 10, dt: 1e-3)
        XCTAssertEqual(s.shape, [10, 3])
        var expected = Tensor.zeros([10, 3])
        expected[0, 0] = 1; expected[1, 1] = 1; expected[2, 2] = 1; expected[3, 0] = 1; expected[9, 1] = 1
        XCTAssertEqual(s, expected)
        // Order of the pairs does not matter; the step form gives the same tensor.
        let shuffled = try Generate.spikes(indices: [1, 0, 2, 1, 0], times: [0.0099, 0.003, 0.0025, 0.001, 0],
                                           neurons: 3, steps: 10, dt: 1e-3)
        XCTAssertEqual(shuffled, expected)
        let bySteps = try Generate.spikes(indices: [0, 1, 2, 0, 1], timeSteps: [0, 1, 2, 3, 9], neurons: 3, steps: 10)
        XCTAssertEqual(bySteps, expected)
        // No spikes at all is a valid (silent) input.
        XCTAssertEqual(try Generate.spikes(indices: [], times: [], neurons: 2, steps: 3, dt: 1e-3), .zeros([3, 2]))
    }

    func testSpikeGeneratorErrors() {
        expectCodingError(try Generate.spikes(indices: [0, 3], times: [0, 0.001], neurons: 3, steps: 10, dt: 1e-3),
                          "spike generator", "index 3", "position 1")
        expectCodingError(try Generate.spikes(indices: [-1], times: [0], neurons: 3, steps: 10, dt: 1e-3), "index -1")
        expectCodingError(try Generate.spikes(indices: [0], times: [-0.001], neurons: 3, steps: 10, dt: 1e-3), "negative")
        expectCodingError(try Generate.spikes(indices: [0], times: [.nan], neurons: 3, steps: 10, dt: 1e-3), "not finite")
        expectCodingError(try Generate.spikes(indices: [0], times: [0.010], neurons: 3, steps: 10, dt: 1e-3),
                          "step 10", "beyond the window")
        expectCodingError(try Generate.spikes(indices: [2, 2], times: [0.0001, 0.0004], neurons: 3, steps: 10, dt: 1e-3),
                          "neuron 2", "twice in step 0", "not merged")
        expectCodingError(try Generate.spikes(indices: [0, 1], times: [0], neurons: 3, steps: 10, dt: 1e-3), "pair up")
        expectCodingError(try Generate.spikes(indices: [0], times: [0], neurons: 3, steps: 10, dt: 0), "dt")
        expectCodingError(try Generate.spikes(indices: [0], times: [0], neurons: 0, steps: 10, dt: 1e-3), "neurons")
        expectCodingError(try Generate.spikes(indices: [0], timeSteps: [10], neurons: 1, steps: 10), "step 10", "outside")
        expectCodingError(try Generate.spikes(indices: [0], timeSteps: [-1], neurons: 1, steps: 10), "step -1")
        expectCodingError(try Generate.spikes(indices: [0, 0], timeSteps: [4, 4], neurons: 1, steps: 10), "twice in step 4")
        expectCodingError(try Generate.spikes(indices: [5], timeSteps: [4], neurons: 1, steps: 10), "index 5")
        expectCodingError(try Generate.spikes(indices: [0], timeSteps: [0], neurons: 1, steps: 0), "steps")
    }
}
