import Foundation

/// The figure of a network run (`spike simulate --plot`): a raster of the recorded spikes, one band per
/// monitored group or input in its own colour (one row per neuron, large sources showing their first neurons in
/// proportion), above the population rate of each monitored neuron group in Hz (of every source when no group is
/// monitored), in bins whose width the panel states. Time in ms, ticks at nice values.
public enum NetworkRasterFigure {
    /// The spikes of one monitored source: neuron index and step of each spike.
    public struct Band: Sendable {
        /// The source's name (legend).
        public var name: String
        /// Its number of neurons.
        public var size: Int
        /// Neuron index of each spike.
        public var indices: [Int32]
        /// Step of each spike (time = (step + 0.5) dt in the raster).
        public var steps: [Int32]
        /// Whether the source is a neuron group (its rate is drawn) rather than an input.
        public var isGroup: Bool
        /// A band of `size` neurons.
        public init(name: String, size: Int, indices: [Int32], steps: [Int32], isGroup: Bool) {
            self.name = name; self.size = size; self.indices = indices; self.steps = steps; self.isGroup = isGroup
        }
    }

    /// Rows are reduced further (in proportion) until at most about this many spikes are drawn.
    public static let maxDots = 100_000

    /// The figure of `bands` over `steps` steps of `dt` ms; `options.maxNeurons` bounds the raster rows
    /// (the command line passes 1000), `binSteps` the rate bins (nil: a 200th of the run).
    public static func figure(_ bands: [Band], steps: Int, dt: Double, title: String, binSteps: Int? = nil,
                              options: FigureOptions = FigureOptions()) -> Figure {
        let fs = options.fontSize
        let total = max(Double(steps) * dt, dt)
        let window = options.window.map { max(0, $0.lowerBound)...min(total, $0.upperBound) } ?? 0...total
        let lo = window.lowerBound, hi = max(window.upperBound, lo + dt)
        let sizes = bands.map(\.size), all = sizes.reduce(0, +)
        var shown = bands.map { all <= options.maxNeurons ? $0.size : max(1, $0.size * options.maxNeurons / max(1, all)) }
        let dots = zip(bands, shown).reduce(0) { acc, bs in acc + bs.0.indices.lazy.filter { Int($0) < bs.1 }.count }
        if dots > maxDots { shown = shown.map { max(1, Int(Double($0) * Double(maxDots) / Double(dots))) } }
        let rows = max(1, shown.reduce(0, +))
        let height = options.height ?? 560
        let figure = Figure(width: options.width, height: height, fontSize: fs)
        figure.text(options.width / 2, fs * 1.8, title, size: fs * 1.4, anchor: .middle)
        let x0 = fs * 6.5, x1 = options.width - fs * 1.5, top = fs * 4.2, gap = fs * 2, bottomRoom = fs * 4.5
        let rateHeight = (height - top - gap - bottomRoom) * 0.3
        let rasterBottom = height - bottomRoom - rateHeight - gap
        let raster = Panel(figure: figure, x0: x0, x1: x1, top: top, bottom: rasterBottom, xLo: lo, xHi: hi, yLo: 0, yHi: Double(rows))
        raster.axes(yLabel: "neuron", xLabel: nil, yTicks: Ticks.integers(0, Double(rows), count: 5))
        let dy = (rasterBottom - top) / Double(rows), r = max(0.6, min(2.0, dy / 2))
        var base = 0
        for (k, band) in bands.enumerated() {
            let colour = seriesColours[k % seriesColours.count]
            for (i, s) in zip(band.indices, band.steps) where Int(i) < shown[k] {
                let t = (Double(s) + 0.5) * dt
                guard t >= lo, t <= hi else { continue }
                figure.circle(raster.x(t), raster.y(Double(base) + Double(i) + 0.5), r, colour: colour)
            }
            if k > 0 { figure.line(x0, raster.y(Double(base)), x1, raster.y(Double(base)), colour: "gray", width: 0.5) }
            let label = shown[k] < band.size ? "\(band.name) (\(shown[k]) of \(band.size))" : band.name
            figure.text(x0 + 4 + Double(k) * fs * 14, top - fs * 0.5, label, colour: colour)
            base += shown[k]
        }
        // Population rates in bins.
        let bin = max(1, binSteps ?? max(1, steps / 200))
        let bins = max(1, (steps + bin - 1) / bin)
        let rates: [[Double]] = bands.map { band in
            var counts = [Double](repeating: 0, count: bins)
            for s in band.steps where Int(s) / bin < bins { counts[Int(s) / bin] += 1 }
            return counts.map { $0 / Double(max(1, band.size)) / (Double(bin) * dt / 1000) }
        }
        let groupsOnly = bands.contains { $0.isGroup }
        let drawn = bands.indices.filter { !groupsOnly || bands[$0].isGroup }
        let peak = max(1, drawn.flatMap { rates[$0] }.max() ?? 1)
        let area = Panel(figure: figure, x0: x0, x1: x1, top: rasterBottom + gap, bottom: rasterBottom + gap + rateHeight,
                         xLo: lo, xHi: hi, yLo: 0, yHi: peak * 1.05)
        area.axes(yLabel: "rate (Hz)", xLabel: "time (ms)")
        for k in drawn {
            let points = rates[k].enumerated().compactMap { b, v -> (Double, Double)? in
                let t = (Double(b) + 0.5) * Double(bin) * dt
                return t >= lo && t <= hi ? (area.x(t), area.y(v)) : nil
            }
            figure.polyline(points, colour: seriesColours[k % seriesColours.count])
        }
        figure.text(x1, rasterBottom + gap - fs * 0.4, "bins of \(String(format: "%g", Double(bin) * dt)) ms", size: fs * 0.9, anchor: .end, colour: "dimgray")
        return figure
    }
}
