import ArgumentParser
import Foundation
import SpikeKit

/// `spike bench cuba`: the Vogels & Abbott CUBA network of ../shared/bench/peers/cuba_brian2.py in SpikeSim.
struct CUBABench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cuba",
        abstract: "The CUBA benchmark network (Vogels & Abbott 2005, Brian2's CUBA.py): run time and spike statistics.")
    @Option(parsing: .unconditional, help: "Number of neurons (80 % excitatory).") var neurons = 4000
    @Option(parsing: .unconditional, help: "Biological duration with its unit: 10s, 500ms (a bare number reads as seconds, deprecated).") var duration: String = "10s"
    @Option(parsing: .unconditional, help: "Connection probability.") var p: Double = 0.02
    @Option(parsing: .unconditional, help: "Seed of connectivity and initial membranes.") var seed: UInt64 = 1
    @Option(help: "The network: cuba (default), coba, or brunel (--neurons is then the excitatory count).") var example = "cuba"
    @Option(parsing: .unconditional, help: "Brunel: relative inhibition g.") var g: Float = 5
    @Option(parsing: .unconditional, help: "Brunel: external rate nu_ext / nu_thr.") var nu: Float = 2
    @Flag(help: "cuba: the neuron written as Brian2 equations (SpikeEquations' EquationExamples.cuba) instead of the built-in va_cuba.")
    var equations = false
    @Flag var json = false

    struct Result: Encodable {
        let neurons: Int; let durationSeconds: Double; let p: Double; let synapses: Int
        let buildSeconds: Double; let simSeconds: Double; let spikes: Int
        let meanRateHz: Double; let meanCV: Double; let peakFrequencyHz: Double; let bandPower: [Double]; let peakMemoryMiB: Double
    }

    func run() throws {
        guard !equations || example == "cuba" else { throw CLIError("bench cuba: --equations applies to --example cuba only") }
        guard neurons >= 5 else { throw CLIError("bench cuba: --neurons must be >= 5, got \(neurons)") }
        let duration = try DurationOption.milliseconds(self.duration, bareUnit: "s") / 1000
        guard duration > 0 else { throw CLIError("bench cuba: --duration must be > 0, got \(self.duration)") }
        guard p > 0, p <= 1 else { throw CLIError("bench cuba: --p must be in (0, 1], got \(p)") }
        var net: Network! = nil
        let build = try timed {
            switch example {
            case "cuba":
                net = try NetworkExamples.cuba(neurons: neurons, p: p, seed: seed,
                                               neuron: equations ? AnyNeuronModel(try EquationExamples.cuba()) : nil)
            case "coba": net = try NetworkExamples.coba(neurons: neurons, p: p, seed: seed)
            case "brunel": net = try NetworkExamples.brunel(excitatory: neurons, g: g, nuExtOverNuThr: nu, epsilon: p, seed: seed)
            default: throw CLIError("bench cuba: --example must be cuba, coba or brunel, got '\(example)'")
            }
        }
        let total = net.groups.reduce(0) { $0 + $1.size }
        let sim = try timed { try net.run(duration: duration * 1000) }
        let mons = net.monitors.compactMap { $0 as? SpikeMonitor }
        let spikes = mons.reduce(0) { $0 + $1.count }
        let cvs = mons.flatMap { SpikeStatistics.cvISI($0.trains(dt: net.dt)) }
        let rates = net.monitors.compactMap { $0 as? PopulationRateMonitor }
        var totalRate = [Float](repeating: 0, count: rates.first?.counts.count ?? 0)
        for r in rates { for (k, c) in r.counts.enumerated() { totalRate[k] += Float(c) } }
        let spec = SpikeStatistics.spectrum(totalRate.map { $0 / (Float(total) * net.dt / 1000) }, dt: net.dt)
        let r = Result(neurons: total, durationSeconds: duration, p: p, synapses: net.synapses.reduce(0) { $0 + $1.count },
                       buildSeconds: build, simSeconds: sim, spikes: spikes,
                       meanRateHz: SpikeStatistics.meanRate(spikes: spikes, neurons: total, duration: duration * 1000),
                       meanCV: SpikeStatistics.mean(cvs), peakFrequencyHz: SpikeStatistics.peakFrequency(spec),
                       bandPower: SpikeStatistics.bandPower(spec, bands: SpikeStatistics.benchmarkBands),
                       peakMemoryMiB: peakMemoryMiB())
        if json { try printJSON(r) } else {
            print(String(format: "\(example)\(equations ? " (equations)" : "") N=%d duration=%gs p=%g synapses=%d: build %.3f s, sim_s=%.3f, spikes=%d, rate %.2f Hz, CV %.3f, spectral peak %.1f Hz, peak %.0f MiB",
                         total, duration, p, r.synapses, build, sim, spikes, r.meanRateHz, r.meanCV, r.peakFrequencyHz, r.peakMemoryMiB))
        }
    }
}
