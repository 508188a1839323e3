import XCTest
import Foundation
import SpikeCore
import SpikeNeurons
@testable import SpikeSim

final class SimulatorTests: XCTestCase {
    /// A target neuron (delta synapses onto v, no leak over the test) that records when a spike of a generator arrives.
    func arrivalStep(delay: Float, at spikeStep: Int, perSynapse: Bool) throws -> (first: Int?, monitor: StateMonitor) {
        let net = try Network(dt: 0.1)
        let src = try net.add(SpikeGeneratorGroup(name: "gen", size: 1, indices: [0], times: [Float(spikeStep) * 0.1]))
        let post = try net.add(NeuronGroup(name: "post", size: 1, model: Brian2DeltaLIF(tau: 1e9, threshold: 1e6, rest: 0)))
        let m = SynapseMatrix(preCount: 1, postCount: 1, rows: [[0]])
        try net.add(Synapses(name: "s", source: src, target: post, targetVariable: "v", matrix: m, weights: [1],
                             delays: perSynapse ? [delay] : nil, delay: perSynapse ? 0 : delay, dt: 0.1))
        let mon = try net.add(StateMonitor(name: "v", group: post, variables: ["v"]))
        try net.run(steps: 60)
        return (mon.values["v"]!.firstIndex { $0 > 0.5 }, mon)
    }

    func testDelaysDeliverAtExactlyTheRightStep() throws {
        // A spike at step 7 with a delay of d steps is applied after the update of step 7 + d (Brian2's timing), so
        // the recorded state (after each step's propagation) shows it at step 7 + d.
        for (d, steps) in [(0, 0), (0.1, 1), (1.5, 15), (2.0, 20), (3.3, 33)] as [(Float, Int)] {
            for perSynapse in [false, true] {
                let (first, _) = try arrivalStep(delay: d, at: 7, perSynapse: perSynapse)
                XCTAssertEqual(first, 7 + steps, "delay \(d) ms, per synapse \(perSynapse)")
            }
        }
    }

    func testBadDelaysAreOneLineErrors() throws {
        let net = try Network(dt: 0.1)
        let g = try net.addGroup("g", size: 3, model: "lif_delta")
        XCTAssertThrowsError(try net.connect("a", from: g, to: g, variable: "v", rule: .allToAll(), weight: .constant(1), delay: .constant(0.05))) {
            XCTAssertEqual("\($0)", "synapses 'a': delay 0.05 ms is below one step (dt = 0.1 ms); use 0 for none or at least dt")
        }
        XCTAssertThrowsError(try net.connect("b", from: g, to: g, variable: "v", rule: .allToAll(), weight: .constant(1),
                                             delay: .uniform(low: 1, high: 3), maxDelay: 2)) {
            XCTAssertTrue("\($0)".contains("exceeds max_delay 2.0 ms"), "\($0)")
        }
        XCTAssertThrowsError(try net.connect("c", from: g, to: g, variable: "x", rule: .allToAll(), weight: .constant(1))) {
            XCTAssertEqual("\($0)", "group 'g': model lif_delta has no state variable 'x' (has v, ref)")
        }
        XCTAssertThrowsError(try net.run(duration: -1)) { XCTAssertEqual("\($0)", "run: duration must be >= 0 ms, got -1.0") }
        XCTAssertThrowsError(try net.addGroup("g", size: 2, model: "lif_delta")) {
            XCTAssertEqual("\($0)", "group 'g': the name is already used in this network")
        }
        XCTAssertThrowsError(try Network(dt: 0))
        XCTAssertThrowsError(try SpikeGeneratorGroup(name: "s", size: 2, indices: [2], times: [1]))
        let dup = try SpikeGeneratorGroup(name: "dup", size: 2, indices: [1, 1], times: [1.0, 1.04])
        XCTAssertThrowsError(try net.add(dup)) { XCTAssertTrue("\($0)".contains("neuron 1 has two spikes in the step of"), "\($0)") }
    }

    /// A plain dense simulation of the same network: weight and delay matrices, every step every pre neuron's
    /// column scanned, the scalar `step` of the model. The event-driven simulator must give the same bits.
    func testEventDrivenPropagationEqualsADenseReference() throws {
        let net = try SimFixtures.randomNetwork(n: 40, seed: 11)
        let g = net.groups[0]
        let model = g.model.base as! Brian2CUBA
        let n = g.size
        var states = (0..<n).map { i in FloatVector<4>([g.dynamics.value(0, i), 0, 0, 0]) }
        // Dense copies of every projection: w[pre][post] lists (multapses kept in synapse order) and delays in steps.
        struct Dense { var k: Int; var src: any SpikeSource; var entries: [[(post: Int, w: Float, d: Int)]] }
        let dense: [Dense] = net.synapses.map { s in
            var e = [[(post: Int, w: Float, d: Int)]](repeating: [], count: s.source.size)
            for i in 0..<s.source.size {
                for syn in s.matrix.rowStart[i]..<s.matrix.rowStart[i + 1] {
                    e[i].append((Int(s.matrix.post[syn]), s.weight[syn], Int(s.delaySteps?[syn] ?? Int32(s.uniformDelay))))
                }
            }
            return Dense(k: s.targetIndex!, src: s.source, entries: e)
        }
        var history: [[[Int32]]] = dense.map { _ in [] }   // spikes of each projection's source by step
        var refSpikes: [[Int]] = []
        var simSpikes: [[Int]] = []
        for t in 0..<400 {
            net.advance()
            simSpikes.append(g.spikes.map(Int.init))
            // Reference: update, then deliver everything arriving now in order of emission step, pre, synapse.
            var fired: [Int] = []
            for i in 0..<n {
                let (z, next) = model.step(0, states[i]); states[i] = next
                if z > 0 { fired.append(i) }
            }
            refSpikes.append(fired)
            for (p, d) in dense.enumerated() {
                history[p].append(d.src === g ? fired.map { Int32($0) } : d.src.spikes)
                for e in 0...t {
                    for i in history[p][e] {
                        for (post, w, delay) in d.entries[Int(i)] where e + delay == t { states[post][d.k] += w }
                    }
                }
            }
            for i in 0..<n { for k in 0..<4 { XCTAssertEqual(states[i][k].bitPattern, g.dynamics.value(k, i).bitPattern, "step \(t) neuron \(i) var \(k)") } }
            if states.indices.contains(where: { states[$0][0] != g.dynamics.value(0, $0) }) { break }
        }
        XCTAssertEqual(simSpikes, refSpikes)
        XCTAssertGreaterThan(refSpikes.joined().count, 50, "the network must fire")
    }

    func testLaneAndScalarGroupsGiveTheSameBits() throws {
        let a = try SimFixtures.randomNetwork(n: 37, seed: 3)
        let b = try SimFixtures.randomNetwork(n: 37, seed: 3, scalar: true)
        XCTAssertTrue(a.groups[0].dynamics is LaneDynamics<Brian2CUBA>)
        XCTAssertTrue(b.groups[0].dynamics is ModelDynamics<Brian2CUBA>)
        try a.run(steps: 500); try b.run(steps: 500)
        let (sa, sb) = (a.monitors[0] as! SpikeMonitor, b.monitors[0] as! SpikeMonitor)
        XCTAssertGreaterThan(sa.count, 50)
        XCTAssertEqual(sa.indices, sb.indices); XCTAssertEqual(sa.steps, sb.steps)
        XCTAssertEqual((a.monitors[1] as! StateMonitor).values["v"]!.map(\.bitPattern), (b.monitors[1] as! StateMonitor).values["v"]!.map(\.bitPattern))
    }

    func testSameSeedSameBitsAndOtherSeedOtherSpikes() throws {
        func spikes(_ seed: UInt64) throws -> [Int32] {
            let net = try SimFixtures.randomNetwork(seed: seed)
            try net.run(steps: 300)
            return (net.monitors[0] as! SpikeMonitor).indices
        }
        XCTAssertEqual(try spikes(5), try spikes(5))
        XCTAssertNotEqual(try spikes(5), try spikes(6))
    }

    func testResumedRunEqualsUninterruptedRun() throws {
        let straight = try SimFixtures.randomNetwork(seed: 21)
        try straight.run(steps: 400)
        let first = try SimFixtures.randomNetwork(seed: 21)
        try first.run(steps: 173)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("spikesim-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try first.save(to: url)
        let resumed = try SimFixtures.randomNetwork(seed: 21)
        try resumed.restore(from: url)
        XCTAssertEqual(resumed.step, 173)
        try resumed.run(steps: 227)
        let (a, b) = (straight.monitors[0] as! SpikeMonitor, resumed.monitors[0] as! SpikeMonitor)
        XCTAssertGreaterThan(a.count, 50)
        XCTAssertEqual(a.indices, b.indices); XCTAssertEqual(a.steps, b.steps)
        for s in ["v", "ge"] {
            XCTAssertEqual((straight.monitors[1] as! StateMonitor).values[s]!.map(\.bitPattern), (resumed.monitors[1] as! StateMonitor).values[s]!.map(\.bitPattern))
        }
        XCTAssertEqual((straight.monitors[2] as! PopulationRateMonitor).counts, (resumed.monitors[2] as! PopulationRateMonitor).counts)
        for (x, y) in zip(straight.groups[0].dynamics.state(0), resumed.groups[0].dynamics.state(0)) { XCTAssertEqual(x.bitPattern, y.bitPattern) }
        // A checkpoint of another network is refused without changing anything.
        let other = try SimFixtures.randomNetwork(n: 30, seed: 21)
        XCTAssertThrowsError(try other.restore(from: url)) { XCTAssertTrue("\($0)".hasPrefix("checkpoint: "), "\($0)") }
        XCTAssertEqual(other.step, 0)
    }

    func testPoissonGroupFiresAtItsRate() throws {
        let net = try Network(dt: 0.1, seed: 1)
        let p = try net.addPoisson("p", size: 500, rates: [40])
        let m = try net.add(SpikeMonitor(name: "m", source: p))
        try net.run(duration: 250)
        // 500 x 40 x 0.25 = 5000 expected spikes, sd ~71.
        XCTAssertEqual(Double(m.count), 5000, accuracy: 300)
        XCTAssertThrowsError(try PoissonGroup(name: "bad", size: 2, rates: [-1], rng: SeededRandom(seed: 0)))
    }

    func testPoissonInputBinomialHasTheRightMeanAndVariance() {
        var rng = SeededRandom(seed: 4)
        for (n, p) in [(1000, 0.002), (1000, 0.05), (30, 0.5)] as [(Int, Double)] {
            let xs = (0..<20000).map { _ in Double(PoissonInput.binomial(n, p, &rng)) }
            let mean = xs.reduce(0, +) / Double(xs.count)
            let v = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count)
            XCTAssertEqual(mean, Double(n) * p, accuracy: 0.05 * Double(n) * p + 0.02, "n \(n) p \(p)")
            XCTAssertEqual(v, Double(n) * p * (1 - p), accuracy: 0.1 * Double(n) * p * (1 - p), "n \(n) p \(p)")
        }
    }

    func testSpikeArrayInputAndCurrentInputDriveTheirTargets() throws {
        let net = try Network(dt: 0.1)
        var raster = [Float](repeating: 0, count: 5 * 3)
        raster[1 * 3 + 2] = 1; raster[4 * 3 + 0] = 1
        let arr = try net.add(SpikeArrayInput(name: "arr", raster: Tensor(shape: [5, 3], scalars: raster)))
        let mon = try net.add(SpikeMonitor(name: "m", source: arr))
        let g = try net.addGroup("g", size: 2, model: "lif_delta", parameters: ["tau": 1e9, "v_threshold": 1e6])
        try net.add(CurrentInput(name: "i", target: g, values: Tensor(shape: [2, 1], scalars: [1, 2])))
        try net.run(steps: 7)
        XCTAssertEqual(mon.indices, [2, 0]); XCTAssertEqual(mon.steps, [1, 4], "silent after the array's 5 steps")
        // Input x is added to v at each step: 1, then the last row (2) holds for the remaining 6 steps.
        XCTAssertEqual(try g.state("v"), [13, 13])
        XCTAssertThrowsError(try CurrentInput(name: "bad", target: g, values: Tensor(shape: [2, 3], scalars: [Float](repeating: 0, count: 6))))
    }

    func testMonitorsExportCSVAndArrays() throws {
        let net = try SimFixtures.randomNetwork(seed: 2)
        try net.run(steps: 30)
        let s = net.monitors[0] as! SpikeMonitor, st = net.monitors[1] as! StateMonitor, r = net.monitors[2] as! PopulationRateMonitor
        XCTAssertEqual(s.tensor(dt: 0.1).shape, [s.count, 2])
        XCTAssertEqual(s.csv(dt: 0.1).split(separator: "\n").first, "index,time_ms")
        XCTAssertEqual(st.samples, 10, "every 3 steps over 30 steps")
        XCTAssertEqual(st.tensor("v").shape, [10, 3])
        XCTAssertEqual(st.csv("v", dt: 0.1).split(separator: "\n").first, "time_ms,n0,n5,n59")
        XCTAssertEqual(r.counts.reduce(0, +), Int32(s.count))
        XCTAssertEqual(r.rates(dt: 0.1).count, 30)
        XCTAssertThrowsError(try StateMonitor(name: "x", group: net.groups[0], variables: ["v"], neurons: [60])) {
            XCTAssertEqual("\($0)", "state monitor 'x': neuron 60 out of range 0..<60 of group 'P'")
        }
    }

    func testGroupsIntegrateAtTheNetworksStepInTheirOwnUnit() throws {
        let net = try Network(dt: 0.1)
        let norse = try net.addGroup("n", size: 2, model: "cuba_lif")        // Norse: dt in seconds
        let brian = try net.addGroup("b", size: 2, model: "va_cuba")          // ms
        XCTAssertEqual((norse.model.base as? NorseLIF)?.dt ?? 0, 1e-4, accuracy: 1e-10)
        XCTAssertEqual((brian.model.base as? Brian2CUBA)?.dt, 0.1)
        XCTAssertEqual(stepTime(21, dt: 0.1), 2.1, "decimal step times")
    }

    func testStatisticsOfKnownTrains() {
        XCTAssertEqual(SpikeStatistics.cvISI([[0, 10, 20, 30]])[0], 0, accuracy: 1e-12, "regular train")
        XCTAssertEqual(SpikeStatistics.meanRate(spikes: 50, neurons: 10, duration: 500), 10)
        // A 100 Hz sine sampled at 0.1 ms has its spectral peak at 100 Hz (bin width 10000 / 4096 Hz).
        let sig = (0..<16384).map { Float(sin(2 * Double.pi * 100 * Double($0) * 1e-4)) }
        XCTAssertEqual(SpikeStatistics.peakFrequency(SpikeStatistics.spectrum(sig, dt: 0.1)), 100, accuracy: 2.5)
    }
}
