import ArgumentParser
import Foundation
import SpikeKit

/// The figure options every `--plot FILE` command takes: the format by the file's extension (`.svg` or
/// `.png`), size, font, neurons shown and a time window.
struct PlotOptions: ParsableArguments {
    @Option(help: "Figure size WIDTHxHEIGHT in pixels (e.g. 1000x700; height optional: 1000).") var plotSize: String?
    @Option(help: "Tick-label font size of the figure in pixels (titles 1.4x).") var fontSize: Double = 11
    @Option(help: "Most neurons drawn in the figure (default 8 traces; rasters 100 rows).") var plotNeurons: Int?
    @Option(help: "Time window of the figure START:END in the figure's time unit (e.g. 0:50).") var plotWindow: String?

    /// The checked options; `neurons` is the default number of neurons drawn.
    func options(neurons: Int) throws -> FigureOptions {
        var o = FigureOptions()
        o.fontSize = fontSize
        guard fontSize.isFinite, fontSize >= 4, fontSize <= 72 else { throw CLIError("--font-size must be in 4...72 pixels, got \(fontSize)") }
        o.maxNeurons = plotNeurons ?? neurons
        guard o.maxNeurons >= 1, o.maxNeurons <= 10_000 else { throw CLIError("--plot-neurons must be in 1...10000, got \(o.maxNeurons)") }
        if let plotSize {
            let parts = plotSize.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Double($0) }
            guard (1...2).contains(parts.count), parts.allSatisfy({ $0 != nil && $0! >= 100 && $0! <= 10_000 }) else {
                throw CLIError("--plot-size expects WIDTHxHEIGHT in pixels, each in 100...10000, got '\(plotSize)'")
            }
            o.width = parts[0]!
            o.height = parts.count == 2 ? parts[1]! : nil
        }
        if let plotWindow {
            let parts = plotWindow.split(separator: ":", omittingEmptySubsequences: false).map { Double($0) }
            guard parts.count == 2, let a = parts[0], let b = parts[1], a.isFinite, b.isFinite, a >= 0, b > a else {
                throw CLIError("--plot-window expects START:END with 0 <= START < END, got '\(plotWindow)'")
            }
            o.window = a...b
        }
        return o
    }

    /// The figure's bytes for `path`: SVG for `.svg`, PNG for `.png`; anything else is refused.
    static func encode(_ figure: Figure, for path: String) throws -> Data {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "svg": return Data(figure.svg().utf8)
        case "png": return Data(figure.png())
        default: throw CLIError("--plot \(path): the figure is written as .svg or .png")
        }
    }
}
