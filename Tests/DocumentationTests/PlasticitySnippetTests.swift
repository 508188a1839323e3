import XCTest
import SpikeKit

/// The code of docs/PLASTICITY.md in a network that runs (DocumentationTests checks the document quotes it).
final class PlasticitySnippetTests: XCTestCase {
    func testSTDPSnippetRunsAndChangesWeights() throws {
        let net = try Network(dt: 0.1, seed: 3)
        let input = try net.addPoisson("P", size: 1000, rates: Array(repeating: 40, count: 1000))   // ge about 1: the neuron fires
        let neuron = try net.addGroup("N", size: 1, model: "va_coba")
        // snippet: stdp
        let s = try net.connect("S", from: input, to: neuron, variable: "ge", rule: .allToAll(), weight: .uniform(low: 0, high: 0.01))
        try s.setPlasticity(STDP(tauPlus: 20, tauMinus: 20, aPlus: 1e-4, aMinus: 1.05e-4, wMin: 0, wMax: 0.01))
        // snippet: end
        let before = s.weight
        try net.run(duration: 200)
        XCTAssertNotEqual(before, s.weight)
        XCTAssertTrue(s.weight.allSatisfy { (0...0.01).contains($0) })
    }
}
