import ArgumentParser
import Foundation
import SpikeKit
import SpikeDistributed
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Commands that run divided among MPI ranks; the others refuse under `mpirun` with more than one process
/// (they would run as N copies writing the same files).
protocol DistributedCommand {
    /// Whether this invocation runs divided (`spike simulate` only with `--sweep`).
    var runsDivided: Bool { get }
}
extension Train: DistributedCommand { var runsDivided: Bool { true } }
extension Simulate: DistributedCommand { var runsDivided: Bool { !sweepOptions.sweep.isEmpty } }

/// `spike train`'s options of data-parallel training (docs/DISTRIBUTED.md).
struct DataParallelCLIOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Data-parallel training: samples per chunk, the unit of work (the same bits for any number of MPI ranks and threads, and for a single process given the same --chunk). Default: 16 under mpirun, otherwise each batch is trained whole.")
    var chunk: Int?
    @Option(help: "How chunk gradients are combined across ranks: exact (a fixed tree: the same bits for any number of ranks) or allreduce (MPI_Allreduce's order: the bits depend on the number of ranks).")
    var reduction: DataParallelOptions.Reduction = .exact

    /// Whether this run trains data-parallel: under mpirun (more than one rank), or with `--chunk` or `--reduction`.
    var isDataParallel: Bool { Distributed.world.size > 1 || chunk != nil || reduction != .exact }
    /// The library options of `--chunk` (default 16) and `--reduction`.
    var dataParallelOptions: DataParallelOptions { DataParallelOptions(chunkSize: chunk ?? 16, reduction: reduction) }

    /// Prints rank 0's line on where a data-parallel run's time went.
    func printTiming(_ timing: DataParallelTiming) {
        let world = Distributed.world
        guard world.isRoot else { return }
        FileHandle.standardError.write(Data(String(format: "data-parallel: %d process%@, chunks of %d, %@ reduction: %.1f%% of %.2f s combining gradients (%.0f floats sent per step by rank 0)\n",
                                                   world.size, world.size == 1 ? "" : "es", dataParallelOptions.chunkSize, reduction.rawValue,
                                                   100 * timing.communicationSeconds / max(1e-9, timing.trainingSeconds),
                                                   timing.trainingSeconds, timing.floatsSentPerStep).utf8))
    }

    /// Trains through `Trainer.runDataParallel` under mpirun (more than one rank) or when `--chunk` is given,
    /// otherwise through `Trainer.run`. `epochEnd` is called on rank 0 only.
    func train(spec: NetworkSpec, train: any Dataset, test: any Dataset, options: TrainingOptions, printing: Bool = true,
               epochEnd: (TrainingState) throws -> Void = { _ in },
               report: (TrainingProgress) -> Void) throws -> (Sequential, TrainingSummary) {
        let world = Distributed.world
        guard isDataParallel else {
            return try Trainer.run(spec: spec, train: train, test: test, options: options, epochEnd: epochEnd, report: report)
        }
        let parallel = dataParallelOptions
        let timing = DataParallelTiming()
        let result = try Trainer.runDataParallel(spec: spec, train: train, test: test, options: options, parallel: parallel,
                                                 on: world, timing: timing, epochEnd: epochEnd, report: report)
        if printing { printTiming(timing) }
        return result
    }
}

extension DataParallelOptions.Reduction: ExpressibleByArgument {}

extension SpikeCommand {
    /// `runAndExit` for a process that may be one of several MPI ranks.
    ///
    /// A build without MPI started by `mpirun` with more than one process stops with one line naming the fix
    /// (status 1, nothing written). Under MPI with several ranks: the ranks' command lines are compared first (a
    /// hash; a rank started with different options stops the job with one line), commands other than
    /// `DistributedCommand`s refuse, an error on any rank prints one line `Error: rank R: ...` and ends the whole
    /// job (MPI_Abort, so that no rank waits for it), and only rank 0 prints help. A rank killed from outside ends
    /// the job through `mpirun` (it names the rank); files are only ever published whole by rank 0.
    public static func runDistributedAndExit(_ arguments: [String]? = nil) -> Never {
        let world: Communicator
        do { world = try Distributed.start() } catch {
            // Every copy refuses; the first alone says why (one line for the whole job).
            if (Distributed.launcherRank() ?? 0) == 0 {
                FileHandle.standardError.write(Data(("Error: " + ErrorLine.format("\(error)") + "\n").utf8))
            }
            Foundation.exit(1)
        }
        guard world.size > 1 else { runAndExit(arguments) }
        let args = arguments ?? Array(CommandLine.arguments.dropFirst())
        do {
            try Distributed.checkSameRun(args.joined(separator: "\u{0}"), on: world, what: "command-line options")
            var command = try parseAsRoot(args)
            guard (command as? DistributedCommand)?.runsDivided == true else {
                throw CLIError("this command does not run divided among processes (spike train and spike simulate --sweep do); run it without mpirun")
            }
            try command.run()
            try world.barrier()
            Distributed.finish()
            Foundation.exit(0)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                if world.isRoot { print(fullMessage(for: error)) }
                Distributed.finish()
                Foundation.exit(0)
            }
            let line = "Error: rank \(world.rank): " + ErrorLine.format(message(for: error), usage: code == .validationFailure) + "\n"
            // Rank 0 speaks first; when every rank fails alike, its abort ends the others before they print.
            if !world.isRoot { usleep(500_000) }
            FileHandle.standardError.write(Data(line.utf8))
            world.abort(code: code.rawValue == 0 ? 1 : code.rawValue)
        }
    }
}

/// `spike train`'s sweep options.
struct TrainSweepOptions: ParsableArguments {
    @Option(help: "Sweep a training option over values, NAME=V1,V2,... (repeatable: the grid of all; names: \(TrainSweepOptions.names.joined(separator: ", "))). Each point trains in one process (under mpirun the points are divided among ranks) and writes DIR/POINT/model.safetensors; DIR/sweep.csv has one row per point.")
    var sweep: [String] = []
    @Option(name: .customLong("sweep-output"), help: "Output folder of --sweep.")
    var sweepOutput: String?

    /// The training options a sweep may vary.
    static let names = ["lr", "hidden", "seed", "batch-size", "epochs", "weight-decay"]
}

extension Train {
    /// This command with the sweep's parameters `point` applied.
    func applying(_ point: [(name: String, value: String)]) throws -> Train {
        var copy = self
        copy.sweepOptions.sweep = []
        for (name, value) in point {
            func number<T: LosslessStringConvertible>(_: T.Type) throws -> T {
                guard let v = T(value) else { throw CLIError("--sweep \(name): '\(value)' is not a number") }
                return v
            }
            switch name {
            case "lr": copy.learningRate = try number(Float.self)
            case "hidden": copy.hidden = value.replacingOccurrences(of: "x", with: ",")
            case "seed": copy.seed = try number(UInt64.self)
            case "batch-size": copy.batchSize = try number(Int.self)
            case "epochs": copy.epochsOption = try number(Int.self)
            case "weight-decay": copy.weightDecay = try number(Float.self)
            default: throw CLIError("--sweep: '\(name)' cannot be swept (sweepable: \(TrainSweepOptions.names.joined(separator: ", ")))")
            }
        }
        return copy
    }

    /// `spike train --sweep`: every point of the grid trained in one process (points divided among MPI ranks by
    /// `Sweep.run`), its model in `DIR/POINT/model.safetensors`, and `DIR/sweep.csv` (one row per point: the swept
    /// values, test and train accuracy, final loss; no timings, so the file is the same for any number of ranks)
    /// written by rank 0 once every point succeeded. `hidden` values use `x` between layer sizes (`128x64`).
    func runSweep() throws {
        let sweep: Sweep
        do { sweep = try Sweep(parsing: sweepOptions.sweep) } catch { throw CLIError("\(error)") }
        guard let out = sweepOptions.sweepOutput else { throw CLIError("--sweep needs --sweep-output DIR") }
        guard save == nil, nir == nil else { throw CLIError("--sweep writes DIR/POINT/model.safetensors itself; leave out --save and --nir") }
        guard parallel.chunk == nil, parallel.reduction == .exact else { throw CLIError("--sweep runs each point in one process; leave out --chunk and --reduction") }
        // Every point's options are checked before any training.
        for i in 0..<sweep.count { _ = try applying(sweep.point(i)) }
        let comm = Distributed.world
        let dir = URL(fileURLWithPath: out)
        let csvURL = dir.appendingPathComponent("sweep.csv")
        let outputs = comm.isRoot ? try StagedOutputs([csvURL], creating: [dir]) : nil
        try comm.barrier()   // the folder exists before any rank writes into it
        if comm.isRoot { FileHandle.standardError.write(Data("sweep: \(sweep.count) points on \(comm.size) process\(comm.size == 1 ? "" : "es")\n".utf8)) }
        let rows = try sweep.run(on: comm) { i, point in
            var train = try applying(point)
            let folder = dir.appendingPathComponent(sweep.folderName(i))
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            train.save = folder.appendingPathComponent("model.safetensors").path
            guard let s = try Distributed.withWorld(.single, { try train.execute(printing: false) }) else { return [] }
            FileHandle.standardError.write(Data("sweep: point \(i) \(point.map { "\($0.name)=\($0.value)" }.joined(separator: " ")): test accuracy \(s.testAccuracy)\n".utf8))
            return ["\(s.testAccuracy)", "\(s.trainAccuracy)", "\(s.finalLoss)"]
        }
        guard let rows, let outputs else { return }
        try outputs.stage(Data(sweep.csv(columns: ["test_accuracy", "train_accuracy", "final_loss"], rows: rows).utf8), for: csvURL)
        try outputs.publish()
        print("wrote \(sweep.count) points and sweep.csv to \(out)")
    }
}

/// `spike simulate`'s sweep option.
struct SimulateSweepOptions: ParsableArguments {
    @Option(help: "Sweep a parameter over values, NAME=V1,V2,... (repeatable: the grid of all): an --example's --set names (see --list-examples), or seed and duration for a network file. Each point writes its recordings to OUTPUT/POINT as a single run does (under mpirun the points are divided among ranks); OUTPUT/sweep.csv has one row per point: the values and, per group, spikes, mean rate (Hz) and mean CV.")
    var sweep: [String] = []
}

extension Simulate {
    /// This command for one point of a sweep: the values as `--set` (examples) or `--seed`/`--duration` (files).
    func applying(_ point: [(name: String, value: String)], output folder: String) throws -> Simulate {
        var copy = self
        copy.sweepOptions.sweep = []
        copy.output = folder
        copy.json = false
        for (name, value) in point {
            if let example {
                guard NetworkExampleFiles.settings[example]?.contains(where: { $0.name == name }) ?? true else {
                    throw CLIError("--sweep: example '\(example)' has no setting '\(name)' (see --list-examples)")
                }
                copy.assignments.append("\(name)=\(value)")
            } else if name == "seed" {
                guard let v = UInt64(value) else { throw CLIError("--sweep seed: '\(value)' is not a seed") }
                copy.seed = v
            } else if name == "duration" {
                _ = try DurationOption.milliseconds(value, bareUnit: "ms")   // checked here, as --duration takes it
                copy.duration = value
            } else {
                throw CLIError("--sweep: a network file sweeps seed and duration (edit the file, or use --example, for other parameters); got '\(name)'")
            }
        }
        return copy
    }

    /// `spike simulate --sweep`: every point run in one process (points divided among MPI ranks by `Sweep.run`),
    /// its recordings in `OUTPUT/POINT/` exactly as `spike simulate --output OUTPUT/POINT` writes them, and
    /// `OUTPUT/sweep.csv` (per point: the values, then per group spikes, mean rate and mean CV; no timings, so the
    /// file is the same for any number of ranks) written by rank 0 once every point succeeded.
    func runSweep() throws {
        let sweep: Sweep
        do { sweep = try Sweep(parsing: sweepOptions.sweep) } catch { throw CLIError("\(error)") }
        guard let output else { throw CLIError("spike simulate --sweep: --output DIR is required") }
        guard saveState == nil, resume == nil, !print, !check, !listExamples else {
            throw CLIError("--sweep runs and records every point; leave out --save-state, --resume, --print, --check and --list-examples")
        }
        let dir = URL(fileURLWithPath: output)
        // Every point's settings are checked (the network file made) before any run.
        for i in 0..<sweep.count { _ = try applying(sweep.point(i), output: output).source() }
        let comm = Distributed.world
        let csvURL = dir.appendingPathComponent("sweep.csv")
        let outputs = comm.isRoot ? try StagedOutputs([csvURL], creating: [dir]) : nil
        try comm.barrier()
        var columns: [String] = []
        let rows = try sweep.run(on: comm) { i, point in
            let folder = dir.appendingPathComponent(sweep.folderName(i))
            try Distributed.withWorld(.single) { try applying(point, output: folder.path).run() }
            let data = try InputFile.read(path: folder.appendingPathComponent("summary.json").path)
            let summary = try JSONDecoder().decode(SimulationSummary.self, from: data)
            if i == 0 { columns = summary.groups.flatMap { ["\($0.name)_spikes", "\($0.name)_rate_hz", "\($0.name)_cv"] } }
            return summary.groups.flatMap { ["\($0.spikes)", "\($0.meanRateHz)", $0.meanCV.map { "\($0)" } ?? ""] }
        }
        guard let rows, let outputs else { return }
        try outputs.stage(Data(sweep.csv(columns: columns, rows: rows).utf8), for: csvURL)
        try outputs.publish()
        Swift.print("wrote \(sweep.count) points and sweep.csv to \(output)")
    }
}
