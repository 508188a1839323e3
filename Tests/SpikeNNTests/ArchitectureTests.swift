import Foundation
import XCTest
import SpikeCore
import SpikeNeurons
@testable import SpikeNN

/// The reference architectures against the state dicts of the PyTorch / SpikingJelly / snnTorch models
/// (Fixtures/arch/*.json, written by Fixtures/arch/make_fixtures.py) and forward shapes on tiny inputs.
final class ArchitectureTests: XCTestCase {
    struct Fixture { let keys: [(String, [Int])]; let count: Int }

    func fixture(_ name: String) throws -> Fixture {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/arch/\(name)", withExtension: "json"), "fixture \(name)")
        let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let sd = try XCTUnwrap(obj["state_dict"] as? [[Any]])
        let keys = try sd.map { (try XCTUnwrap($0[0] as? String), try XCTUnwrap($0[1] as? [Int])) }
        return Fixture(keys: keys, count: try XCTUnwrap(obj["parameter_count"] as? Int))
    }

    /// Same keys in the same order, same shapes (PyTorch's scalar `num_batches_tracked` is `[]`, ours `[1]`),
    /// same number of trainable scalars.
    func assertMatches(_ m: any Module, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let f = try fixture(name)
        let ours = m.stateDict
        XCTAssertEqual(ours.map(\.0), f.keys.map(\.0), "\(name): keys", file: file, line: line)
        for ((k, v), (_, shape)) in zip(ours, f.keys) {
            let s = v.shape.reduce(1, *) == 1 && shape.isEmpty ? [] : v.shape
            XCTAssertEqual(s, shape, "\(name): \(k)", file: file, line: line)
        }
        XCTAssertEqual(m.parameters.map { $0.value.count }.reduce(0, +), f.count, "\(name): parameter count", file: file, line: line)
    }

    func spikes(_ shape: [Int], seed: UInt64 = 1) -> Variable {
        var rng = SeededRandom(seed: seed)
        return Variable(.bernoulli(shape, p: 0.3, rng: &rng))
    }

    func testCSNNMatchesSnnTorchTutorial7() throws {
        var rng = SeededRandom(seed: 0)
        let net = Architectures.csnn(rng: &rng)
        try assertMatches(net, "csnn")
        XCTAssertEqual(net(spikes([2, 3, 2, 34, 34])).shape, [2, 3, 10])
    }

    func testDVSGestureMatchesSpikingJelly() throws {
        var rng = SeededRandom(seed: 0)
        try assertMatches(Architectures.dvsgesture(channels: 128, rng: &rng), "dvsgesture_128")
        let net = Architectures.dvsgesture(channels: 32, rng: &rng)
        try assertMatches(net, "dvsgesture_32")
        // PLIF neurons learning `w` (SpikingJelly's ParametricLIFNode) add conv_fc.N.w.
        let plif = Architectures.dvsgesture(channels: 32, neuron: { try! SpikingLayer(PLIF(), learn: ["w"]) }, rng: &rng)
        try assertMatches(plif, "dvsgesture_32_plif")
        // 32x32 input (imageSize 32: Linear gets channels*1*1): the 110 outputs vote into 11 classes.
        let small = Architectures.dvsgesture(channels: 4, imageSize: 32, rng: &rng)
        XCTAssertEqual(small(spikes([2, 1, 2, 32, 32])).shape, [2, 1, 11])
    }

    func testVotingLayerAveragesGroups() {
        let x = Variable(Tensor(shape: [1, 1, 4], scalars: [1, 3, 0, 1]))
        XCTAssertEqual(VotingLayer(2)(x).value.scalars, [2, 0.5])
        XCTAssertEqual(VotingLayer(2)(x).shape, [1, 1, 2])
    }

    func testSHDRNNKeysAndShape() throws {
        var rng = SeededRandom(seed: 0)
        let net = Architectures.shdRNN(rng: &rng)
        try assertMatches(net, "shd_rnn")
        XCTAssertEqual(net(spikes([3, 2, 700])).shape, [3, 2, 20])
    }

    func testVGG11MatchesSpikingJelly() throws {
        var rng = SeededRandom(seed: 0)
        let net = Architectures.vgg11(classes: 10, batchNorm: true, poolSize: 1, hidden: 64, rng: &rng)
        try assertMatches(net, "vgg11_bn_small")
        // The full-size models have the same key lists (their 132.9 M parameters are not built here).
        let full = try fixture("vgg11_bn"), plain = try fixture("vgg11")
        XCTAssertEqual(full.keys.map(\.0), net.stateDict.map(\.0))
        let noBN = Architectures.vgg11(classes: 10, poolSize: 1, hidden: 8, rng: &rng)
        XCTAssertEqual(noBN.stateDict.map(\.0), plain.keys.map(\.0))
        XCTAssertEqual(noBN(spikes([1, 1, 3, 32, 32])).shape, [1, 1, 10])
    }

    func testSEWResNet18MatchesSpikingJelly() throws {
        var rng = SeededRandom(seed: 0)
        let net = Architectures.sewResnet18(classes: 11, rng: &rng)
        try assertMatches(net, "sew_resnet18_k11")
        XCTAssertEqual(net(spikes([1, 2, 3, 32, 32])).shape, [1, 2, 11])
    }
}
