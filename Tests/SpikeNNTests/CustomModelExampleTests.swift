import XCTest
import Foundation
import SpikeCore
import SpikeNeurons
import SpikeNN

/// The custom-model example of docs/CUSTOM_MODELS.md: the document shows exactly the code compiled here,
/// its gradients are right, and it trains.
final class CustomModelExampleTests: XCTestCase {
    func testDocumentShowsThisExample() throws {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let root = here.deletingLastPathComponent().deletingLastPathComponent()
        func between(_ text: String, _ begin: String, _ end: String) -> String? {
            guard let a = text.range(of: begin), let b = text.range(of: end, range: a.upperBound..<text.endIndex) else { return nil }
            return String(text[a.upperBound..<b.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let source = try String(contentsOf: here.appendingPathComponent("CustomModelExampleSupport.swift"), encoding: .utf8)
        let doc = try String(contentsOf: root.appendingPathComponent("docs/CUSTOM_MODELS.md"), encoding: .utf8)
        let code = try XCTUnwrap(between(source, "// BEGIN EXAMPLE", "// END EXAMPLE"))
        let shown = try XCTUnwrap(between(doc, "```swift", "```"))
        XCTAssertEqual(shown, code, "docs/CUSTOM_MODELS.md and Tests/SpikeNNTests/CustomModelExampleSupport.swift differ")
    }

    func testGradientsOfTheExample() throws {
        let smooth = DecayLIF(beta: 0.8, threshold: 1, surrogate: Surrogate(.sigmoid, alpha: 1, smoothForward: true))
        let x = NNTest.uniform([6, 2, 3], 0, 2, seed: 3)
        let layer = try SpikingLayer(smooth, learn: ["beta"], perNeuron: 3)
        NNTest.assertGradCheck([x, layer.parameters.learnable[0].value.value]) { vs in NNTest.routed(layer, vs) }
        XCTAssertThrowsError(try SpikingLayer(smooth).addMismatch("beta", fraction: 0.1, seed: 1, neurons: 0))
    }

    func testExampleTrains() throws {
        let accuracy = try trainDecayLIFOnRandman()
        XCTAssertGreaterThanOrEqual(accuracy, 0.85, "test accuracy \(accuracy)")
    }
}
