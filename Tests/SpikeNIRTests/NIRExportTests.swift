import Foundation
import XCTest
import SpikeCore
import SpikeNeurons
import SpikeNN
@testable import SpikeNIR

/// Export of SpikeKit networks: the exported graph, written and read back, run by the NIR executor with
/// Euler at the export dt, reproduces the SpikeKit network step for step.
final class NIRExportTests: XCTestCase {
    func roundTrip(_ model: Sequential, inputShape: [Int], dt: Double, T: Int = 15, B: Int = 3, scale: Float = 1.5,
                   file: StaticString = #filePath, line: UInt = #line) throws {
        let g = try NIRExport.graph(model, inputShape: inputShape, options: .init(dt: dt))
        XCTAssertEqual(g.metadataDt, dt, file: file, line: line)
        let back = try NIRFile.read(bytes: NIRFile.encode(g))
        XCTAssertEqual(back, g, file: file, line: line)
        var rng = SeededRandom(seed: 11)
        let x = Variable(Tensor.normal([T, B] + inputShape, std: scale, rng: &rng))
        let want = model(x).value
        let got = try NIRNetwork(back, options: NIRRunOptions(dt: dt))(x).value
        XCTAssertEqual(got.shape, want.shape, file: file, line: line)
        let worst = zip(got.scalars, want.scalars).map { abs($0 - $1) }.max() ?? 0
        let scaleRef = max(want.scalars.map(abs).max() ?? 0, 1e-30)
        XCTAssertLessThanOrEqual(worst / scaleRef, 1e-5, file: file, line: line)
    }

    func testLIFChainDecayInput() throws {
        var rng = SeededRandom(seed: 1)
        let m = Sequential {
            SpikeNN.Linear(4, 8, rng: &rng)
            SpikingLayer(SpikeNeurons.LIF(tau: 2.5, decayInput: true, threshold: 0.4))
            SpikeNN.Linear(8, 3, rng: &rng)
            SpikingLayer(SpikeNeurons.LI(tau: 4, decayInput: false))
        }
        try roundTrip(m, inputShape: [4], dt: 1e-3)
        let g = try NIRExport.graph(m, inputShape: [4], options: .init(dt: 1e-3))
        XCTAssertEqual(g.nodes["1"]?.kind, .lif)
        XCTAssertEqual(g.nodes["1"]!.array("tau")!.values[0], Double(Float(2.5e-3)))
        XCTAssertEqual(g.nodes["1"]!.array("r")!.values[0], 1)
        XCTAssertEqual(g.nodes["3"]!.array("r")!.values[0], 4)
    }

    func testIFAndNoDecayInputLIFAndLinearWithoutBias() throws {
        var rng = SeededRandom(seed: 2)
        let m = Sequential {
            SpikeNN.Linear(5, 6, bias: false, rng: &rng)
            SpikingLayer(SpikeNeurons.IF(threshold: 0.7))
            SpikeNN.Linear(6, 4, rng: &rng)
            SpikingLayer(SpikeNeurons.LIF(tau: 3, decayInput: false, threshold: 0.5))
        }
        try roundTrip(m, inputShape: [5], dt: 1e-4)
    }

    func testRecurrentLayerAsSubgraph() throws {
        var rng = SeededRandom(seed: 3)
        let m = Sequential {
            SpikeNN.Linear(4, 6, rng: &rng)
            RecurrentSpikingLayer(SpikeNeurons.LIF(tau: 2, threshold: 0.3), neurons: 6, gain: 2, rng: &rng)
            SpikeNN.Linear(6, 2, rng: &rng)
        }
        try roundTrip(m, inputShape: [4], dt: 1e-3)
        let g = try NIRExport.graph(m, inputShape: [4], options: .init(dt: 1e-3))
        let sub = try XCTUnwrap(g.nodes["1"]?.subgraph)
        XCTAssertTrue(sub.edges.contains { $0 == ("w_rec", "neuron") })
    }

    func testConvChain() throws {
        var rng = SeededRandom(seed: 4)
        let m = Sequential {
            SpikeNN.Conv2d(2, 3, kernelSize: 3, padding: .uniform(1), rng: &rng)
            SpikingLayer(SpikeNeurons.IF(threshold: 0.5))
            SpikeNN.SumPool2d(2)
            SpikeNN.Flatten()
            SpikeNN.Linear(27, 2, rng: &rng)
        }
        try roundTrip(m, inputShape: [2, 6, 6], dt: 1e-3)
    }

    /// snnTorch Leaky (zero reset) exported by SpikeKit gives the fields snnTorch's own exporter wrote for the
    /// same layer (Fixtures/peers/snntorch_leaky.nir, beta 0.8, threshold 0.5, dt 1e-4) and runs the same.
    func testSnnTorchLeakyMatchesSnnTorchsOwnExport() throws {
        var rng = SeededRandom(seed: 6)
        let m = Sequential {
            SpikeNN.Linear(4, 6, rng: &rng)
            SpikingLayer(SnnTorchLeaky(beta: 0.8, threshold: 0.5, resetMechanism: .zero))
        }
        try roundTrip(m, inputShape: [4], dt: 1e-4)
        let ours = try NIRExport.graph(m, inputShape: [4], options: .init(dt: 1e-4)).nodes["1"]!
        let theirs = try Fixtures.graph("peers/snntorch_leaky").nodes["1"]!
        XCTAssertEqual(ours.kind, theirs.kind)
        for f in ["tau", "r", "v_leak", "v_threshold", "v_reset"] {
            for (a, b) in zip(ours.array(f)!.values, theirs.array(f)!.values) { XCTAssertEqual(a, b, accuracy: 1e-6 * max(1, abs(b)), f) }
        }
        let plif = Sequential { SpikeNN.Linear(4, 5, rng: &rng); SpikingLayer(PLIF(w: 0.3, threshold: 0.4)) }
        try roundTrip(plif, inputShape: [4], dt: 1e-3)
    }

    func testConv1dChain() throws {
        var rng = SeededRandom(seed: 7)
        let m = Sequential {
            SpikeNN.Conv1d(2, 3, kernelSize: 3, stride: 2, padding: .uniform(1), rng: &rng)
            SpikingLayer(SpikeNeurons.LIF(tau: 2, threshold: 0.3))
            SpikeNN.Flatten()
            SpikeNN.Linear(12, 2, rng: &rng)
        }
        try roundTrip(m, inputShape: [2, 8], dt: 1e-3)
    }

    func testRefusals() throws {
        var rng = SeededRandom(seed: 5)
        func message(_ m: Sequential, approximate: Bool = false) -> String {
            do { _ = try NIRExport.graph(m, inputShape: [3], options: .init(dt: 1e-3, approximate: approximate)); return "" }
            catch { return "\(error)" }
        }
        let soft = Sequential { SpikeNN.Linear(3, 3, rng: &rng); SpikingLayer(SpikeNeurons.LIF(reset: .soft)) }
        XCTAssertEqual(message(soft), "node '1': soft (subtractive) reset cannot be expressed in NIR (its neurons reset to v_reset)")
        let drop = Sequential { SpikeNN.Linear(3, 3, rng: &rng); Dropout(p: 0.5) }
        XCTAssertTrue(message(drop).hasPrefix("node '1': Dropout has no NIR primitive"), message(drop))
        let norse = Sequential { SpikeNN.Linear(3, 3, rng: &rng); SpikingLayer(NorseLIF()) }
        XCTAssertTrue(message(norse).hasPrefix("node '1': NorseLIF's membrane uses the current of the same step"), message(norse))
        XCTAssertEqual(message(norse, approximate: true), "")
        XCTAssertFalse(message(soft).contains("\n"))
        let sub = Sequential { SpikeNN.Linear(3, 3, rng: &rng); SpikingLayer(SnnTorchLeaky(beta: 0.9)) }
        XCTAssertEqual(message(sub), "node '1': snnTorch Leaky's subtractive reset cannot be expressed in NIR (its neurons reset to v_reset)")
        let izh = Sequential { SpikeNN.Linear(3, 3, rng: &rng); SpikingLayer(SpikingJellyIzhikevich()) }
        XCTAssertTrue(message(izh).hasPrefix("node '1': SpikingLayer<SpikingJellyIzhikevich> has no NIR primitive"), message(izh))
    }
}
