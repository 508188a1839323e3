import Foundation

/// Size, font and content choices shared by the figures.
public struct FigureOptions: Sendable {
    /// Width in pixels (default 800).
    public var width: Double = 800
    /// Height in pixels (nil, the default: from the number of panels).
    public var height: Double? = nil
    /// Tick-label font size in pixels (titles 1.4x, axis labels 1.1x).
    public var fontSize: Double = 11
    /// Most neurons drawn (traces in distinct colours, raster rows); the first ones are shown.
    public var maxNeurons = 8
    /// The time window drawn, in the figure's time unit (nil: the whole run).
    public var window: ClosedRange<Double>? = nil

    /// The defaults: 800 pixels wide, 11-pixel ticks, 8 neurons, the whole run.
    public init() {}
}

/// A trace `[T, N]` (row-major) with its name and unit.
public struct Trace: Sendable {
    /// The variable's name (`v`, `input`, `w`).
    public var name: String
    /// Its unit (`mV`, `pA`; empty when unknown or arbitrary), shown in the axis label.
    public var unit: String
    /// `[T, N]` values, row-major (step t, neuron n at `t * N + n`).
    public var values: [Float]
    /// A trace named `name` in `unit` ("" when the model has none).
    public init(name: String, unit: String, values: [Float]) { self.name = name; self.unit = unit; self.values = values }
    var label: String { unit.isEmpty ? name : "\(name) (\(unit))" }
}

/// The figure of one neuron model run on an input (`spike neuron --plot`): a title and the update equation as a
/// caption; panels sharing the time axis: the input, the membrane with dashed threshold and reset lines, a
/// raster with one row per neuron, then every further state variable. Ticks at nice values, units on every axis.
public enum NeuronFigure {
    /// What one run shows.
    public struct Content: Sendable {
        /// The title (model id and reference).
        public var title: String
        /// The update equation (wrapped over lines under the title).
        public var caption: String
        /// Time steps T and neurons N of every trace.
        public var steps: Int, neurons: Int
        /// Step size in `timeUnit` (nil: the axis counts steps).
        public var dt: Double?
        /// The unit of `dt` (`ms`, `s`).
        public var timeUnit: String
        /// The input of each step (top panel).
        public var input: Trace?
        /// The membrane (drawn with the threshold and reset lines).
        public var membrane: Trace?
        /// The firing threshold and the reset value in the membrane's unit (nil: no line).
        public var threshold: Float?, reset: Float?
        /// `[T, N]`, nonzero = spike (nil for models that do not spike).
        public var spikes: [Float]?
        /// Further state variables, one panel each.
        public var states: [Trace]
        /// Content with no traces yet.
        public init(title: String, caption: String, steps: Int, neurons: Int, dt: Double?, timeUnit: String) {
            self.title = title; self.caption = caption; self.steps = steps; self.neurons = neurons
            self.dt = dt; self.timeUnit = timeUnit; states = []
        }
    }

    /// The figure of `c` under `options`.
    public static func figure(_ c: Content, options: FigureOptions = FigureOptions()) -> Figure {
        let fs = options.fontSize
        let shown = max(1, min(c.neurons, options.maxNeurons))
        let dt = c.dt ?? 1
        let total = Double(max(1, c.steps)) * dt
        let window = options.window.map { max(0, $0.lowerBound)...min(total, $0.upperBound) } ?? 0...total
        let first = max(0, Int((window.lowerBound / dt).rounded(.down))), last = min(c.steps, Int((window.upperBound / dt).rounded(.up)))
        let lo = window.lowerBound, hi = max(window.upperBound, window.lowerBound + dt)
        var panels: [(kind: Int, trace: Trace?)] = []            // 0 trace, 1 membrane, 2 raster
        if let input = c.input { panels.append((0, input)) }
        if let m = c.membrane { panels.append((1, m)) }
        if c.spikes != nil { panels.append((2, nil)) }
        for s in c.states { panels.append((0, s)) }
        let captionLines = wrap(c.caption, limit: max(20, Int(options.width / (fs * 0.62))))
        let head = fs * 3 + Double(captionLines.count) * fs * 1.3 + (shown > 1 ? fs * 1.6 : 0)
        let gap = fs * 1.2, bottomRoom = fs * 4.5
        let weights = panels.map { $0.kind == 2 ? min(1.0, 0.25 + 0.06 * Double(shown)) : 1.0 }
        let height = options.height ?? (head + bottomRoom + weights.reduce(0) { $0 + $1 * 150 } + gap * Double(max(0, panels.count - 1)))
        let figure = Figure(width: options.width, height: height, fontSize: fs)
        figure.text(options.width / 2, fs * 1.8, c.title, size: fs * 1.4, anchor: .middle)
        for (k, line) in captionLines.enumerated() {
            figure.text(options.width / 2, fs * 3.2 + Double(k) * fs * 1.3, line, size: fs, anchor: .middle, colour: "dimgray")
        }
        let x0 = fs * 6.5, x1 = options.width - fs * 1.5
        if shown > 1 {
            let y = head - fs * 0.4
            for n in 0..<shown { figure.text(x0 + Double(n) * fs * 6, y, "neuron \(n)", colour: seriesColours[n % seriesColours.count]) }
        }
        let room = height - head - bottomRoom - gap * Double(max(0, panels.count - 1))
        let unit = weights.reduce(0, +) > 0 ? room / weights.reduce(0, +) : 0
        var top = head
        let timeLabel = c.dt == nil ? "time (steps)" : "time (\(c.timeUnit))"
        for (p, panel) in panels.enumerated() {
            let h = weights[p] * unit, isLast = p == panels.count - 1
            let xLabel = isLast ? timeLabel : nil
            func t(_ step: Int) -> Double { (Double(step) + 1) * dt }
            if panel.kind == 2, let spikes = c.spikes {
                let area = Panel(figure: figure, x0: x0, x1: x1, top: top, bottom: top + h, xLo: lo, xHi: hi, yLo: -0.5, yHi: Double(shown) - 0.5)
                let rowTicks = Ticks.integers(0, Double(shown - 1), count: 5)
                area.axes(yLabel: "neuron", xLabel: xLabel, yTicks: rowTicks)
                for n in 0..<shown {
                    let yRow = area.y(Double(n)), half = min(h / Double(shown) * 0.4, fs)
                    for step in first..<last where spikes[step * c.neurons + n] != 0 {
                        figure.line(area.x(t(step)), yRow - half, area.x(t(step)), yRow + half, colour: seriesColours[n % seriesColours.count], width: 1.5)
                    }
                }
            } else if let trace = panel.trace {
                var values: [Float] = []
                for step in first..<last { for n in 0..<shown { values.append(trace.values[step * c.neurons + n]) } }
                var extra: [Float] = []
                if panel.kind == 1 { extra = [c.threshold, c.reset].compactMap { $0 } }
                let finite = (values + extra).filter { $0.isFinite }
                var yLo = Double(finite.min() ?? 0), yHi = Double(finite.max() ?? 1)
                if yHi <= yLo { yLo -= 0.5; yHi += 0.5 }
                let pad = (yHi - yLo) * 0.06
                let area = Panel(figure: figure, x0: x0, x1: x1, top: top, bottom: top + h, xLo: lo, xHi: hi, yLo: yLo - pad, yHi: yHi + pad)
                area.axes(yLabel: trace.label, xLabel: xLabel)
                if panel.kind == 1 {
                    for (value, name, colour) in [(c.threshold, "threshold", "crimson"), (c.reset, "reset", "gray")] {
                        guard let value, value.isFinite else { continue }
                        figure.line(x0, area.y(Double(value)), x1, area.y(Double(value)), colour: colour, width: 1, dashed: true)
                        figure.text(x1 - 4, area.y(Double(value)) - 3, "\(name) \(String(format: "%g", Double(value)))", size: fs * 0.9, anchor: .end, colour: colour)
                    }
                }
                for n in 0..<shown {
                    let points = (first..<last).map { step in (area.x(t(step)), area.y(Double(trace.values[step * c.neurons + n]))) }
                    figure.polyline(points, colour: seriesColours[n % seriesColours.count])
                }
            }
            top += h + gap
        }
        if c.neurons > shown {
            figure.text(x0, height - fs * 0.6, "first \(shown) of \(c.neurons) neurons shown", size: fs * 0.9, colour: "dimgray")
        }
        return figure
    }
}
