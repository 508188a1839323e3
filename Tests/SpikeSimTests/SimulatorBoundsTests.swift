import XCTest
import Foundation
import SpikeCore
import SpikeNeurons
@testable import SpikeSim

/// Numbers from outside the library (delays, times, sizes, steps, checkpoints) are checked before use: errors,
/// not traps, and sizes refused by the memory budget before anything is allocated.
final class SimulatorBoundsTests: XCTestCase {
    override func setUp() { MemoryBudget.setOverride(1 << 30) }
    override func tearDown() { MemoryBudget.setOverride(nil) }

    func testHugeDelaysAreErrors() throws {
        let net = try Network(dt: 0.1)
        let g = try net.addGroup("g", size: 2, model: "lif_delta")
        for d: Float in [1e30, 2_147_483_648] {
            XCTAssertThrowsError(try net.connect("a\(Int(d.squareRoot()))", from: g, to: g, variable: "v", rule: .allToAll(), weight: .constant(1), delay: .constant(d))) {
                XCTAssertTrue("\($0)".contains("more than the 2147483647 a delay can have"), "\($0)")
            }
            XCTAssertThrowsError(try net.connect("b\(Int(d.squareRoot()))", from: g, to: g, variable: "v", rule: .allToAll(), weight: .constant(1), delay: .values([1, 1, 1, d]))) {
                XCTAssertTrue("\($0)".contains("more than the 2147483647 a delay can have"), "\($0)")
            }
        }
        // 1e8 ms at 0.1 ms: a ring of 10^9 slots, refused by the budget.
        XCTAssertThrowsError(try net.connect("c", from: g, to: g, variable: "v", rule: .allToAll(), weight: .constant(1), delay: .constant(1e8))) {
            XCTAssertTrue("\($0)".contains("delay ring of 999999986 steps needs an estimated 7.5 GiB"), "\($0)")
        }
    }

    func testHugeSpikeTimesAndPeriodsAreErrors() throws {
        let net = try Network(dt: 0.1)
        XCTAssertThrowsError(try net.add(SpikeGeneratorGroup(name: "t", size: 1, indices: [0], times: [1e30]))) {
            XCTAssertTrue("\($0)".contains("spike 0 at 1e+30 ms"), "\($0)")
        }
        XCTAssertThrowsError(try net.add(SpikeGeneratorGroup(name: "p", size: 1, indices: [0], times: [0], period: 1e30))) {
            XCTAssertTrue("\($0)".contains("period 1e+30 ms"), "\($0)")
        }
    }

    func testHugeGroupsConnectivityAndRunsAreRefused() throws {
        let net = try Network(dt: 0.1)
        XCTAssertThrowsError(try net.addGroup("big", size: Int(Int32.max), model: "lif_delta")) {
            XCTAssertTrue("\($0)".hasPrefix("group 'big' (2147483647 neurons) needs an estimated 32.0 GiB"), "\($0)")
        }
        XCTAssertThrowsError(try net.addGroup("bigger", size: Int(Int32.max) + 1, model: "lif_delta")) {
            XCTAssertEqual("\($0)", "group 'bigger': size must be at most 2147483647, got 2147483648")
        }
        let a = try net.addGroup("a", size: 100_000, model: "lif_delta")
        for rule: Connectivity in [.allToAll(), .random(p: 0.5), .fixedInDegree(50_000), .fixedOutDegree(50_000)] {
            XCTAssertThrowsError(try SynapseMatrix.build(rule, pre: 100_000, post: 100_000, sameGroup: false, rng: &rngForTests)) {
                XCTAssertTrue("\($0)".hasPrefix("connectivity of 100000 x 100000 neurons"), "\(rule): \($0)")
            }
        }
        let m = try net.add(StateMonitor(name: "m", group: a, variables: ["v"]))
        XCTAssertThrowsError(try net.run(steps: 1_000_000)) { XCTAssertTrue("\($0)".contains("the recordings of 1000000 steps"), "\($0)") }
        XCTAssertEqual(m.samples, 0, "nothing ran")
        XCTAssertThrowsError(try net.run(duration: 1e308)) { XCTAssertTrue("\($0)".contains("more than the 2147483647 a run can have"), "\($0)") }
        net.step = Int(Int32.max) - 1
        XCTAssertThrowsError(try net.run(steps: 2)) { XCTAssertTrue("\($0)".contains("would pass step 2147483647"), "\($0)") }
    }

    var rngForTests = SeededRandom(seed: 1)

    func testRestoreChecksTheStepAndTheValues() throws {
        func make() throws -> Network {
            let net = try Network(dt: 0.1, seed: 3)
            let g = try net.addGroup("g", size: 3, model: "lif_delta")
            try net.connect("s", from: g, to: g, variable: "v", rule: .allToAll(selfConnections: false), weight: .constant(0.5), delay: .constant(1))
            return net
        }
        let a = try make()
        try a.run(steps: 5)
        let (tensors, meta) = try a.checkpoint()
        for bad in ["2147483648", "9223372036854775807", "16777216", "-3", "nan", "1e3"] {
            var m = meta; m["step"] = bad
            let b = try make()
            XCTAssertThrowsError(try b.restore(tensors: tensors, metadata: m)) {
                XCTAssertEqual("\($0)", "checkpoint: step '\(bad)' is not an integer in 0..<16777216")
            }
            XCTAssertEqual(b.step, 0)
        }
        for name in ["group/g/v", "synapses/s/weight"] {
            var t = tensors
            let k = t.firstIndex { $0.0 == name }!
            t[k].1 = Tensor(shape: t[k].1.shape, scalars: t[k].1.scalars.dropLast() + [Float.infinity])
            let b = try make()
            XCTAssertThrowsError(try b.restore(tensors: t, metadata: meta)) {
                XCTAssertTrue("\($0)".hasPrefix("checkpoint: '\(name)' holds inf at index"), "\($0)")
            }
        }
        let b = try make()
        try b.restore(tensors: tensors, metadata: meta)
        XCTAssertEqual(b.step, 5)
    }
}
