import Foundation
import XCTest
import SpikeCore
import SpikeNeurons
@testable import SpikeSim

/// The weight change of Pfister & Gerstner's (2006) eqs. 3-4 for one synapse, summed in double precision over the
/// spikes (times in ms), with exact exponentials: at a post spike `+r1 (A2+ + A3+ o2(t-))`, at a pre spike
/// `-o1 (A2- + A3- r2(t-))`, where r1 and o1 count spikes at t itself and r2, o2 only earlier ones.
func tripletReference(_ p: TripletSTDP.Parameters, pre: [Double], post: [Double]) -> Double {
    func trace(_ spikes: [Double], at t: Double, tau: Double, includeNow: Bool) -> Double {
        let past = spikes.filter { includeNow ? $0 <= t : $0 < t }
        switch p.pairing {
        case .allToAll: return past.reduce(0) { $0 + exp(-(t - $1) / tau) }
        case .nearest: return past.max().map { exp(-(t - $0) / tau) } ?? 0
        }
    }
    var dw = 0.0
    for t in post {
        let r1 = trace(pre, at: t, tau: Double(p.tauPlus), includeNow: true)
        let o2 = trace(post, at: t, tau: Double(p.tauY), includeNow: false)
        dw += r1 * (Double(p.a2Plus) + Double(p.a3Plus) * o2)
    }
    for t in pre {
        let o1 = trace(post, at: t, tau: Double(p.tauMinus), includeNow: true)
        let r2 = trace(pre, at: t, tau: Double(p.tauX), includeNow: false)
        dw -= o1 * (Double(p.a2Minus) + Double(p.a3Minus) * r2)
    }
    return dw
}

final class PlasticityTripletTests: XCTestCase {
    /// Runs one synapse (w0 = 0 in [-10, 10]) through pre and post spikes given by step, at `dt` ms.
    func change(_ p: TripletSTDP.Parameters, pre: [Int], post: [Int], dt: Float) throws -> Float {
        let s = try plasticSynapses(weight: 0, dt: dt)
        let r = try TripletSTDP(p, wMin: -10, wMax: 10)
        try s.setPlasticity(r)
        let steps = (pre + post).max()! + 2
        drive(r, s, steps: steps, pre: Dictionary(uniqueKeysWithValues: pre.map { ($0, [Int32(0)]) }),
              post: Dictionary(uniqueKeysWithValues: post.map { ($0, [Int32(0)]) }), dt: dt)
        return s.weight[0]
    }

    func testPairGivesThePairTermsOfTheWindow() throws {
        let p = TripletSTDP.Parameters.hippocampalAllToAll
        for k in [1, 10, 50, 200] {
            let dt = Double(k) * 0.1
            XCTAssertEqual(Double(try change(p, pre: [5], post: [5 + k], dt: 0.1)), Double(p.a2Plus) * exp(-dt / 16.8), accuracy: 1e-8)
            XCTAssertEqual(Double(try change(p, pre: [5 + k], post: [5], dt: 0.1)), -Double(p.a2Minus) * exp(-dt / 33.7), accuracy: 1e-8)
        }
        XCTAssertEqual(Double(try change(p, pre: [5], post: [5], dt: 0.1)), Double(p.a2Plus - p.a2Minus), accuracy: 1e-8)
    }

    func testTripletsFollowTheClosedForm() throws {
        // pre-post-post: pre at 0, posts at 5 ms and 15 ms; post-pre-pre: post at 0, pres at 5 ms and 15 ms (dt 0.5 ms).
        for p in [TripletSTDP.Parameters.hippocampalAllToAll, .visualCortexAllToAll, .visualCortexNearest, .hippocampalNearest] {
            let (tp, tm, tx, ty) = (Double(p.tauPlus), Double(p.tauMinus), Double(p.tauX), Double(p.tauY))
            let ltp = Double(p.a2Plus) * exp(-5 / tp) + exp(-15 / tp) * (Double(p.a2Plus) + Double(p.a3Plus) * exp(-10 / ty))
            XCTAssertEqual(Double(try change(p, pre: [0], post: [10, 30], dt: 0.5)), ltp, accuracy: 1e-6 * abs(ltp) + 1e-9, "\(p)")
            let ltd = -Double(p.a2Minus) * exp(-5 / tm) - exp(-15 / tm) * (Double(p.a2Minus) + Double(p.a3Minus) * exp(-10 / tx))
            XCTAssertEqual(Double(try change(p, pre: [10, 30], post: [0], dt: 0.5)), ltd, accuracy: 1e-6 * abs(ltd) + 1e-9, "\(p)")
        }
    }

    func testAllToAllSumsEarlierPostSpikesNearestKeepsTheLatest() throws {
        // pre at 0, posts at 10, 20, 30 ms (dt 1 ms): the third post sees o2 = e^{-10/tau_y} + e^{-20/tau_y} (all-to-all)
        // or e^{-10/tau_y} (nearest).
        var a = TripletSTDP.Parameters.hippocampalAllToAll
        let all = Double(try change(a, pre: [0], post: [10, 20, 30], dt: 1))
        a.pairing = .nearest
        let nearest = Double(try change(a, pre: [0], post: [10, 20, 30], dt: 1))
        let (tp, ty, a2, a3) = (Double(a.tauPlus), Double(a.tauY), Double(a.a2Plus), Double(a.a3Plus))
        let base = a2 * (exp(-10 / tp) + exp(-20 / tp) + exp(-30 / tp)) + a3 * exp(-20 / tp) * exp(-10 / ty)
        XCTAssertEqual(all, base + a3 * exp(-30 / tp) * (exp(-10 / ty) + exp(-20 / ty)), accuracy: 1e-7)
        XCTAssertEqual(nearest, base + a3 * exp(-30 / tp) * exp(-10 / ty), accuracy: 1e-7)
    }

    func testRandomTrainsMatchThePublishedEquations() throws {
        for p in [TripletSTDP.Parameters.hippocampalAllToAll, .visualCortexNearest] {
            let dt: Float = 0.5
            let pre = randomSpikes(count: 1, steps: 4000, p: 0.01, seed: 3).keys.sorted()
            let post = randomSpikes(count: 1, steps: 4000, p: 0.01, seed: 4).keys.sorted()
            let got = Double(try change(p, pre: pre, post: post, dt: dt))
            let want = tripletReference(p, pre: pre.map { Double($0) * Double(dt) }, post: post.map { Double($0) * Double(dt) })
            XCTAssertGreaterThan(pre.count, 20)
            XCTAssertEqual(got, want, accuracy: 2e-5 * max(1, abs(want)), "\(p.pairing)")
        }
    }

    /// 60 pairings at `hz` with post - pre = `shift` ms (dt 0.5 ms), visual-cortex all-to-all set: the change per pairing.
    func pairing(hz: Double, shift: Double) throws -> Double {
        let period = Int((1000 / hz / 0.5).rounded()), d = Int((abs(shift) / 0.5).rounded())
        let starts = (0..<60).map { 100 + $0 * period }
        let pre = shift > 0 ? starts : starts.map { $0 + d }, post = shift > 0 ? starts.map { $0 + d } : starts
        return Double(try change(.visualCortexAllToAll, pre: pre, post: post, dt: 0.5)) / 60
    }

    func testPotentiationGrowsWithPairingFrequencyAsInSjostrom() throws {
        // Pfister & Gerstner 2006, Fig. 5 (Sjöström et al. 2001): at low frequency pre-post pairs do almost nothing
        // and post-pre pairs depress; at 50 Hz both orders potentiate.
        let (p1, m1) = (try pairing(hz: 1, shift: 10), try pairing(hz: 1, shift: -10))
        let (p50, m50) = (try pairing(hz: 50, shift: 10), try pairing(hz: 50, shift: -10))
        XCTAssertLessThan(abs(p1), 1e-4)
        XCTAssertLessThan(m1, -4e-3)
        XCTAssertEqual(m1, -7e-3 * exp(-10 / 33.7), accuracy: 1e-4)
        XCTAssertGreaterThan(p50, 3e-3)
        XCTAssertGreaterThan(m50, 1e-3)
        XCTAssertGreaterThan(p50, p1 + 3e-3)
    }

    func testCheckpointRestoreThenContinueEqualsRunningOn() throws {
        for p in [TripletSTDP.Parameters.hippocampalAllToAll, .hippocampalNearest] {
            for dependence in WeightDependence.allCases {
                let (a, b) = try checkpointRoundTrip { try TripletSTDP(p, dependence: dependence) }
                XCTAssertEqual(bits(a), bits(b))
                XCTAssertNotEqual(a, [Float](repeating: 0.5, count: a.count))
            }
        }
        let r = try TripletSTDP()
        try plasticSynapses(pre: 2, post: 3).setPlasticity(r)
        XCTAssertThrowsError(try r.restore(["r1": [0, 0], "r2": [0, 0], "o1": [0, 0, 0]])) {
            XCTAssertEqual("\($0)", "triplet stdp: checkpoint lacks 'o2'")
        }
    }

    func testBadParametersAreOneLineErrors() {
        var p = TripletSTDP.Parameters.visualCortexAllToAll
        p.tauY = -125
        XCTAssertThrowsError(try TripletSTDP(p)) { XCTAssertEqual("\($0)", "triplet stdp: tau_y must be > 0 ms, got -125.0") }
        p = .visualCortexAllToAll; p.a3Minus = -1
        XCTAssertThrowsError(try TripletSTDP(p)) {
            XCTAssertEqual("\($0)", "triplet stdp: a3_minus must be >= 0 (the size of the depression; the rule applies the sign), got -1.0")
        }
        XCTAssertThrowsError(try TripletSTDP(wMin: 2, wMax: 1)) {
            XCTAssertEqual("\($0)", "triplet stdp: w_min must be < w_max, got w_min = 2.0, w_max = 1.0")
        }
    }

    func testDefaultsAreThePublishedVisualCortexSet() throws {
        let r = try TripletSTDP()
        XCTAssertEqual(r.parameters, .visualCortexAllToAll)
        XCTAssertEqual(r.parameters.tauPlus, 16.8); XCTAssertEqual(r.parameters.tauMinus, 33.7)
        XCTAssertEqual(r.parameters.a3Plus, 6.2e-3); XCTAssertEqual(r.parameters.tauY, 125)
    }
}
