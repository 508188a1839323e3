import XCTest
import SpikeCore
@testable import SpikeSim

final class ConnectivityTests: XCTestCase {
    func testRandomConnectivityHasTheExpectedDensity() throws {
        var rng = SeededRandom(seed: 1)
        let m = try SynapseMatrix.build(.random(p: 0.1), pre: 200, post: 300, sameGroup: false, rng: &rng)
        // 6000 expected, binomial sd ~73.5: within 4 sd.
        XCTAssertEqual(Double(m.count), 6000, accuracy: 300)
        XCTAssertEqual(m.rowStart.count, 201)
        XCTAssertTrue(m.post.allSatisfy { $0 >= 0 && $0 < 300 })
    }

    func testNoSelfConnectionsWhenAsked() throws {
        var rng = SeededRandom(seed: 2)
        let m = try SynapseMatrix.build(.random(p: 0.5, selfConnections: false), pre: 50, post: 50, sameGroup: true, rng: &rng)
        XCTAssertTrue(zip(m.pre, m.post).allSatisfy { $0 != $1 })
        let all = try SynapseMatrix.build(.allToAll(selfConnections: false), pre: 4, post: 4, sameGroup: true, rng: &rng)
        XCTAssertEqual(all.count, 12)
    }

    func testFixedInDegreeGivesEachPostExactlyK() throws {
        var rng = SeededRandom(seed: 3)
        let m = try SynapseMatrix.build(.fixedInDegree(7, selfConnections: false), pre: 20, post: 20, sameGroup: true, rng: &rng)
        let cols = m.columns()
        for j in 0..<20 {
            XCTAssertEqual(cols.columnStart[j + 1] - cols.columnStart[j], 7)
            let pres = Set((cols.columnStart[j]..<cols.columnStart[j + 1]).map { m.pre[Int(cols.synapses[$0])] })
            XCTAssertEqual(pres.count, 7, "distinct sources")
            XCTAssertFalse(pres.contains(Int32(j)))
        }
    }

    func testExplicitListsAreCheckedAndKept() throws {
        var rng = SeededRandom(seed: 4)
        let m = try SynapseMatrix.build(.explicit(pre: [2, 0, 2], post: [1, 3, 0]), pre: 3, post: 4, sameGroup: false, rng: &rng)
        XCTAssertEqual(m.rowStart, [0, 1, 1, 3])
        XCTAssertEqual(m.post, [3, 1, 0])
        XCTAssertThrowsError(try SynapseMatrix.build(.explicit(pre: [3], post: [0]), pre: 3, post: 4, sameGroup: false, rng: &rng)) {
            XCTAssertEqual("\($0)", "connectivity explicit: synapse 0: pre index 3 out of range 0..<3")
        }
        XCTAssertThrowsError(try SynapseMatrix.build(.random(p: 1.5), pre: 3, post: 4, sameGroup: false, rng: &rng))
    }
}
