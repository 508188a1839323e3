import Foundation

/// A spike raster (`spike encode --plot`): one row per neuron (ON spikes black, negative values such as OFF
/// spikes crimson, with a legend when both occur) above the spike count of all shown neurons per bin, the bin
/// width stated on the axis. Ticks at nice values.
public enum RasterFigure {
    /// The raster of `spikes` `[T, N]` (row-major) over `steps` steps of `dt` `timeUnit` (nil: steps), rows
    /// for the first `options.maxNeurons` neurons, counts in bins of `binSteps` steps (nil: about 50 bins).
    public static func figure(_ spikes: [Float], steps: Int, neurons: Int, dt: Double? = nil, timeUnit: String = "ms",
                              title: String, binSteps: Int? = nil, options: FigureOptions = FigureOptions()) -> Figure {
        let fs = options.fontSize
        let shown = max(1, min(neurons, options.maxNeurons))
        let step = dt ?? 1
        let total = Double(max(1, steps)) * step
        let window = options.window.map { max(0, $0.lowerBound)...min(total, $0.upperBound) } ?? 0...total
        let first = max(0, Int((window.lowerBound / step).rounded(.down))), last = min(steps, Int((window.upperBound / step).rounded(.up)))
        let hi = max(window.upperBound, window.lowerBound + step)
        let height = options.height ?? (fs * 4 + min(420, max(120, Double(shown) * 8)) + fs * 1.5 + 120 + fs * 4.5)
        let figure = Figure(width: options.width, height: height, fontSize: fs)
        figure.text(options.width / 2, fs * 1.8, title, size: fs * 1.4, anchor: .middle)
        let x0 = fs * 6.5, x1 = options.width - fs * 1.5
        let top = fs * 4, countHeight = 120.0, gap = fs * 1.5
        let rasterBottom = height - fs * 4.5 - countHeight - gap
        let timeLabel = dt == nil ? "time (steps)" : "time (\(timeUnit))"
        let raster = Panel(figure: figure, x0: x0, x1: x1, top: top, bottom: rasterBottom, xLo: window.lowerBound, xHi: hi,
                           yLo: -0.5, yHi: Double(shown) - 0.5)
        raster.axes(yLabel: "neuron", xLabel: nil, yTicks: Ticks.integers(0, Double(shown - 1), count: 6))
        let half = max(0.5, min((rasterBottom - top) / Double(shown) * 0.4, fs))
        var negative = false
        for t in first..<last { for n in 0..<shown {
            let v = spikes[t * neurons + n]
            guard v != 0 else { continue }
            if v < 0 { negative = true }
            let x = raster.x((Double(t) + 0.5) * step), y = raster.y(Double(n))
            figure.line(x, y - half, x, y + half, colour: v > 0 ? "black" : "crimson", width: 1.2)
        } }
        if negative {
            figure.text(x1 - fs * 12, top - fs * 0.5, "ON", colour: "black")
            figure.text(x1 - fs * 8, top - fs * 0.5, "OFF (negative)", colour: "crimson")
        }
        if neurons > shown {
            figure.text(x0, top - fs * 0.5, "first \(shown) of \(neurons) neurons shown", size: fs * 0.9, colour: "dimgray")
        }
        // Spike counts of the shown neurons per bin.
        let bin = max(1, binSteps ?? max(1, (last - first) / 50))
        var counts: [Double] = []
        var t = first
        while t < last {
            var k = 0.0
            for s in t..<min(last, t + bin) { for n in 0..<shown where spikes[s * neurons + n] != 0 { k += 1 } }
            counts.append(k); t += bin
        }
        let peak = max(1, counts.max() ?? 1)
        let area = Panel(figure: figure, x0: x0, x1: x1, top: rasterBottom + gap, bottom: rasterBottom + gap + countHeight,
                         xLo: window.lowerBound, xHi: hi, yLo: 0, yHi: peak * 1.05)
        let width = Double(bin) * step
        area.axes(yLabel: "spikes / bin", xLabel: timeLabel)
        for (b, k) in counts.enumerated() where k > 0 {
            let a = area.x(Double(first + b * bin) * step), e = area.x(min(Double(first + (b + 1) * bin) * step, hi))
            figure.rect(a, area.y(k), max(0.5, e - a), area.y(0) - area.y(k), stroke: nil, fill: "steelblue")
        }
        figure.text(x1, rasterBottom + gap - fs * 0.4, "bins of \(String(format: "%g", width)) \(dt == nil ? "steps" : timeUnit)", size: fs * 0.9, anchor: .end, colour: "dimgray")
        return figure
    }
}
