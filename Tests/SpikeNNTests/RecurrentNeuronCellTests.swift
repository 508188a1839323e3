import XCTest
import Foundation
import SpikeCore
import SpikeIO
import SpikeNeurons
@testable import SpikeNN

/// Norse's `LIFAdExRecurrentCell` (Fixtures/make_norse_recurrent.py, Norse 1.1.0): same spikes, membrane and
/// input gradient from the same weights; Norse's initialisation and autapse masking.
final class RecurrentNeuronCellTests: XCTestCase {
    func testMatchesNorseLIFAdExRecurrentCell() throws {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/norse_lif_adex_recurrent", withExtension: nil))
        func npy(_ f: String) throws -> Tensor { try NPY.read(from: dir.appendingPathComponent("\(f).npy")) }
        let x = try npy("input"), spikes = try npy("spikes"), v = try npy("v"), r = try npy("weights"), gref = try npy("grad_input")
        var rng = SeededRandom(seed: 1)
        let cell = RecurrentNeuronCell(NorseLIFAdEx(), inputSize: 3, hiddenSize: 4, inputWeights: try npy("input_weights"),
                                       recurrentWeights: try npy("recurrent_weights"), rng: &rng)
        let xv = Variable(x, requiresGrad: true)
        var state: RecurrentNeuronCell<NorseLIFAdEx>.State? = nil
        var outs: [Variable] = [], vs: [Float] = []
        for t in 0..<x.shape[0] {
            let (o, s) = cell(xv.slice(t..<(t + 1)).reshaped([2, 3]), state: state)
            outs.append(o); state = s
            vs += s.neuron[2].value.scalars
        }
        let out = Variable.stack(outs)
        XCTAssertEqual(out.value.scalars, spikes.scalars)
        XCTAssertGreaterThan(spikes.scalars.reduce(0, +), 0)
        // Within 1e-5 of the trace's scale: the input products are summed in another order than torch's.
        NNTest.assertClose(vs, v.scalars, tol: 1e-5 * v.scalars.map(abs).max()!, "v")
        (out * Variable(r)).sum().backward()
        NNTest.assertClose(xv.grad!.scalars, gref.scalars, tol: 1e-5, "grad_input")
        // The sequence form gives the same, and returns the final state.
        let (seq, final) = cell.sequence(Variable(x), state: nil)
        XCTAssertEqual(seq.value.scalars, spikes.scalars)
        XCTAssertEqual(final?.z.value.scalars, Array(spikes.scalars.suffix(8)))
    }

    func testNorseInitialisationAndAutapses() {
        var rng = SeededRandom(seed: 3)
        let cell = RecurrentNeuronCell(NorseLIFAdEx(), inputSize: 50, hiddenSize: 200, rng: &rng)
        let w = cell.inputWeights.value.scalars
        let mean = w.reduce(0, +) / Float(w.count)
        let std = (w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(w.count)).squareRoot()
        XCTAssertEqual(std, (2 / 200 as Float).squareRoot(), accuracy: 0.005, "randn * sqrt(2 / hidden)")
        XCTAssertEqual(mean, 0, accuracy: 0.005)
        for i in 0..<200 { XCTAssertEqual(cell.recurrentWeights.value.scalars[i * 200 + i], 0) }
        // The diagonal's gradient is masked.
        let small = RecurrentNeuronCell(NorseLIFAdEx(), inputSize: 2, hiddenSize: 3, rng: &rng)
        let x = Variable(Tensor(shape: [4, 1, 2], scalars: [Float](repeating: 60, count: 8)))
        (small(x) * 1).sum().backward()
        if let g = small.recurrentWeights.grad { for i in 0..<3 { XCTAssertEqual(g.scalars[i * 3 + i], 0) } }
        XCTAssertEqual(small.ownParameters.map(\.0).prefix(2), ["input_weights", "recurrent_weights"])
    }
}
