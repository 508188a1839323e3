import XCTest
import Foundation
import SpikeCore
import SpikeNeurons
import SpikeNN

/// The custom-model example of docs/CUSTOM_MODELS.md (Examples/CustomNeuron/DecayLIF.swift, which DocumentationTests
/// checks against the document): its gradients are right, and it trains.
final class CustomModelExampleTests: XCTestCase {
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
