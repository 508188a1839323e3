import XCTest
import SpikeCore
import SpikeNN
import SpikeCoding
import SpikeData
@testable import SpikeTraining

/// The training loop as it was in the CLI before `DataLoader` (batches straight from
/// `SpikeDataset.batch(indices:)`, encoders on `batchValues`), kept here to show that the library's
/// `Trainer` gives the same bits on Randman.
private func referenceRun(spec: NetworkSpec, train: SpikeDataset, options: TrainingOptions) throws -> (Sequential, [Float]) {
    func inputs(_ data: SpikeDataset, _ indices: [Int], _ epoch: Int, _ batch: Int) throws -> (Tensor, [Int]) {
        if options.encoder == "spike-times" { return data.batch(indices: indices) }
        let (values, labels) = data.batchValues(indices: indices)!
        if options.encoder == "rate" {
            var rng = SeededRandom(seed: options.seed ^ 0x5EED_0F_E4C0_DE).split(stream: UInt64(bitPattern: Int64(epoch)) << 32 ^ UInt64(batch))
            return (try Encode.poisson(values, steps: data.steps, rng: &rng), labels)
        }
        return (try Encode.latency(values, steps: data.steps, clip: false, normalize: true, linear: true), labels)
    }
    let readout = try spec.makeReadout()
    var rng = SeededRandom(seed: options.seed)
    let model = try spec.build(rng: &rng)
    let opt = options.makeOptimizer(model.parameters)
    var losses: [Float] = []
    for epoch in 0..<options.epochs {
        for (b, idx) in BatchIterator(count: train.count, batchSize: options.batchSize, shuffle: true, seed: options.seed, epoch: epoch).enumerated() {
            let (x, labels) = try inputs(train, idx, epoch, b)
            opt.zeroGrad()
            let loss = try readout.loss(model(Variable(x)), labels: labels)
            loss.backward()
            opt.step()
            losses.append(loss.value.scalar)
        }
    }
    return (model, losses)
}

final class TrainerTests: XCTestCase {
    static let config = RandmanConfig(classes: 3, units: 20, steps: 15, manifoldDim: 1, alpha: 2, samplesPerClass: 30, seed: 3)

    func spec(inputs: Int = 20, outputs: Int = 3) -> NetworkSpec {
        NetworkSpec(inputs: inputs, hidden: [16], outputs: outputs, neuronParameters: ["tau": "10", "decay_input": "false", "surrogate": "atan"],
                    weightGain: 4)
    }

    func testRandmanRunGivesTheBitsOfTheLoopBeforeDataLoader() throws {
        let (train, test) = try SpikeDataset.randman(Self.config).split(trainFraction: 0.8)
        for encoder in ["spike-times", "rate", "latency"] {
            var options = TrainingOptions()
            options.epochs = 2; options.batchSize = 16; options.encoder = encoder; options.learningRate = 5e-3
            if encoder != "spike-times" { options.steps = Self.config.steps }
            var losses: [Float] = []
            let (model, _) = try Trainer.run(spec: spec(), train: try options.input(of: train), test: try options.input(of: test),
                                             options: options) { losses.append($0.loss) }
            let (reference, referenceLosses) = try referenceRun(spec: spec(), train: train, options: options)
            for ((name, p), (_, q)) in zip(model.namedParameters, reference.namedParameters) {
                XCTAssertEqual(p.value, q.value, "\(encoder): parameter \(name) differs")
            }
            XCTAssertEqual(losses.count, referenceLosses.count)
        }
    }

    func testSameResultWhateverTheLoaderThreads() throws {
        let (train, test) = try SpikeDataset.randman(Self.config).split(trainFraction: 0.8)
        var results: [[Tensor]] = []
        for workers in [0, 1, 3] {
            var options = TrainingOptions()
            options.epochs = 2; options.batchSize = 8; options.loaderWorkers = workers
            let (model, _) = try Trainer.run(spec: spec(), train: DatasetSubset(train, indices: Array(0..<train.count)),
                                             test: test, options: options) { _ in }
            results.append(model.parameters.map(\.value))
        }
        XCTAssertEqual(results[0], results[1])
        XCTAssertEqual(results[0], results[2])
    }

    func testDatasetThatDoesNotFitTheNetworkIsAOneLineError() throws {
        let (train, test) = try SpikeDataset.randman(Self.config).split(trainFraction: 0.8)
        XCTAssertThrowsError(try Trainer.run(spec: spec(inputs: 21), train: train, test: test, options: TrainingOptions()) { _ in }) {
            XCTAssertEqual("\($0)", "training set: samples have 20 features per step ([20]) but the network has 21 inputs")
        }
        XCTAssertThrowsError(try Trainer.run(spec: spec(outputs: 4), train: train, test: test, options: TrainingOptions()) { _ in }) {
            XCTAssertEqual("\($0)", "training set: 3 classes but the network has 4 outputs")
        }
    }

    /// Event frames are counts (values above 1) and mostly zeros: the first Linear takes the spike-driven
    /// product with weights (`CompressedRows.isBinary` false), fused with the LIF layer. Its outputs and
    /// gradients must equal the dense path's (forced by a crossover of 0) up to summation order.
    func testCountFramesTakeTheWeightedSparsePathCorrectly() throws {
        var rng = SeededRandom(seed: 5)
        let (t, b, f) = (6, 4, 50)
        let x = Tensor(shape: [t, b, f], scalars: (0..<(t * b * f)).map { _ in
            rng.nextUniform() < 0.15 ? Float(1 + rng.nextInt(below: 4)) : 0 })
        XCTAssertLessThan(x.density, GEMM.sparseCrossover)
        XCTAssertFalse(CompressedRows(x.reshaped([t * b, f])).isBinary)
        func gradients() throws -> (Tensor, [Tensor]) {
            var r = SeededRandom(seed: 1)
            let model = try spec(inputs: f, outputs: 3).build(rng: &r)
            let y = model(Variable(x))
            let loss = try spec(inputs: f, outputs: 3).makeReadout().loss(y, labels: [0, 1, 2, 1])
            loss.backward()
            return (y.value, model.parameters.map { $0.grad! })
        }
        let (sparseY, sparseG) = try gradients()
        let saved = GEMM.sparseCrossover
        GEMM.sparseCrossover = 0
        defer { GEMM.sparseCrossover = saved }
        let (denseY, denseG) = try gradients()
        XCTAssertGreaterThan(denseY.scalars.map(abs).max()!, 0)
        for (a, d) in zip(sparseY.scalars, denseY.scalars) { XCTAssertEqual(a, d, accuracy: 1e-4 * max(1, abs(d))) }
        for (ga, gd) in zip(sparseG, denseG) {
            XCTAssertEqual(ga.shape, gd.shape)
            for (a, d) in zip(ga.scalars, gd.scalars) { XCTAssertEqual(a, d, accuracy: 1e-3 * max(1, abs(d))) }
        }
    }

    func testValueEncodersAndFlattening() throws {
        var options = TrainingOptions()
        options.encoder = "direct"; options.steps = 3
        let x = Tensor(shape: [1, 2, 1, 2, 2], scalars: (0..<8).map(Float.init))
        let direct = try options.encode(x, epoch: 0, batch: 0)
        XCTAssertEqual(direct.shape, [3, 2, 4])
        XCTAssertEqual(Array(direct.scalars[16..<24]), (0..<8).map(Float.init))
        options.encoder = "spike-times"
        XCTAssertEqual(try options.encode(x, epoch: 0, batch: 0).shape, [1, 2, 4])
        options.encoder = "rate"
        XCTAssertThrowsError(try options.encode(Tensor.zeros([2, 2, 4]), epoch: 0, batch: 0)) {
            XCTAssertTrue("\($0)".contains("takes samples of one time step"), "\($0)")
        }
        let p = try options.encode(Tensor.full([1, 64, 10], 0.5), epoch: 0, batch: 0)
        XCTAssertEqual(p.shape, [3, 64, 10])
        XCTAssertEqual(p.mean(), 0.5, accuracy: 0.1)
        XCTAssertEqual(try options.encode(Tensor.full([1, 64, 10], 0.5), epoch: 0, batch: 0), p)   // seeded by (seed, epoch, batch)
    }
}
