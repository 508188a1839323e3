import XCTest
import Foundation
import SpikeCore
import SpikeNN
import SpikeData
import SpikeDistributed
@testable import SpikeTraining

/// The fixed-tree reduction and the data-parallel trainer in one process. The runs over several processes
/// (mpirun -np 2 and 3, the real binary) are in Tests/MPI/run.sh, which .ci/run starts after installing Open MPI.
final class ExactReductionTests: XCTestCase {
    func leaves(_ count: Int, length: Int, seed: UInt64) -> [[Float]] {
        var rng = SeededRandom(seed: seed)
        // Values of very different sizes, so that a change of the order of the additions changes the bits.
        return (0..<count).map { _ in (0..<length).map { _ in rng.nextNormal() * Float(pow(10.0, rng.nextDouble() * 8 - 4)) } }
    }

    /// Any division of the leaves among ranks (their blocks summed locally, then combined) gives the bits of the
    /// one-process tree sum; the tree sum is not the left-to-right sum (so the test sees the order).
    func testEveryDivisionAmongRanksGivesTheSameBits() {
        var differsFromSequential = false
        for count in 1...19 {
            let xs = leaves(count, length: 7, seed: UInt64(count))
            let whole = ExactReduction.sum(xs)
            var sequential = xs[0]
            for x in xs.dropFirst() { for i in 0..<sequential.count { sequential[i] += x[i] } }
            if sequential != whole { differsFromSequential = true }
            for ranks in 1...6 {
                var known: [Range<Int>: [Float]] = [:]
                var covered = 0
                for range in ExactReduction.ranges(count: count, ranks: ranks) {
                    for node in ExactReduction.blocks(of: range, count: count) {
                        XCTAssertEqual(node.lowerBound, covered, "blocks must tile the leaves in order")
                        covered = node.upperBound
                        known[node] = ExactReduction.nodeSum(node, leaves: Array(xs[node]), count: count)
                    }
                    // The streaming accumulator gives the same node sums.
                    var acc = ExactReduction.Accumulator(range: range, count: count)
                    for x in xs[range] { acc.add(x) }
                    XCTAssertTrue(acc.isComplete)
                    XCTAssertEqual(acc.sums, acc.blocks.map { known[$0]! }, "\(range) of \(count)")
                }
                XCTAssertEqual(covered, count)
                XCTAssertEqual(ExactReduction.rootSum(count: count, nodes: known), whole, "\(count) leaves on \(ranks) ranks")
            }
        }
        XCTAssertTrue(differsFromSequential)
    }

    func testBlocksAreAlignedTreeNodes() {
        XCTAssertEqual(ExactReduction.blocks(of: 0..<8, count: 8), [0..<8])
        XCTAssertEqual(ExactReduction.blocks(of: 0..<3, count: 8), [0..<2, 2..<3])
        XCTAssertEqual(ExactReduction.blocks(of: 3..<8, count: 8), [3..<4, 4..<8])
        XCTAssertEqual(ExactReduction.blocks(of: 2..<5, count: 5), [2..<4, 4..<5])
        XCTAssertEqual(ExactReduction.ranges(count: 8, ranks: 3), [0..<2, 2..<5, 5..<8])
    }

    func testSingleCommunicatorCollectivesReturnTheirInput() throws {
        let c = Communicator.single
        XCTAssertEqual(c.rank, 0); XCTAssertEqual(c.size, 1)
        var v: [Double] = [1, 2]
        try c.allreduce(&v)
        XCTAssertEqual(v, [1, 2])
        XCTAssertEqual(try c.allgather([3 as Int]), [[3]])
        XCTAssertEqual(try c.gather([4 as Float]), [[4]])
        XCTAssertEqual(try ExactReduction.allreduce([[1, 2], [3, 4]], count: 2, length: 2, on: c), [4, 6])
    }

    func testLaunchWithoutMPIIsRefusedNamingTheFix() {
        if Distributed.isAvailable { return }
        XCTAssertNoThrow(try Distributed.checkLaunch(environment: [:]))
        XCTAssertNoThrow(try Distributed.checkLaunch(environment: ["OMPI_COMM_WORLD_SIZE": "1"]))
        for key in ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE"] {
            XCTAssertThrowsError(try Distributed.checkLaunch(environment: [key: "2"])) {
                XCTAssertTrue("\($0)".contains("--traits MPI"), "\($0)")
                XCTAssertFalse("\($0)".contains("\n"))
            }
        }
    }

    static let config = RandmanConfig(classes: 3, units: 20, steps: 15, manifoldDim: 1, alpha: 2, samplesPerClass: 30, seed: 3)
    let spec = NetworkSpec(inputs: 20, hidden: [16], outputs: 3, neuronParameters: ["tau": "10", "decay_input": "false", "surrogate": "atan"],
                           weightGain: 4)

    /// One chunk per batch is the ordinary training step: the bits of `Trainer.run`.
    func testOneChunkPerBatchGivesTheBitsOfTrainerRun() throws {
        let (train, test) = try SpikeDataset.randman(Self.config).split(trainFraction: 0.8)
        var options = TrainingOptions()
        options.epochs = 2; options.batchSize = 16
        let (a, sa) = try Trainer.run(spec: spec, train: train, test: test, options: options) { _ in }
        let (b, sb) = try Trainer.runDataParallel(spec: spec, train: train, test: test, options: options,
                                                  parallel: DataParallelOptions(chunkSize: 16)) { _ in }
        XCTAssertEqual(a.parameters.map(\.value), b.parameters.map(\.value))
        XCTAssertEqual(sa.testAccuracy, sb.testAccuracy)
        XCTAssertEqual(sa.trainAccuracy, sb.trainAccuracy)
        XCTAssertEqual(sa.finalLoss, sb.finalLoss)
    }

    /// Chunks of 5 (the last one short) give the batch gradient up to rounding, the same bits for any thread count.
    func testChunksGiveTheBatchGradientAndTheSameBitsForAnyThreads() throws {
        let (train, test) = try SpikeDataset.randman(Self.config).split(trainFraction: 0.8)
        var options = TrainingOptions()
        options.epochs = 1; options.batchSize = 16; options.optimizer = "sgd"; options.momentum = 0; options.learningRate = 1e-2
        let (whole, _) = try Trainer.run(spec: spec, train: train, test: test, options: options) { _ in }
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        var results: [[Tensor]] = []
        for threads in [1, 3] {
            Parallel.threadCount = threads
            let (chunked, _) = try Trainer.runDataParallel(spec: spec, train: train, test: test, options: options,
                                                           parallel: DataParallelOptions(chunkSize: 5)) { _ in }
            results.append(chunked.parameters.map(\.value))
        }
        XCTAssertEqual(results[0], results[1])
        for (p, q) in zip(whole.parameters.map(\.value), results[0]) {
            for (x, y) in zip(p.scalars, q.scalars) { XCTAssertEqual(x, y, accuracy: 1e-4 * max(1, abs(x))) }
        }
        XCTAssertNotEqual(whole.parameters.map(\.value), results[0], "chunks change the order of the sums")
    }

    /// What ranks compare at start-up changes with the options, the data and the initial weights.
    func testRunDescriptionSeesOptionsDataAndWeights() throws {
        let (train, test) = try SpikeDataset.randman(Self.config).split(trainFraction: 0.8)
        var rng = SeededRandom(seed: 0)
        let params = try spec.build(rng: &rng).parameters
        let options = TrainingOptions(), parallel = DataParallelOptions()
        let base = try Trainer.runDescription(params: params, train: train, test: test, options: options, parallel: parallel)
        XCTAssertEqual(base, try Trainer.runDescription(params: params, train: train, test: test, options: options, parallel: parallel))
        var other = options
        other.learningRate *= 2
        XCTAssertNotEqual(base, try Trainer.runDescription(params: params, train: train, test: test, options: other, parallel: parallel))
        XCTAssertNotEqual(base, try Trainer.runDescription(params: params, train: DatasetSubset(train, indices: Array(1..<train.count)),
                                                           test: test, options: options, parallel: parallel))
        XCTAssertNotEqual(base, try Trainer.runDescription(params: params, train: train, test: test, options: options,
                                                           parallel: DataParallelOptions(chunkSize: 8)))
        var rng2 = SeededRandom(seed: 1)
        let params2 = try spec.build(rng: &rng2).parameters
        XCTAssertNotEqual(base, try Trainer.runDescription(params: params2, train: train, test: test, options: options, parallel: parallel))
    }

    /// With one chunk per batch, the schedule (per batch), the no-decay parameter groups and the per-epoch test
    /// evaluation of `fit` give the same bits, the same learning rates and the same epoch records.
    func testScheduleNoDecayAndEachEpochEvaluationFollowFit() throws {
        let (train, test) = try SpikeDataset.randman(Self.config).split(trainFraction: 0.8)
        var options = TrainingOptions()
        options.epochs = 3; options.batchSize = 16; options.optimizer = "adamw"; options.weightDecay = 0.05
        options.noDecay = ["bias"]; options.schedule = .cosine(minimum: 1e-4); options.evaluateEachEpoch = true
        options.clipNorm = 1
        var fitStates: [TrainingState] = [], dpStates: [TrainingState] = []
        let (a, sa) = try Trainer.run(spec: spec, train: train, test: test, options: options, epochEnd: { fitStates.append($0) }) { _ in }
        var reports = 0
        let (b, sb) = try Trainer.runDataParallel(spec: spec, train: train, test: test, options: options,
                                                  parallel: DataParallelOptions(chunkSize: 16), epochEnd: { dpStates.append($0) }) {
            if $0.finished != nil { reports += 1 }
        }
        XCTAssertEqual(a.parameters.map(\.value), b.parameters.map(\.value))
        XCTAssertEqual(sa.testAccuracy, sb.testAccuracy)
        XCTAssertEqual(sa.finalLoss, sb.finalLoss)
        XCTAssertEqual(reports, 3)
        XCTAssertEqual(dpStates.map(\.epochsDone), [1, 2, 3])
        let rates = dpStates.last!.history.map(\.learningRate)
        XCTAssertEqual(rates, fitStates.last!.history.map(\.learningRate))
        XCTAssertEqual(Set(rates).count, 3, "the cosine schedule changes the rate every epoch")
        XCTAssertEqual(dpStates.last!.history.map(\.testLoss), fitStates.last!.history.map(\.testLoss))
        XCTAssertNotNil(dpStates.last!.history.last!.testAccuracy)
        XCTAssertEqual(dpStates.last!.optimizerState.map(\.0), fitStates.last!.optimizerState.map(\.0))
        XCTAssertEqual(dpStates.last!.optimizerState.map(\.1), fitStates.last!.optimizerState.map(\.1))
        // Without the exemption the weights differ: the groups are really used.
        var decayAll = options
        decayAll.noDecay = nil
        let (c, _) = try Trainer.runDataParallel(spec: spec, train: train, test: test, options: decayAll,
                                                 parallel: DataParallelOptions(chunkSize: 16)) { _ in }
        XCTAssertNotEqual(b.parameters.map(\.value), c.parameters.map(\.value))
    }

    /// Chunks of 5, a per-batch (one-cycle) schedule and no-decay groups: a run stopped after its first epoch, saved
    /// as a checkpoint and resumed in a fresh model gives the bits (weights, optimizer state, epoch records) of the
    /// uninterrupted run.
    func testResumeWithChunksGivesTheBitsOfTheUninterruptedRun() throws {
        let (train, test) = try SpikeDataset.randman(Self.config).split(trainFraction: 0.8)
        var options = TrainingOptions()
        options.epochs = 3; options.batchSize = 16; options.weightDecay = 0.01; options.noDecay = ["bias"]
        options.schedule = .oneCycle(pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4); options.evaluateEachEpoch = true
        let parallel = DataParallelOptions(chunkSize: 5)
        var states: [TrainingState] = []
        let (whole, s1) = try Trainer.runDataParallel(spec: spec, train: train, test: test, options: options, parallel: parallel,
                                                      epochEnd: { states.append($0) }) { _ in }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dp-\(UUID().uuidString).safetensors")
        defer { for u in [url, TrainingCheckpoint.optimizerURL(for: url)] { try? FileManager.default.removeItem(at: u) } }
        struct Stop: Error {}
        var rng = SeededRandom(seed: options.seed)
        let first = try spec.build(rng: &rng)
        XCTAssertThrowsError(try Trainer.fitDataParallel(first, readout: try spec.makeReadout(), train: train, test: test, options: options,
                                                         parallel: parallel, epochEnd: { st in
            try TrainingCheckpoint(module: first, model: .network(self.spec), training: options, state: st).write(to: url)
            throw Stop()
        }, report: { _ in })) { XCTAssertTrue($0 is Stop) }
        let ck = try TrainingCheckpoint.read(from: url, optimizer: true)
        XCTAssertEqual(ck.state?.epochsDone, 1)
        var rng2 = SeededRandom(seed: 99)
        let resumed = try spec.build(rng: &rng2)
        try ck.load(into: resumed)
        var after: [TrainingState] = []
        let s2 = try Trainer.fitDataParallel(resumed, readout: try spec.makeReadout(), train: train, test: test, options: ck.training,
                                             parallel: parallel, resume: ck.state, epochEnd: { after.append($0) }, report: { _ in })
        XCTAssertEqual(whole.parameters.map(\.value), resumed.parameters.map(\.value))
        XCTAssertEqual(s1.testAccuracy, s2.testAccuracy)
        XCTAssertEqual(s1.finalLoss, s2.finalLoss)
        XCTAssertEqual(after.map(\.epochsDone), [2, 3])
        XCTAssertEqual(after.last!.history.map(\.trainLoss), states.last!.history.map(\.trainLoss))
        XCTAssertEqual(after.last!.history.map(\.learningRate), states.last!.history.map(\.learningRate))
        XCTAssertEqual(after.last!.optimizerState.map(\.1), states.last!.optimizerState.map(\.1))
    }

    /// Batch normalization and Dropout would make the result depend on the division: refused with one line.
    func testBatchNormAndDropoutAreRefused() throws {
        let (train, test) = try SpikeDataset.randman(Self.config).split(trainFraction: 0.8)
        var rng = SeededRandom(seed: 0)
        let bn = Sequential(layers: [Linear(20, 3, rng: &rng), BatchNorm1d(3)])
        XCTAssertThrowsError(try Trainer.fitDataParallel(bn, readout: try spec.makeReadout(), train: train, test: test,
                                                         options: TrainingOptions(), report: { _ in })) {
            XCTAssertTrue("\($0)".contains("module '1' is a batch normalization"), "\($0)")
            XCTAssertFalse("\($0)".contains("\n"))
        }
        let drop = Sequential(layers: [Linear(20, 3, rng: &rng), Dropout(p: 0.2, seed: 1)])
        XCTAssertThrowsError(try Trainer.checkDataParallel(drop)) { XCTAssertTrue("\($0)".contains("module '1' draws random numbers"), "\($0)") }
        var rng3 = SeededRandom(seed: 0)
        XCTAssertNoThrow(try Trainer.checkDataParallel(try spec.build(rng: &rng3)))
    }

    func testBadChunkSizeIsAOneLineError() throws {
        XCTAssertThrowsError(try DataParallelOptions(chunkSize: 0).validate()) { XCTAssertTrue("\($0)".contains("chunk size")) }
    }
}

/// Says, in the default `swift test`, that the runs over several processes were skipped here.
final class MPIRunsTests: XCTestCase {
    func testMPIRunsAreInTestsMPIRunSh() throws {
        throw XCTSkip("MPI tests skipped: they run the real binary under mpirun -np 2 and 3 (Tests/MPI/run.sh, started by .ci/run after it installs Open MPI)")
    }
}
