import XCTest
import Foundation
import SpikeCore
import SpikeNeurons
@testable import SpikeSim

/// The example networks at reduced size (the debug build is slow): the behaviour each is documented with.
final class ExampleNetworkTests: XCTestCase {
    func spikeCount(_ net: Network) -> Int { net.monitors.compactMap { $0 as? SpikeMonitor }.reduce(0) { $0 + $1.count } }

    func testCUBAFiresAsynchronouslyAndIrregularlyAtAFewHertz() throws {
        // 1000 neurons with p = 0.08 keep the benchmark's in-degree (80); Brian2 and SpikeKit both give ~5.5 Hz
        // and CV ~0.72 at the full size (see docs/SIMULATION.md).
        let net = try NetworkExamples.cuba(neurons: 1000, p: 0.08, seed: 3)
        try net.run(duration: 200)
        let mons = net.monitors.compactMap { $0 as? SpikeMonitor }
        let late = mons.reduce(0) { $0 + $1.steps.filter { $0 >= 500 }.count }
        let rate = SpikeStatistics.meanRate(spikes: late, neurons: 1000, duration: 150)
        XCTAssertGreaterThan(rate, 2); XCTAssertLessThan(rate, 15)
        XCTAssertEqual(net.synapses.reduce(0) { $0 + $1.count }, 80_000, accuracy: 1200)
        XCTAssertEqual(net.groups.map(\.size), [800, 200])
    }

    func testParallelLaneUpdateEqualsTheScalarPath() throws {
        // 1100 neurons: enough blocks for the step pool's chunks; the per-neuron table forces the scalar path.
        func run(scalar: Bool) throws -> ([Int32], [Float]) {
            let net = try Network(dt: 0.1, seed: 9)
            let model = Brian2CUBA(rest: -40)
            let g = try net.add(NeuronGroup(name: "P", size: 1100, model: model, table: scalar ? NeuronParameterTable(model, neurons: 1100) : nil))
            var rng = net.nextStream()
            try g.setState("v", (0..<1100).map { _ in -60 + 10 * rng.nextUniform() })
            try net.connect("ee", from: g, to: g, variable: "ge", rule: .random(p: 0.05), weight: .constant(1.62))
            try net.connect("ei", from: g, to: g, variable: "gi", rule: .random(p: 0.02), weight: .constant(-9))
            let m = try net.add(SpikeMonitor(name: "s", source: g))
            try net.run(steps: 150)
            return (m.indices, try g.state("v"))
        }
        let (a, b) = (try run(scalar: false), try run(scalar: true))
        XCTAssertGreaterThan(a.0.count, 200)
        XCTAssertEqual(a.0, b.0)
        XCTAssertEqual(a.1.map(\.bitPattern), b.1.map(\.bitPattern))
    }

    func testCOBAIsSelfSustained() throws {
        let net = try NetworkExamples.coba(neurons: 1000, p: 0.08, seed: 2)
        try net.run(duration: 100)
        let rate = SpikeStatistics.meanRate(spikes: spikeCount(net), neurons: 1000, duration: 100)
        XCTAssertGreaterThan(rate, 5); XCTAssertLessThan(rate, 60)
    }

    func testBrunelWiringAndInhibitionLowersTheRate() throws {
        // Fixed in-degree: every neuron receives C_E = 40 excitatory and C_I = 10 inhibitory synapses, delay 1.5 ms.
        func rate(g: Float, nu: Float) throws -> (Double, Network) {
            let net = try NetworkExamples.brunel(excitatory: 400, g: g, nuExtOverNuThr: nu, seed: 4)
            try net.run(duration: 100)
            return (SpikeStatistics.meanRate(spikes: spikeCount(net), neurons: 500, duration: 100), net)
        }
        let (excitatory, net) = try rate(g: 3, nu: 2)
        let ee = net.synapses[0]
        XCTAssertEqual(ee.count, 400 * 40)
        XCTAssertEqual(ee.uniformDelay, 15)
        XCTAssertEqual(net.synapses[2].count, 400 * 10)
        let (quiet, _) = try rate(g: 4.5, nu: 0.9)
        XCTAssertGreaterThan(excitatory, 50, "g = 3: excitation dominates, neurons fire near their maximum")
        XCTAssertLessThan(quiet, excitatory / 10, "g = 4.5, nu_ext = 0.9 nu_thr: the slow, sparse state")
        XCTAssertThrowsError(try NetworkExamples.brunel(excitatory: 400, g: -1)) { XCTAssertEqual("\($0)", "brunel: g must be >= 0, got -1.0") }
    }
}
