import XCTest
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
