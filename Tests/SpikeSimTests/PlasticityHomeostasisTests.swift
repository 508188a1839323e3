import Foundation
import XCTest
import SpikeCore
import SpikeNeurons
@testable import SpikeSim

final class PlasticityHomeostasisTests: XCTestCase {
    /// `neurons` Diehl & Cook neurons (dt 1 ms) driven by 100 Poisson inputs at 20 Hz, 0.2 mV each, with spike monitor.
    func network(thetaPlus: Float, tauTheta: Float = 500, neurons: Int = 3, seed: UInt64 = 5) throws -> (Network, NeuronGroup, SpikeMonitor) {
        let net = try Network(dt: 1, seed: seed)
        let input = try net.addPoisson("input", size: 100, rates: [20])
        let model = try Homeostasis.diehlCookNeuron(dt: 1, tauTheta: tauTheta, thetaPlus: thetaPlus)
        let exc = try net.add(NeuronGroup(name: "exc", size: neurons, model: model))
        try net.connect("input_exc", from: input, to: exc, rule: .allToAll(), weight: .uniform(low: 0.1, high: 0.3))
        let spikes = try net.add(SpikeMonitor(name: "spikes_exc", source: exc))
        return (net, exc, spikes)
    }

    func testThetaIsTheDecayedSumOfItsSpikeIncrements() throws {
        let (net, exc, spikes) = try network(thetaPlus: 0.5)
        try net.run(steps: 2000)
        let d = exp(-1.0 / 500)
        let theta = try exc.state("theta")
        for i in 0..<3 {
            let mine = zip(spikes.indices, spikes.steps).filter { $0.0 == Int32(i) }.map { Int($0.1) }
            XCTAssertGreaterThan(mine.count, 10)
            let want = mine.reduce(0.0) { $0 + 0.5 * pow(d, Double(1999 - $1)) }
            XCTAssertEqual(Double(theta[i]), want, accuracy: 1e-4 * want, "neuron \(i)")
        }
    }

    func testAdaptiveThresholdLowersTheRateOverTime() throws {
        // Rates (Hz per neuron) in the first 200 ms and the last 500 ms of 3 s.
        func rates(_ thetaPlus: Float) throws -> (first: Double, last: Double) {
            let (net, _, spikes) = try network(thetaPlus: thetaPlus)
            try net.run(steps: 3000)
            return (Double(spikes.steps.filter { $0 < 200 }.count) / 0.6, Double(spikes.steps.filter { $0 >= 2500 }.count) / 1.5)
        }
        let adapting = try rates(3), fixed = try rates(0)
        XCTAssertLessThan(adapting.last, 0.6 * adapting.first, "homeostasis: \(adapting)")
        XCTAssertEqual(fixed.last, fixed.first, accuracy: 0.3 * fixed.first, "no homeostasis: \(fixed)")
        XCTAssertLessThan(adapting.last, 0.6 * fixed.last)
    }

    func testTheZooModelByNameIsTheSameNeuron() throws {
        // SPAIC's defaults at dt = 1 ms are Diehl & Cook's time constants.
        let byName = try NeuronRegistry.model("diehl_cook", parameters: [:])
        let built = try Homeostasis.diehlCookNeuron(dt: 1)
        XCTAssertEqual(byName.base as? SPAICDiehlCook, built)
        let fine = try Homeostasis.diehlCookNeuron(dt: 0.5, tauTheta: 20, thetaPlus: 0.1, refractory: 5)
        XCTAssertEqual(Double(fine.decayTh), exp(-0.5 / 20), accuracy: 1e-7)
        XCTAssertEqual(fine.resetRefrac, 10)
    }

    func testBadParametersAreOneLineErrors() {
        XCTAssertThrowsError(try Homeostasis.diehlCookNeuron(dt: 1, tauTheta: -1)) {
            XCTAssertEqual("\($0)", "homeostasis: tau_theta must be > 0 ms, got -1.0")
        }
        XCTAssertThrowsError(try Homeostasis.diehlCookNeuron(dt: 1, thetaPlus: -0.05)) {
            XCTAssertEqual("\($0)", "homeostasis: theta_plus must be >= 0 mV, got -0.05")
        }
        XCTAssertThrowsError(try Homeostasis.diehlCookNeuron(dt: 0)) { XCTAssertEqual("\($0)", "homeostasis: dt must be > 0 ms, got 0.0") }
    }
}
