import Foundation

/// Minimal SVG plots for the command line: spike rasters and signal traces. Plain text, no dependencies;
/// written atomically by the caller.
public enum SVGPlot {
    static let width = 800.0, height = 400.0, margin = 50.0

    static func header(_ title: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(width / 2)" y="20" text-anchor="middle" font-family="sans-serif" font-size="14">\(escape(title))</text>

        """
    }

    static func axes(xLabel: String, yLabel: String, xMax: Double, yMin: Double, yMax: Double) -> String {
        let (x0, y0, x1, y1) = (margin, height - margin, width - margin / 2, margin)
        return """
        <line x1="\(x0)" y1="\(y0)" x2="\(x1)" y2="\(y0)" stroke="black"/>
        <line x1="\(x0)" y1="\(y0)" x2="\(x0)" y2="\(y1)" stroke="black"/>
        <text x="\((x0 + x1) / 2)" y="\(height - 12)" text-anchor="middle" font-family="sans-serif" font-size="12">\(escape(xLabel))</text>
        <text x="14" y="\((y0 + y1) / 2)" text-anchor="middle" font-family="sans-serif" font-size="12" transform="rotate(-90 14 \((y0 + y1) / 2))">\(escape(yLabel))</text>
        <text x="\(x0)" y="\(y0 + 14)" text-anchor="middle" font-family="sans-serif" font-size="10">0</text>
        <text x="\(x1)" y="\(y0 + 14)" text-anchor="middle" font-family="sans-serif" font-size="10">\(format(xMax))</text>
        <text x="\(x0 - 4)" y="\(y0)" text-anchor="end" font-family="sans-serif" font-size="10">\(format(yMin))</text>
        <text x="\(x0 - 4)" y="\(y1 + 4)" text-anchor="end" font-family="sans-serif" font-size="10">\(format(yMax))</text>

        """
    }

    static func format(_ v: Double) -> String { String(format: "%g", v) }
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// A raster of `spikes` `[T, N]` (row-major, any nonzero value is a spike; negative values, e.g. OFF spikes,
    /// are drawn in another colour): one dot per spike at (step, neuron).
    public static func raster(_ spikes: [Float], steps: Int, neurons: Int, title: String) -> String {
        let (x0, y0, x1, y1) = (margin, height - margin, width - margin / 2, margin)
        let dx = (x1 - x0) / Double(max(1, steps)), dy = (y0 - y1) / Double(max(1, neurons))
        var out = header(title) + axes(xLabel: "time step", yLabel: "neuron", xMax: Double(steps), yMin: 0, yMax: Double(neurons))
        let r = max(0.8, min(3, min(dx, dy) / 2))
        for t in 0..<steps { for n in 0..<neurons {
            let s = spikes[t * neurons + n]
            guard s != 0 else { continue }
            let cx = x0 + (Double(t) + 0.5) * dx, cy = y0 - (Double(n) + 0.5) * dy
            out += "<circle cx=\"\(format(cx))\" cy=\"\(format(cy))\" r=\"\(format(r))\" fill=\"\(s > 0 ? "black" : "crimson")\"/>\n"
        } }
        return out + "</svg>\n"
    }

    /// Line plots of several traces over `steps` (e.g. a signal and its reconstruction), with a legend.
    public static func traces(_ series: [(name: String, values: [Float])], steps: Int, title: String) -> String {
        let (x0, y0, x1, y1) = (margin, height - margin, width - margin / 2, margin)
        let all = series.flatMap(\.values).filter { $0.isFinite }
        var lo = Double(all.min() ?? 0), hi = Double(all.max() ?? 1)
        if hi <= lo { hi = lo + 1 }
        let pad = (hi - lo) * 0.05; lo -= pad; hi += pad
        let colours = ["black", "crimson", "steelblue", "darkgreen", "darkorange"]
        var out = header(title) + axes(xLabel: "time step", yLabel: "value", xMax: Double(steps), yMin: lo, yMax: hi)
        for (k, s) in series.enumerated() {
            let pts = s.values.enumerated().map { i, v -> String in
                let x = x0 + (Double(i) + 0.5) * (x1 - x0) / Double(max(1, steps))
                let y = y0 - (Double(v) - lo) / (hi - lo) * (y0 - y1)
                return "\(format(x)),\(format(y))"
            }.joined(separator: " ")
            let c = colours[k % colours.count]
            out += "<polyline fill=\"none\" stroke=\"\(c)\" stroke-width=\"1.5\" points=\"\(pts)\"/>\n"
            out += "<text x=\"\(x1 - 150)\" y=\"\(y1 + 14 * Double(k + 1))\" font-family=\"sans-serif\" font-size=\"12\" fill=\"\(c)\">\(escape(s.name))</text>\n"
        }
        return out + "</svg>\n"
    }

    /// A figure of stacked panels sharing the time axis, one per state trace (`[T, N]` each, the first is the
    /// membrane), up to 8 neurons drawn in distinct colours with a legend. With `spikes` (`[T, N]`), each spike
    /// is marked by a tick above the first panel's trace in its neuron's colour. With `dt` the axis is in time
    /// units (step x dt), otherwise in steps.
    public static func panels(_ traces: [(name: String, values: [Float])], spikes: [Float]?, steps: Int, neurons: Int,
                              dt: Double?, title: String) -> String {
        let shown = min(neurons, 8)
        let panelHeight = 150.0, gap = 30.0, top = 52.0, left = 70.0, right = 20.0, bottom = 45.0
        let w = 800.0, h = top + Double(traces.count) * (panelHeight + gap) - gap + bottom
        let colours = ["black", "crimson", "steelblue", "darkgreen", "darkorange", "purple", "saddlebrown", "teal"]
        let (x0, x1) = (left, w - right)
        let span = Double(max(1, steps)) * (dt ?? 1)
        func xAt(_ t: Int) -> Double { x0 + (Double(t) + 1) / Double(max(1, steps)) * (x1 - x0) }
        let font = "font-family=\"sans-serif\""
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(w))" height="\(Int(h))" viewBox="0 0 \(Int(w)) \(Int(h))">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(w / 2)" y="20" text-anchor="middle" \(font) font-size="13">\(escape(title))</text>

        """
        for (p, trace) in traces.enumerated() {
            let yTop = top + Double(p) * (panelHeight + gap), yBottom = yTop + panelHeight
            var values: [Float] = []
            for t in 0..<steps { for n in 0..<shown { values.append(trace.values[t * neurons + n]) } }
            let finite = values.filter { $0.isFinite }
            var lo = Double(finite.min() ?? 0), hi = Double(finite.max() ?? 1)
            if hi <= lo { lo -= 0.5; hi += 0.5 }
            let pad = (hi - lo) * 0.08
            lo -= pad; hi += pad
            let markRoom = (p == 0 && spikes != nil) ? 14.0 : 0
            func yAt(_ v: Float) -> Double { yBottom - (Double(v) - lo) / (hi - lo) * (panelHeight - markRoom) }
            out += "<rect x=\"\(format(x0))\" y=\"\(format(yTop))\" width=\"\(format(x1 - x0))\" height=\"\(format(panelHeight))\" fill=\"none\" stroke=\"black\" stroke-width=\"0.8\"/>\n"
            out += "<text x=\"16\" y=\"\(format((yTop + yBottom) / 2))\" text-anchor=\"middle\" \(font) font-size=\"12\" transform=\"rotate(-90 16 \(format((yTop + yBottom) / 2)))\">\(escape(trace.name))</text>\n"
            for (v, label) in [(lo + pad, String(format: "%.4g", lo + pad)), (hi - pad, String(format: "%.4g", hi - pad))] {
                let y = yAt(Float(v))
                out += "<line x1=\"\(format(x0 - 4))\" y1=\"\(format(y))\" x2=\"\(format(x0))\" y2=\"\(format(y))\" stroke=\"black\"/>\n"
                out += "<text x=\"\(format(x0 - 6))\" y=\"\(format(y + 4))\" text-anchor=\"end\" \(font) font-size=\"10\">\(label)</text>\n"
            }
            for n in 0..<shown {
                let c = colours[n % colours.count]
                let pts = (0..<steps).map { t in "\(format(xAt(t))),\(format(yAt(trace.values[t * neurons + n])))" }.joined(separator: " ")
                out += "<polyline fill=\"none\" stroke=\"\(c)\" stroke-width=\"1.2\" points=\"\(pts)\"/>\n"
                if p == 0, let spikes {
                    for t in 0..<steps where spikes[t * neurons + n] != 0 {
                        out += "<line x1=\"\(format(xAt(t)))\" y1=\"\(format(yTop + 2))\" x2=\"\(format(xAt(t)))\" y2=\"\(format(yTop + 11))\" stroke=\"\(c)\" stroke-width=\"1.5\"/>\n"
                    }
                }
            }
        }
        let yAxis = h - bottom + 4
        out += "<text x=\"\(format(x0))\" y=\"\(format(yAxis + 12))\" text-anchor=\"middle\" \(font) font-size=\"10\">0</text>\n"
        out += "<text x=\"\(format(x1))\" y=\"\(format(yAxis + 12))\" text-anchor=\"middle\" \(font) font-size=\"10\">\(format(span))</text>\n"
        out += "<text x=\"\(format((x0 + x1) / 2))\" y=\"\(format(yAxis + 26))\" text-anchor=\"middle\" \(font) font-size=\"12\">\(dt.map { "time (model units, dt = \(format($0)))" } ?? "time step")</text>\n"
        if shown > 1 {
            for n in 0..<shown {
                out += "<text x=\"\(format(x0 + 70 * Double(n)))\" y=\"\(format(top - 10))\" \(font) font-size=\"11\" fill=\"\(colours[n])\">neuron \(n)</text>\n"
            }
        }
        if neurons > shown {
            out += "<text x=\"\(format(x0 + 4))\" y=\"\(format(h - 6))\" \(font) font-size=\"10\">first \(shown) of \(neurons) neurons shown</text>\n"
        }
        return out + "</svg>\n"
    }
}
