import XCTest
import SpikeCore
import SpikeCoding

/// Every encoder rejects bad input with a `CodingError` naming the encoder and the problem: never a silent
/// all-zero output.
final class EncoderBadInputTests: XCTestCase {
    typealias Kit = EncoderTestKit
    let ok = Tensor([0.2, 0.7])

    func testErrorsAreCodingErrorsNotEmptyOutput() {
        var rng = SeededRandom(seed: 0)
        XCTAssertThrowsError(try Encode.poisson(Tensor([2]), steps: 3, rng: &rng)) { XCTAssertTrue($0 is CodingError) }
        XCTAssertEqual(try Encode.poisson(ok, steps: 3, rng: &rng).shape, [3, 2])
    }

    func testIntensitiesOutsideTheDomainAndNaN() {
        var rng = SeededRandom(seed: 0)
        Kit.assertCodingError(["poisson", "intensity 1.5 at index 1", "outside [0.0, 1.0]"]) {
            try Encode.poisson(Tensor([0.2, 1.5]), steps: 3, rng: &rng)
        }
        Kit.assertCodingError(["poisson", "-0.1"]) { try Encode.poisson(Tensor([-0.1]), steps: 3, rng: &rng) }
        Kit.assertCodingError(["poisson", "nan", "not finite"]) { try Encode.poisson(Tensor([.nan]), steps: 3, rng: &rng) }
        Kit.assertCodingError(["bernoulli", "outside"]) { try Encode.bernoulli(Tensor([2]), rng: &rng) }
        Kit.assertCodingError(["uniform", "outside"]) { try Encode.uniform(Tensor([1.01]), steps: 3) }
        Kit.assertCodingError(["weighted phase", "outside [0, 1 - 2^-4]"]) { try Encode.weightedPhase(Tensor([0.96875]), steps: 4) }
        Kit.assertCodingError(["weighted phase", "outside"]) { try Encode.weightedPhase(Tensor([1]), steps: 30) }
        Kit.assertCodingError(["constant current", "not finite"]) { try Encode.constantCurrent(Tensor([.infinity]), steps: 2) }
        Kit.assertCodingError(["latency", "not finite"]) { try Encode.latency(Tensor([.nan]), steps: 3) }
        Kit.assertCodingError(["latency", "intensity 1.2", "outside [0.0, 1.0]"]) { try Encode.latency(Tensor([1.2]), steps: 3, linear: true) }
        Kit.assertCodingError(["latency", "intensity -1.0", "outside"]) { try Encode.latency(Tensor([-1, 0.5]), steps: 3) }
        Kit.assertCodingError(["relative latency", "not finite"]) { try Encode.relativeLatency(Tensor([[.nan, 1]]), steps: 3) }
        Kit.assertCodingError(["relative latency", "too negative"]) { try Encode.relativeLatency(Tensor([[-200, 1]]), steps: 3) }
        Kit.assertCodingError(["relative latency", "[B, ...]"]) { try Encode.relativeLatency(Tensor([1, 2]), steps: 3) }
        Kit.assertCodingError(["time to first spike", "intensity 255.0", "outside"]) { try Encode.timeToFirstSpike(Tensor([255]), steps: 3) }
        Kit.assertCodingError(["population", "value 1.5", "outside [0.0, 1.0]"]) { try Encode.population(Tensor([1.5]), steps: 3, neurons: 4) }
        Kit.assertCodingError(["population", "not finite"]) { try Encode.population(Tensor([.nan]), steps: 3, neurons: 4) }
        Kit.assertCodingError(["delta", "not finite"]) { try Encode.delta(Tensor([0, .nan])) }
        Kit.assertCodingError(["single spike to binary", "spike time -2.0"]) { try Encode.singleSpikeToBinary(Tensor([-2]), steps: 3) }
        Kit.assertCodingError(["single spike to binary", "nan"]) { try Encode.singleSpikeToBinary(Tensor([.nan]), steps: 3) }
        Kit.assertCodingError(["constant current LIF", "not finite"]) { try Encode.constantCurrentLIF(Tensor([.nan]), steps: 3) }
    }

    func testZeroSteps() {
        var rng = SeededRandom(seed: 0)
        let fragments = ["steps must be at least 1, got 0"]
        Kit.assertCodingError(["poisson"] + fragments) { try Encode.poisson(ok, steps: 0, rng: &rng) }
        Kit.assertCodingError(["bernoulli"] + fragments) { try Encode.bernoulli(ok, steps: 0, rng: &rng) }
        Kit.assertCodingError(["constant current"] + fragments) { try Encode.constantCurrent(ok, steps: 0) }
        Kit.assertCodingError(["uniform"] + fragments) { try Encode.uniform(ok, steps: 0) }
        Kit.assertCodingError(["weighted phase"] + fragments) { try Encode.weightedPhase(ok, steps: 0) }
        Kit.assertCodingError(["latency"] + fragments) { try Encode.latency(ok, steps: 0) }
        Kit.assertCodingError(["relative latency"] + fragments) { try Encode.relativeLatency(Tensor([[0.1, 0.2]]), steps: 0) }
        Kit.assertCodingError(["time to first spike"] + fragments) { try Encode.timeToFirstSpike(ok, steps: 0) }
        Kit.assertCodingError(["population"] + fragments) { try Encode.population(ok, steps: 0, neurons: 4) }
        Kit.assertCodingError(["delta"] + fragments) { try Encode.delta(Tensor(shape: [0, 2], scalars: [])) }
        Kit.assertCodingError(["single spike to binary"] + fragments) { try Encode.singleSpikeToBinary(ok, steps: 0) }
        Kit.assertCodingError(["multiple spikes to binary"] + fragments) { try Encode.multipleSpikesToBinary([], neurons: 2, steps: 0) }
        Kit.assertCodingError(["constant current LIF"] + fragments) { try Encode.constantCurrentLIF(ok, steps: 0) }
        Kit.assertCodingError(["weighted phase", "phases must be at least 1, got 0"]) { try Encode.weightedPhase(ok, steps: 4, phases: 0) }
    }

    func testNonPositiveThresholdsTausAndRates() {
        var rng = SeededRandom(seed: 0)
        Kit.assertCodingError(["poisson", "maxRate must be > 0, got 0.0"]) { try Encode.poisson(ok, steps: 3, maxRate: 0, rng: &rng) }
        Kit.assertCodingError(["poisson", "maxRate must be > 0, got -5.0"]) { try Encode.poisson(ok, steps: 3, maxRate: -5, rng: &rng) }
        Kit.assertCodingError(["poisson", "dt must be > 0"]) { try Encode.poisson(ok, steps: 3, maxRate: 10, dt: 0, rng: &rng) }
        Kit.assertCodingError(["poisson", "maxRate * dt", "above 1"]) { try Encode.poisson(ok, steps: 3, maxRate: 2000, dt: 1e-3, rng: &rng) }
        Kit.assertCodingError(["latency", "threshold must be in (0, 1), got 0.0"]) { try Encode.latency(ok, steps: 3, threshold: 0) }
        Kit.assertCodingError(["latency", "threshold must be in (0, 1), got -0.5"]) { try Encode.latency(ok, steps: 3, threshold: -0.5) }
        Kit.assertCodingError(["latency", "threshold must be in (0, 1)"]) { try Encode.latency(ok, steps: 3, threshold: 1) }
        Kit.assertCodingError(["latency", "tau must be > 0, got 0.0"]) { try Encode.latency(ok, steps: 3, tau: 0) }
        Kit.assertCodingError(["latency", "tau must be > 0, got -1.0"]) { try Encode.latency(ok, steps: 3, tau: -1) }
        Kit.assertCodingError(["latency", "epsilon must be > 0"]) { try Encode.latency(ok, steps: 3, epsilon: 0) }
        Kit.assertCodingError(["latency", "firstSpikeTime 3"]) { try Encode.latency(ok, steps: 3, firstSpikeTime: 3) }
        Kit.assertCodingError(["relative latency", "amp must be > 0"]) { try Encode.relativeLatency(Tensor([[0.1, 0.2]]), steps: 3, amp: 0) }
        Kit.assertCodingError(["relative latency", "scale must be in (0, 1)"]) { try Encode.relativeLatency(Tensor([[0.1, 0.2]]), steps: 3, scale: 1) }
        Kit.assertCodingError(["relative latency", "cutFraction"]) { try Encode.relativeLatency(Tensor([[0.1, 0.2]]), steps: 3, cutFraction: 0) }
        Kit.assertCodingError(["time to first spike", "tau must be > 0"]) { try Encode.timeToFirstSpike(ok, steps: 3, tau: -1) }
        Kit.assertCodingError(["time to first spike", "threshold must be in (0, 1)"]) { try Encode.timeToFirstSpike(ok, steps: 3, threshold: 0) }
        Kit.assertCodingError(["time to first spike", "dt must be > 0"]) { try Encode.timeToFirstSpike(ok, steps: 3, dt: 0) }
        Kit.assertCodingError(["time to first spike", "tMax must be > 0"]) { try Encode.pixelSpikeTimes(ok, tau: 1, tMax: 0) }
        Kit.assertCodingError(["delta", "threshold must be > 0, got 0.0"]) { try Encode.delta(ok, threshold: 0) }
        Kit.assertCodingError(["delta", "threshold must be > 0, got -0.1"]) { try Encode.delta(ok, threshold: -0.1) }
        Kit.assertCodingError(["population", "sigma must be > 0"]) { try Encode.population(ok, steps: 3, neurons: 4, sigma: 0) }
        Kit.assertCodingError(["population", "at least 3 neurons"]) { try Encode.population(ok, steps: 3, neurons: 2) }
        Kit.assertCodingError(["population", "min < max"]) { try Encode.population(ok, steps: 3, neurons: 4, min: 1, max: 1) }
        Kit.assertCodingError(["population", "minResponse"]) { try Encode.population(ok, steps: 3, neurons: 4, output: .spikes(minResponse: 2)) }
        Kit.assertCodingError(["single spike to binary", "dt must be > 0"]) { try Encode.singleSpikeToBinary(ok, steps: 3, dt: -1) }
        Kit.assertCodingError(["constant current LIF", "tauMemInv must be > 0"]) {
            try Encode.constantCurrentLIF(ok, steps: 3, parameters: .init(tauMemInv: 0))
        }
        Kit.assertCodingError(["constant current LIF", "dt must be > 0"]) { try Encode.constantCurrentLIF(ok, steps: 3, dt: 0) }
        Kit.assertCodingError(["constant current LIF", "stable Euler step"]) { try Encode.constantCurrentLIF(ok, steps: 3, dt: 0.1) }
        Kit.assertCodingError(["constant current LIF", "threshold 0.0 must be above reset 0.0"]) {
            try Encode.constantCurrentLIF(ok, steps: 3, parameters: .init(threshold: 0))
        }
    }

    /// The modules' throwing `encode` reports the same errors.
    func testModulesThrowFromEncode() {
        Kit.assertCodingError(["poisson", "outside"]) { try PoissonEncoder(steps: 3).encode(Tensor([3])) }
        Kit.assertCodingError(["latency", "outside"]) { try LatencyEncoder(steps: 3, linear: true).encode(Tensor([3])) }
        Kit.assertCodingError(["latency", "beyond the window"]) { try LatencyEncoder(steps: 3).encode(Tensor([0])) }
        Kit.assertCodingError(["population", "outside"]) { try PopulationEncoder(steps: 3, neurons: 4).encode(Tensor([-1])) }
        Kit.assertCodingError(["weighted phase", "outside"]) { try WeightedPhaseEncoder(steps: 3).encode(Tensor([0.9])) }
        Kit.assertCodingError(["delta", "over time"]) { try DeltaEncoder().encode(Tensor(1)) }
    }
}

/// Encoder outputs are estimated before they are allocated and refused above the memory budget.
final class EncoderBudgetTests: XCTestCase {
    override func setUp() { MemoryBudget.setOverride(1 << 30) }
    override func tearDown() { MemoryBudget.setOverride(nil) }

    func testHugeStepCountsAreRefusedBeforeAllocating() {
        var rng = SeededRandom(seed: 0)
        let x = Tensor([0.2, 0.7, 0.5])
        XCTAssertThrowsError(try Encode.poisson(x, steps: 2_000_000_000, rng: &rng)) {
            XCTAssertEqual("\($0)", "poisson: output of 2000000000 steps x 3 values needs an estimated 22.4 GiB (24000000000 bytes), above the memory budget of 1.0 GiB (1073741824 bytes) (set SPIKEKIT_MEMORY_BUDGET to change it)")
        }
        XCTAssertThrowsError(try Encode.constantCurrent(x, steps: 4_611_686_018_427_387_904)) {
            XCTAssertEqual("\($0)", "constant current: steps must be at most 2147483647, got 4611686018427387904")
        }
        XCTAssertThrowsError(try Encode.population(x, steps: 10, neurons: 1_000_000_000)) {
            XCTAssertTrue("\($0)".hasPrefix("population: output of 10 steps x 3 values x 1000000000 neurons needs"), "\($0)")
        }
        XCTAssertThrowsError(try Encode.latency(x, steps: 2_000_000_000)) { XCTAssertTrue($0 is MemoryBudgetError, "\($0)") }
        XCTAssertEqual(try Encode.poisson(x, steps: 4, rng: &rng).shape, [4, 3])
    }
}
