import Foundation

/// Signals over time with their event trains (`spike encode adm --plot`): the traces (e.g. a signal and its
/// reconstruction from the spikes) in one panel with a legend, then one raster row per event train (e.g. UP and
/// DOWN spikes). Ticks at nice values.
public enum SignalFigure {
    /// The figure of `series` (each `[T]`) and `events` (each `[T]`, nonzero = event) over `steps` steps.
    public static func figure(series: [(name: String, values: [Float])], events: [(name: String, values: [Float])],
                              steps: Int, title: String, yLabel: String = "value", options: FigureOptions = FigureOptions()) -> Figure {
        let fs = options.fontSize
        let height = options.height ?? 480
        let figure = Figure(width: options.width, height: height, fontSize: fs)
        figure.text(options.width / 2, fs * 1.8, title, size: fs * 1.4, anchor: .middle)
        let x0 = fs * 6.5, x1 = options.width - fs * 1.5, top = fs * 4.2, gap = fs * 1.5, bottomRoom = fs * 4.5
        let eventHeight = events.isEmpty ? 0 : min(120, Double(events.count) * fs * 2.5)
        let traceBottom = height - bottomRoom - (events.isEmpty ? 0 : eventHeight + gap)
        let total = Double(max(1, steps))
        let window = options.window.map { max(0, $0.lowerBound)...min(total, $0.upperBound) } ?? 0...total
        let first = Int(window.lowerBound), last = min(steps, Int(window.upperBound.rounded(.up)))
        let all = series.flatMap { Array($0.values[min(first, $0.values.count)..<min(last, $0.values.count)]) }.filter { $0.isFinite }
        var lo = Double(all.min() ?? 0), hi = Double(all.max() ?? 1)
        if hi <= lo { lo -= 0.5; hi += 0.5 }
        let pad = (hi - lo) * 0.06
        let traces = Panel(figure: figure, x0: x0, x1: x1, top: top, bottom: traceBottom, xLo: window.lowerBound, xHi: window.upperBound,
                           yLo: lo - pad, yHi: hi + pad)
        traces.axes(yLabel: yLabel, xLabel: events.isEmpty ? "time (steps)" : nil)
        for (k, s) in series.enumerated() {
            let colour = seriesColours[k % seriesColours.count]
            figure.polyline((first..<min(last, s.values.count)).map { (traces.x(Double($0) + 0.5), traces.y(Double(s.values[$0]))) }, colour: colour)
            figure.text(x0 + 6 + Double(k) * fs * 12, top - fs * 0.5, s.name, colour: colour)
        }
        guard !events.isEmpty else { return figure }
        let rows = Panel(figure: figure, x0: x0, x1: x1, top: traceBottom + gap, bottom: traceBottom + gap + eventHeight,
                         xLo: window.lowerBound, xHi: window.upperBound, yLo: -0.5, yHi: Double(events.count) - 0.5)
        rows.axes(yLabel: "events", xLabel: "time (steps)", yTicks: (0..<events.count).map(Double.init), yTickLabels: events.map(\.name))
        let half = min(eventHeight / Double(events.count) * 0.35, fs)
        for (k, e) in events.enumerated() {
            let colour = seriesColours[k % seriesColours.count]
            for t in first..<min(last, e.values.count) where e.values[t] != 0 {
                let x = rows.x(Double(t) + 0.5), y = rows.y(Double(k))
                figure.line(x, y - half, x, y + half, colour: colour, width: 1.2)
            }
        }
        return figure
    }
}
