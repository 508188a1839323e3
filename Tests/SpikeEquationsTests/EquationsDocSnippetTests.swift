import XCTest
import SpikeEquations
import SpikeNeurons
import SpikeNN

/// docs/EQUATIONS.md's Swift example, quoted from here (DocumentationTests checks the doc block equals this region).
final class EquationsDocSnippetTests: XCTestCase {
    func testDocExampleBuildsATrainableLayer() throws {
        // snippet: lif
        let lif = try EquationModel(
            equations: """
                dv/dt = (El - v + R*I)/tau : volt (unless refractory)
                I : amp
                """,
            threshold: "v > -50*mV", reset: "v = -65*mV", refractory: "2*ms", method: "exact",
            parameters: ["El": "-65*mV", "tau": "10*ms", "R": "100*Mohm"], input: "I",
            initial: ["v": "-65*mV"], dt: "0.1*ms", surrogate: .atan, surrogateScale: "1*mV")
        let layer = try SpikingLayer(lif, learn: ["El"])        // trains like a zoo model
        // snippet: end
        XCTAssertEqual(layer.parameters.count, 1)
    }
}
