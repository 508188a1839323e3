import XCTest
import SpikeCore
import SpikeNeurons
@testable import SpikeNN

/// `SpikingLayer(x, initialState:)`: a sequence cut in chunks, each starting from the previous chunk's final
/// state, gives the outputs and gradients of one call on the whole sequence (Norse's `(out, state)` modules).
final class SpikingLayerStateTests: XCTestCase {
    func assertChunksEqualWhole<Model: NeuronModel>(_ make: () throws -> SpikingLayer<Model>, _ name: String, split: Int,
                                                    file: StaticString = #filePath, line: UInt = #line) throws {
        let (T, B, N) = (12, 2, 4)
        let x = NNTest.uniform([T, B, N], -0.5, 2.5, seed: 31)
        let r = NNTest.uniform([T, B, N], -1, 1, seed: 32)
        // One call from the initial state.
        let whole = try make()
        let xw = Variable(x, requiresGrad: true)
        let (yw, finalW) = whole(xw, initialState: nil)
        XCTAssertEqual(yw.value.scalars, whole(Variable(x)).value.scalars, "\(name): same as the stateless call", file: file, line: line)
        yw.backward(seed: r)
        // Two chunks, the second from the first's final state.
        let chunked = try make()
        let xc = Variable(x, requiresGrad: true)
        let (y1, s1) = chunked(xc.slice(0..<split), initialState: nil)
        let (y2, s2) = chunked(xc.slice(split..<T), initialState: s1)
        XCTAssertEqual(y1.value.scalars + y2.value.scalars, yw.value.scalars, "\(name): outputs", file: file, line: line)
        for k in 0..<Model.State.count {
            XCTAssertEqual(s2[k].value.scalars, finalW[k].value.scalars, "\(name): final state \(k)", file: file, line: line)
        }
        let loss = (y1 * Variable(r.slice(0..<split))).sum() + (y2 * Variable(r.slice(split..<T))).sum()
        loss.backward()
        NNTest.assertClose(xc.grad!.scalars, xw.grad!.scalars, tol: 1e-6, "\(name): input gradients", file: file, line: line)
        for ((_, a), (_, b)) in zip(whole.ownParameters, chunked.ownParameters) {
            NNTest.assertClose(b.grad!.scalars, a.grad!.scalars, tol: 1e-5, "\(name): parameter gradients", file: file, line: line)
        }
    }

    func testChunkedSequenceEqualsWhole() throws {
        try assertChunksEqualWhole({ SpikingLayer(LIF()) }, "LIF", split: 5)
        try assertChunksEqualWhole({ try SpikingLayer(NorseLIFAdEx(), learn: ["tau_mem_inv"]) }, "adex learn", split: 7)
        try assertChunksEqualWhole({ SpikingLayer(SPAICConstantCurrentLIF(tauM: 1)) }, "spaic.constantcurrentlif", split: 4)
    }

    /// The gradient reaching the initial state matches central differences of the loss in that state.
    func testGradientOfTheInitialState() {
        let layer = SpikingLayer(LIF(surrogate: Surrogate(.sigmoid, alpha: 4, smoothForward: true)))
        let x = Variable(NNTest.uniform([6, 1, 3], -0.5, 2.5, seed: 40))
        let v0 = Variable(Tensor(shape: [1, 3], scalars: [0.1, 0.4, -0.2]), requiresGrad: true)
        let r = NNTest.uniform([6, 1, 3], -1, 1, seed: 41)
        let (y, _) = layer(x, initialState: [v0])
        (y * Variable(r)).sum().backward()
        for i in 0..<3 {
            func loss(_ d: Float) -> Double {
                var v = v0.value.scalars; v[i] += d
                let (o, _) = layer(x, initialState: [Variable(Tensor(shape: [1, 3], scalars: v))])
                return zip(o.value.scalars, r.scalars).reduce(0) { $0 + Double($1.0 * $1.1) }
            }
            XCTAssertEqual(Double(v0.grad!.scalars[i]), (loss(1e-2) - loss(-1e-2)) / 2e-2, accuracy: 5e-3)
        }
    }
}

/// SpikingJelly's memory modules: state kept between calls until `reset()`, 's' and 'm' modes, `v_seq`.
final class MemorySpikingLayerTests: XCTestCase {
    func testSingleAndMultiStepCallsContinueUntilReset() {
        let x = NNTest.uniform([10, 2, 3], -0.5, 2.5, seed: 50)
        let whole = SpikingLayer(SpikingJellyIzhikevich(a: 0.3, b: 0.2))(Variable(x)).value.scalars
        let single = MemorySpikingLayer(SpikingJellyIzhikevich(a: 0.3, b: 0.2), stepMode: .single, storeVSeq: true)
        var outs: [Float] = []
        for t in 0..<10 { outs += single(Variable(x.slice(t..<(t + 1)).reshaped([2, 3]))).value.scalars }
        XCTAssertEqual(outs, whole)
        XCTAssertEqual(single.vSeq.count, 10 * 6)
        let multi = MemorySpikingLayer(SpikingJellyIzhikevich(a: 0.3, b: 0.2), stepMode: .multi, storeVSeq: true)
        let m1 = multi(Variable(x.slice(0..<4))).value.scalars, m2 = multi(Variable(x.slice(4..<10))).value.scalars
        XCTAssertEqual(m1 + m2, whole)
        XCTAssertEqual(multi.vSeq, single.vSeq, "v_seq: the membrane after every step")
        // reset(): the next call starts again from the initial state.
        multi.reset()
        XCTAssertNil(multi.state)
        XCTAssertEqual(multi(Variable(x.slice(0..<4))).value.scalars, m1)
        XCTAssertEqual(multi.vSeq.count, 4 * 6)
    }
}
