import ArgumentParser
import Foundation
import SpikeKit

/// `spike encode`: turns values or a signal from a .npy file into spikes with any encoder.
public struct EncodeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode values (or a signal) from a .npy file into spikes, and optionally plot them.",
        discussion: """
        Methods and their --set parameters:
          poisson               max_rate (Hz, optional), dt (s, 1e-3)          values in [0, 1] -> [T, ...]
          bernoulli             (none)                                         values in [0, 1] -> [T, ...]
          latency               tau 1, threshold 0.01, first_spike_time 0, clip, normalize, linear, bypass (false)
          relative-latency      amp 1, scale 0.9999999, cut_fraction 0.8      [B, N] (or [N]) -> [T, B, N]
          ttfs                  dt 1, tau, t_max, threshold 0.2, code logarithmic|linear
          constant-current      amp 1
          uniform               (none)
          weighted-phase        phases (default T)
          population            neurons 10, min 0, max 1, sigma, centres bohte|endpoints, output spikes|currents, min_response 0.1
          delta                 threshold 0.1, padding false, off_spikes false   input already [T, ...]
          constant-current-lif  tau_mem_inv 100, v_th 1, v_reset 0, v_leak 0, dt 1e-3
          adm                   threshold_up 0.1, threshold_down 0.1, refractory 0   signal [T] or [T, N] -> [T, ..., 2N] (UP then DOWN)
          sstb                  dt 1, late error|clamp|drop (error)            one spike time per neuron (inf: none) -> [T, ...]
          mstb                  neurons (required), samples, dt 1, late clamp  rows (time, neuron) [K, 2] or (sample, time, neuron) [K, 3] -> [T, B, neurons]
          sine                  frequency (Hz, required), phase 0, offset 0, dt (s, 1e-3)   amplitudes [...] -> [T, ...] currents
          cosine                as sine, phase pi/2 added (SPAIC Cosine_Generator)
          ramp                  start 0                                        end values [...] -> [T, ...] currents, start to end
          spaic-latency         max_scale 1, cut_off false                     SPAIC Latency: min-max normalised, one spike at trunc(max_scale (T-1)(1-x'))
        """)

    /// The methods (`EncoderMethods.names`).
    public static var methods: [String] { EncoderMethods.names }

    @Argument(help: "Encoding method (see below).") var method: String
    @Option(help: "Input .npy (float32 or float64).") var input: String
    @Option(parsing: .unconditional, help: "Time steps T.") var steps = 100
    @Option(name: .customLong("set"), help: "Method parameter NAME=VALUE (repeatable).") var assignments: [String] = []
    @Option(parsing: .unconditional, help: "Seed of stochastic encoders.") var seed: UInt64 = 0
    @Option(help: "Output spikes .npy.") var output: String
    @Option(help: "Draw a raster, one row per neuron, with the spike count per bin (.svg or .png; for adm the signal, its reconstruction and the UP and DOWN spikes) to this file.") var plot: String?
    @OptionGroup var figure: PlotOptions
    @Option(help: "adm only: write the reconstruction from the spikes to this .npy.") var reconstruct: String?

    public init() {}

    public func run() throws {
        guard Self.methods.contains(method) else {
            throw CLIError("unknown encoding method '\(method)' (known: \(Self.methods.joined(separator: ", ")))")
        }
        if reconstruct != nil && method != "adm" { throw CLIError("--reconstruct is for adm only") }
        // Every output is validated now and published together at the end (all or nothing).
        let outputs = try StagedOutputs([output, plot, reconstruct].compactMap { $0.map { URL(fileURLWithPath: $0) } })
        let figureOptions = try figure.options(neurons: 100)
        if let plot { _ = try PlotOptions.encode(Figure(width: 1, height: 1), for: plot) }
        let x = try NPY.read(from: URL(fileURLWithPath: input))
        guard x.count > 0 else { throw CLIError("\(input): input is empty (shape \(x.shape))") }
        let values = try parseAssignments(assignments)
        var rng = SeededRandom(seed: seed)
        let (spikes, recon) = try EncoderMethods.encode(method: method, x, steps: steps, parameters: values, rng: &rng)
        try outputs.stage(URL(fileURLWithPath: output)) { try NPY.write(spikes, to: $0) }
        if let reconstruct, let recon { try outputs.stage(URL(fileURLWithPath: reconstruct)) { try NPY.write(recon, to: $0) } }
        if let plot {
            let T = spikes.shape.first ?? 0, rest = T > 0 ? spikes.count / T : 0
            let title = "\(method) encoding of \(URL(fileURLWithPath: input).lastPathComponent)"
            var bytes = try PlotOptions.encode(RasterFigure.figure(spikes.scalars, steps: T, neurons: rest, title: title, options: figureOptions), for: plot)
            if let recon, rest > 0 {
                let channels = recon.count / max(1, T)
                let signal = (0..<T).map { x.scalars[$0 * channels] }, rebuilt = (0..<T).map { recon.scalars[$0 * channels] }
                // Channel 0's UP spikes (first half of the channels) and DOWN spikes (second half).
                let n = rest / 2
                let up = (0..<T).map { spikes.scalars[$0 * rest] }, down = (0..<T).map { n > 0 ? spikes.scalars[$0 * rest + n] : 0 }
                let figure = SignalFigure.figure(series: [("signal", signal), ("reconstruction", rebuilt)], events: [("UP", up), ("DOWN", down)],
                                                 steps: T, title: "adm: channel 0 and its reconstruction", options: figureOptions)
                bytes = try PlotOptions.encode(figure, for: plot)
            }
            try outputs.stage(bytes, for: URL(fileURLWithPath: plot))
        }
        try outputs.publish()
        let count = spikes.scalars.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        FileHandle.standardError.write(Data("\(method): wrote \(spikes.shape) with \(count) events to \(output)\n".utf8))
    }
}
