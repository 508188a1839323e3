import XCTest
import Foundation
import SpikeCore
import SpikeIO
@testable import SpikeNeurons

/// SpikingJelly reference traces (Tests/SpikeNeuronsTests/Fixtures, copied from shared/reference/neurons):
/// spikes equal, `v` and the surrogate BPTT gradient of L = sum(R * spikes) within 1e-5 relative.
final class ReferenceTraceTests: XCTestCase {
    func testLIFHardResetDecayInputSigmoid() throws {
        let c = try ReferenceFixture("spikingjelly_lif_0")
        let model = try NeuronRegistry.lif(parameters: c.params)
        XCTAssertEqual(model, LIF(tau: 2, decayInput: true, threshold: 1, reset: .hard(0), surrogate: Surrogate(.sigmoid, alpha: 4)))
        assertMatches(model, c)
    }

    func testLIFSoftResetNoDecayInputATan() throws {
        let c = try ReferenceFixture("spikingjelly_lif_1")
        let model = try NeuronRegistry.lif(parameters: c.params)
        XCTAssertEqual(model.reset, .soft)
        XCTAssertFalse(model.decayInput)
        assertMatches(model, c)
    }

    func testIFHardResetATan() throws {
        let c = try ReferenceFixture("spikingjelly_if_2")
        let model = try NeuronRegistry.ifModel(parameters: c.params)
        XCTAssertEqual(model.surrogate, Surrogate(.atan, alpha: 2))
        assertMatches(model, c)
    }
}
