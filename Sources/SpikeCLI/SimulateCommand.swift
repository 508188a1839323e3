import ArgumentParser
import Foundation
import SpikeKit

/// What `spike simulate` reports on stdout (`--json`) and writes to `summary.json`.
public struct SimulationSummary: Codable, Equatable {
    /// One neuron group's activity.
    public struct Group: Codable, Equatable {
        /// The group's name.
        public let name: String
        /// The zoo model id.
        public let model: String
        /// Number of neurons.
        public let size: Int
        /// Spikes of the whole group from time 0 to the end of this run (a resumed run counts its saved part
        /// too), as the spike monitor files hold them.
        public let spikes: Int
        /// Mean firing rate per neuron from time 0 to the end of this run, in Hz.
        public let meanRateHz: Double
        /// Mean coefficient of variation of the inter-spike intervals over the neurons with at least 3 recorded
        /// spikes (from the group's spikes monitor, whole recording; nil without one or without such neurons).
        public let meanCV: Double?
    }
    /// The network file (or `example:NAME`).
    public let network: String
    /// Clock step in ms.
    public let dt: Float
    /// Biological time at the start of this run in ms (0, or where `--resume` continued).
    public let startMs: Double
    /// Biological time simulated in this run, in ms.
    public let durationMs: Double
    /// Steps simulated in this run.
    public let steps: Int
    /// Seed of the network.
    public let seed: UInt64
    /// Wall-clock time of the run (building excluded), in seconds.
    public let wallSeconds: Double
    /// Per group.
    public let groups: [Group]
    /// The files written to the output folder, in order.
    public let files: [String]
}

/// Progress of a simulation in biological time on stderr: a bar redrawn in place on a terminal, otherwise a
/// plain line at every tenth of the run (as `spike train` prints one per epoch).
final class SimulationProgress {
    let live: Bool
    let dt: Double
    /// Steps already run before this run (a resumed run shows absolute time).
    let offset: Int
    let start = Date()
    var lastDraw = Date.distantPast

    /// Columns of the terminal the bar is drawn in.
    let width: Int

    init(dt: Double, offset: Int = 0, live: Bool = isatty(2) != 0, width: Int = SimulationProgress.terminalWidth()) {
        self.dt = dt; self.offset = offset; self.live = live; self.width = width
    }

    /// The width of the terminal on stderr: its window size, else `COLUMNS`, else 80.
    static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c > 0 { return c }
        return 80
    }

    /// The live line for `done` of `total` steps after `elapsed` seconds, at most `width - 1` columns (the
    /// cursor's column stays free, so the terminal never wraps it): the bar shrinks first, then the text is cut.
    func line(_ done: Int, _ total: Int, elapsed: Double) -> String {
        let text = String(format: "t = %.1f / %.1f ms  (%d / %d steps, %.0f steps/s)", Double(offset + done) * dt,
                          Double(offset + total) * dt, done, total, Double(done) / max(elapsed, 1e-9))
        let room = width - 1
        let barWidth = min(24, room - text.count - 3)
        guard barWidth >= 8 else { return String(text.prefix(max(0, room))) }
        let filled = Int(Double(barWidth) * Double(done) / Double(max(1, total)))
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled) + "] " + text
    }

    /// How often (in steps) the network should call `update` for a run of `total` steps.
    func every(_ total: Int) -> Int { live ? max(1, total / 200) : max(1, (total + 9) / 10) }

    func update(_ done: Int, _ total: Int) {
        let elapsed = Date().timeIntervalSince(start)
        let text = String(format: "t = %.1f / %.1f ms  (%d / %d steps, %.0f steps/s)", Double(offset + done) * dt,
                          Double(offset + total) * dt, done, total, Double(done) / max(elapsed, 1e-9))
        if live {
            let now = Date()
            guard now.timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
            lastDraw = now
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(line(done, total, elapsed: elapsed))".utf8))
            if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else {
            FileHandle.standardError.write(Data("simulate: \(text)\n".utf8))
        }
    }
}

/// `spike simulate`: runs a network file (or a built-in example) and writes its recordings.
public struct Simulate: ParsableCommand {
    /// The command's name, help and discussion.
    public static let configuration = CommandConfiguration(
        abstract: "Simulate a network described in a JSON file (docs/SIMULATION.md) and write its recordings.",
        discussion: """
        Output (DIR, which must be empty or new unless --overwrite): per spikes monitor NAME_i.npy (int32 neuron indices), \
        NAME_t.npy (float64 times in ms) and NAME.csv; per state monitor \
        NAME_VAR.npy ([samples, neurons]) and NAME_VAR.csv; per rate monitor NAME.npy ([steps], Hz) and NAME.csv; \
        summary.json; with --plot FILE.svg a raster of every spikes monitor and the population rate. Files appear \
        only when the run succeeded and every file (with --save-state the state too) was written: all or nothing. Examples: \(NetworkExampleFiles.names.joined(separator: ", ")) \
        (--example NAME --print shows one as a network file, --list-examples their --set names).
        """)

    @Argument(help: "Network file (.json).") var file: String?
    @Option(help: "Run a built-in example instead of a file: \(NetworkExampleFiles.names.joined(separator: ", ")).") var example: String?
    @Option(name: .customLong("set"), help: "Example parameter NAME=VALUE (repeatable; see --list-examples).") var assignments: [String] = []
    @Flag(help: "Print the network file (of --example, or FILE as checked) on stdout and exit.") var print = false
    @Flag(help: "List the built-in examples with their --set names and defaults.") var listExamples = false
    @Flag(help: "Check the network file completely (parse and build the network), report its size, and exit without running.") var check = false
    @Option(help: "Output folder (new or empty, unless --overwrite).") var output: String?
    @Flag(help: "Write into a non-empty output folder: files of this run replace theirs, and the files an earlier run listed in its summary.json are removed.") var overwrite = false
    @Option(parsing: .unconditional, help: "Override the file's duration, with its unit: 500ms, 2s (a bare number reads as ms, deprecated).") var duration: String?
    @Option(parsing: .unconditional, help: "Override the file's seed.") var seed: UInt64?
    @Option(help: "Draw the spikes of every spikes monitor and the population rate to this figure (.svg or .png).") var plot: String?
    @OptionGroup var figure: PlotOptions
    @Option(help: "After the run, save the network's whole state (neurons, queued spikes, weights, traces, generators, recordings, time) to this .safetensors file.") var saveState: String?
    @Option(help: "Continue from a state saved by --save-state with the same network file and seed: runs the duration further, bit for bit as one uninterrupted run.") var resume: String?
    @Flag(help: "Print the summary as one line of JSON on stdout.") var json = false
    @OptionGroup var sweepOptions: SimulateSweepOptions

    /// A command with every option at its default (ArgumentParser fills them in).
    public init() {}

    /// The network-file text and its name.
    func source() throws -> (text: String, name: String, directory: URL) {
        switch (file, example) {
        case (nil, nil): throw CLIError("spike simulate: give a network FILE or --example NAME (\(NetworkExampleFiles.names.joined(separator: ", ")))")
        case (_?, _?): throw CLIError("spike simulate: give a network FILE or --example NAME, not both")
        case let (nil, name?):
            let text = try NetworkExampleFiles.text(name, settings: try parseAssignments(assignments))
            return (text, "example:\(name)", URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        case let (path?, nil):
            guard assignments.isEmpty else { throw CLIError("--set is for --example; edit the network file instead") }
            let data: Data
            do { data = try InputFile.read(path: path) }
            catch let SpikeIOError.cannotRead(_, reason) { throw CLIError("\(path): cannot read the network file: \(reason)") }
            return (String(decoding: data, as: UTF8.self), path, URL(fileURLWithPath: path).deletingLastPathComponent())
        }
    }

    /// Lists, prints, checks or runs the network and writes its outputs.
    public func run() throws {
        if !sweepOptions.sweep.isEmpty { return try runSweep() }
        if listExamples {
            for e in NetworkExampleFiles.names {
                Swift.print(e)
                for (k, v, help) in NetworkExampleFiles.settings[e]! { Swift.print("    \(k) = \(v)  \(help)") }
            }
            return
        }
        let (text, name, directory) = try source()
        var d = try NetworkFile.parse(Array(text.utf8), file: name, directory: directory)
        if print {
            Swift.print(text.hasSuffix("\n") ? String(text.dropLast()) : text)
            return
        }
        if let text = self.duration {
            let duration = try DurationOption.milliseconds(text, bareUnit: "ms")
            guard duration / Double(d.dt) < Double(Int32.max) else {
                throw CLIError("--duration: \(duration) ms is more than the \(Int32.max) steps of \(d.dt) ms a run can have")
            }
            d.duration = duration
        }
        if let seed { d.seed = seed }
        if check {
            let net = try NetworkBuilder.build(d)
            Swift.print("\(name): ok: \(net.groups.count) groups (\(net.groups.reduce(0) { $0 + $1.size }) neurons), \(d.inputs.count) inputs, \(net.synapses.count) projections (\(net.synapses.reduce(0) { $0 + $1.count }) synapses), \(d.monitors.count) monitors; \(d.steps) steps of \(net.dt) ms")
            return
        }
        guard let output else { throw CLIError("spike simulate: --output DIR is required") }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: output, isDirectory: &isDir), !isDir.boolValue {
            throw CLIError("\(output): exists and is not a folder")
        }
        let spikeMonitors = d.monitors.filter { if case .spikes = $0.kind { return true }; return false }
        if plot != nil, spikeMonitors.isEmpty { throw CLIError("\(name): --plot draws the spikes monitors, and the file has none") }
        // Every output (recordings, plot, summary, state) is validated now and published together at the end.
        let dir = URL(fileURLWithPath: output)
        let fileNames = d.monitors.flatMap(\.files) + ["summary.json"]
        let plotURL = plot.map { URL(fileURLWithPath: $0) }
        let figureOptions = try figure.options(neurons: 1000)
        if let plot { _ = try PlotOptions.encode(Figure(width: 1, height: 1), for: plot) }
        let stateURL = saveState.map { URL(fileURLWithPath: $0) }
        let stale = try OutputFolder.check(dir, overwrite: overwrite)
        let outputs = try StagedOutputs(fileNames.map { dir.appendingPathComponent($0) } + (stateURL.map { [$0] } ?? []) + (plotURL.map { [$0] } ?? []), creating: [dir])

        let net = try NetworkBuilder.build(d)
        // The step as written (0.1, not the nearest Float's 0.10000000149), so times and durations read as given.
        let dtMs = Double("\(net.dt)") ?? Double(net.dt)
        if let resume {
            let state: (tensors: [(String, Tensor)], metadata: [String: String])
            do { state = try SafeTensors.read(from: URL(fileURLWithPath: resume)) } catch { throw CLIError("\(resume): \(error)") }
            if let s = state.metadata["seed"], s != "\(d.seed)" {
                throw CLIError("\(resume): saved from a network with seed \(s), this one has seed \(d.seed) (use the same file and --seed)")
            }
            do {
                try net.restore(tensors: state.tensors, metadata: state.metadata)
                let byName = Dictionary(state.tensors, uniquingKeysWith: { a, _ in a })
                for w in net.monitors.compactMap({ $0 as? WeightMonitor }) { try w.restore(byName) }
                for c in net.monitors.compactMap({ $0 as? SpikeCounter }) { try c.restore(byName) }
            } catch { throw CLIError("\(resume): \(error)") }
        }
        let start = net.step
        let steps = d.steps
        // Checkpoints store the step and recorded steps as float32 integers, exact below 2^24 (Network.checkpoint).
        if saveState != nil, start + steps >= 16_777_216 {
            throw CLIError("--save-state: a state can be saved up to step 16777215 (\(String(format: "%g", 16_777_215 * dtMs)) ms at dt \(net.dt) ms); this run ends at step \(start + steps)")
        }
        try net.checkRun(steps: steps)
        FileHandle.standardError.write(Data("simulate: \(name): \(net.groups.count) groups (\(net.groups.reduce(0) { $0 + $1.size }) neurons), \(net.synapses.reduce(0) { $0 + $1.count }) synapses, \(d.duration) ms at dt \(d.dt) ms\(start > 0 ? String(format: " from %g ms", Double(start) * dtMs) : "")\n".utf8))
        let progress = SimulationProgress(dt: dtMs, offset: start)
        let t0 = Date()
        try net.run(steps: steps, progressEvery: progress.every(steps), progress: progress.update)
        let wall = Date().timeIntervalSince(t0)

        // Everything is in memory now; write it out, each file atomically.
        /// Times in ms without the last bits of binary noise (23.7, not 23.700000000000003).
        func ms(_ steps: Int) -> Double { (Double(steps) * dtMs * 1e9).rounded() / 1e9 }
        let duration = ms(steps)
        var files = Self.recordings(net, dtMs: dtMs)
        let groups = net.monitors.compactMap { $0 as? SpikeCounter }.map { c in
            SimulationSummary.Group(name: c.group.name, model: c.group.model.id, size: c.group.size, spikes: c.count,
                                    meanRateHz: SpikeStatistics.meanRate(spikes: c.count, neurons: c.group.size, duration: ms(start + steps)),
                                    meanCV: net.monitors.compactMap { $0 as? SpikeMonitor }.first { $0.source === c.group }.flatMap { m in
                                        let cvs = SpikeStatistics.cvISI(m.trains(dt: net.dt))
                                        return cvs.isEmpty ? nil : SpikeStatistics.mean(cvs)
                                    })
        }
        if let plot, let plotURL {
            let bands = net.monitors.compactMap { $0 as? SpikeMonitor }.map { m in
                NetworkRasterFigure.Band(name: m.source.name, size: m.source.size, indices: m.indices, steps: m.steps, isGroup: m.source is NeuronGroup)
            }
            let figure = NetworkRasterFigure.figure(bands, steps: net.step, dt: dtMs,
                                                    title: "\(name): \(String(format: "%g", Double(net.step) * dtMs)) ms", options: figureOptions)
            try outputs.stage(try PlotOptions.encode(figure, for: plot), for: plotURL)
        }
        let summary = SimulationSummary(network: name, dt: net.dt, startMs: ms(start), durationMs: duration, steps: steps, seed: d.seed, wallSeconds: wall,
                                        groups: groups, files: files.map(\.0) + ["summary.json"])
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .prettyPrinted]
        files.append(("summary.json", try enc.encode(summary)))
        for (f, data) in files { try outputs.stage(data, for: dir.appendingPathComponent(f)) }
        if let stateURL {
            var (tensors, metadata) = try net.checkpoint()
            for w in net.monitors.compactMap({ $0 as? WeightMonitor }) { tensors += w.checkpoint() }
            for c in net.monitors.compactMap({ $0 as? SpikeCounter }) { tensors += c.checkpoint() }
            try outputs.stage(stateURL) { try SafeTensors.write(tensors, metadata: metadata, to: $0) }
        }
        try outputs.publish()
        OutputFolder.remove(stale, keeping: summary.files, in: dir)

        if json { try printJSON(summary) } else {
            let from = start > 0 ? String(format: ", from %g ms", Double(start) * dtMs) : ""
            Swift.print(String(format: "simulated %g ms (%d steps of %g ms", duration, steps, dtMs) + from + String(format: ") in %.2f s", wall))
            if start > 0 { Swift.print(String(format: "spikes and rates from 0 to %g ms (the saved part included, as in the files):", ms(start + steps))) }
            let width = max(5, groups.map(\.name.count).max() ?? 5)
            for g in groups {
                Swift.print("  \(g.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(String(format: "%7d", g.size)) neurons  \(String(format: "%9d", g.spikes)) spikes  \(String(format: "%8.2f", g.meanRateHz)) Hz" + (g.meanCV.map { String(format: "  CV %.2f", $0) } ?? ""))
            }
            if example == "stdp", let report = try? NetworkExamples.stdpReport(net) { Swift.print(report.summary) }
            Swift.print("wrote \(files.count) files to \(output)" + (plot.map { " and \($0)" } ?? ""))
        }
    }

    /// The output files of `net`'s monitors (see the command's discussion). Times are step x `dtMs` rounded to
    /// Float once, so a spike at step 21 of 0.1 ms reads 2.1, not 2.1000001.
    static func recordings(_ net: Network, dtMs: Double) -> [(String, Data)] {
        func time(_ step: Int32) -> Float { Float(Double(step) * dtMs) }
        var files: [(String, Data)] = []
        for m in net.monitors {
            switch m {
            case let s as SpikeMonitor:
                var csv = "index,time_ms\n"
                // Times as float64 ms, step x dt without binary noise (2.1, not 2.1000000000000001).
                let times = s.steps.map { (Double($0) * dtMs * 1e9).rounded() / 1e9 }
                for (i, t) in zip(s.indices, times) { csv += "\(i),\(t)\n" }
                files.append(("\(s.name)_i.npy", NPY.encode(int32: s.indices, shape: [s.count])))
                files.append(("\(s.name)_t.npy", NPY.encode(float64: times, shape: [s.count])))
                files.append(("\(s.name).csv", Data(csv.utf8)))
            case let s as StateMonitor:
                for v in s.variables {
                    let t = s.tensor(v)
                    var csv = "time_ms," + s.neurons.map { "n\($0)" }.joined(separator: ",") + "\n"
                    let n = s.neurons.count
                    for (r, step) in s.steps.enumerated() {
                        csv += "\(time(step))," + (0..<n).map { "\(t.scalars[r * n + $0])" }.joined(separator: ",") + "\n"
                    }
                    files.append(("\(s.name)_\(v).npy", NPY.encode(t)))
                    files.append(("\(s.name)_\(v).csv", Data(csv.utf8)))
                }
            case let w as WeightMonitor:
                let n = w.indices.count
                var csv = "time_ms," + w.indices.map { "s\($0)" }.joined(separator: ",") + "\n"
                for (r, step) in w.steps.enumerated() {
                    csv += "\(time(step))," + (0..<n).map { "\(w.values[r * n + $0])" }.joined(separator: ",") + "\n"
                }
                files.append(("\(w.name).npy", NPY.encode(Tensor(shape: [w.steps.count, n], scalars: w.values))))
                files.append(("\(w.name).csv", Data(csv.utf8)))
                let pre = w.synapses.matrix.pre, post = w.synapses.matrix.post
                files.append(("\(w.name)_synapses.npy", NPY.encode(Tensor(shape: [n, 2], scalars: w.indices.flatMap { [Float(pre[$0]), Float(post[$0])] }))))
            case let r as PopulationRateMonitor:
                let rates = r.rates(dt: net.dt)
                var csv = "time_ms,rate_hz\n"
                for (k, v) in rates.enumerated() { csv += "\(time(Int32(k))),\(v)\n" }
                files.append(("\(r.name).npy", NPY.encode(Tensor(shape: [rates.count], scalars: rates))))
                files.append(("\(r.name).csv", Data(csv.utf8)))
            default: break
            }
        }
        return files
    }
}
