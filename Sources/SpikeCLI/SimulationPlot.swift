import Foundation
import SpikeKit

/// The figure of `spike simulate --plot`: a raster of the recorded spikes (one band per monitored group or input,
/// in its own colour, time in ms) above the population rate of each monitored neuron group (Hz, in bins of about
/// 1/200 of the run; of every monitored source when no group is monitored).
public enum SimulationPlot {
    /// At most this many neuron rows are drawn; larger sources show their first neurons, in proportion.
    static let maxRows = 1000
    /// Rows are reduced further (in proportion) until at most about this many spikes are drawn, so the file stays small.
    static let maxDots = 100_000

    /// The SVG figure for `monitors` over a run of `steps` steps of `dt` ms.
    public static func raster(_ monitors: [SpikeMonitor], steps: Int, dt: Float, title: String) -> String {
        let w = 800.0, left = 70.0, right = 20.0, top = 40.0, rasterHeight = 300.0, gap = 40.0, rateHeight = 130.0, bottom = 45.0
        let h = top + rasterHeight + gap + rateHeight + bottom
        let (x0, x1) = (left, w - right)
        let colours = ["black", "crimson", "steelblue", "darkgreen", "darkorange", "purple", "saddlebrown", "teal"]
        let font = "font-family=\"sans-serif\""
        let span = max(Double(steps) * Double(dt), Double(dt))
        func x(_ t: Double) -> Double { x0 + t / span * (x1 - x0) }
        let total = monitors.reduce(0) { $0 + $1.source.size }
        var shown = monitors.map { total <= maxRows ? $0.source.size : max(1, $0.source.size * maxRows / total) }
        let dots = zip(monitors, shown).reduce(0) { acc, ms in acc + ms.0.indices.lazy.filter { Int($0) < ms.1 }.count }
        if dots > maxDots {
            shown = shown.map { max(1, Int(Double($0) * Double(maxDots) / Double(dots))) }
        }
        let rows = max(1, shown.reduce(0, +))
        let dy = rasterHeight / Double(rows)
        let f = { (v: Double) in String(format: "%.2f", v) }
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(w))" height="\(Int(h))" viewBox="0 0 \(Int(w)) \(Int(h))">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(w / 2)" y="22" text-anchor="middle" \(font) font-size="13">\(SVGPlot.escape(title))</text>
        <rect x="\(x0)" y="\(top)" width="\(x1 - x0)" height="\(rasterHeight)" fill="none" stroke="black" stroke-width="0.8"/>
        <text x="16" y="\(top + rasterHeight / 2)" text-anchor="middle" \(font) font-size="12" transform="rotate(-90 16 \(top + rasterHeight / 2))">neuron</text>

        """
        // Raster: band k holds the first shown[k] neurons of monitor k, bottom to top in file order.
        var base = 0
        let r = max(0.6, min(2.0, dy / 2))
        for (k, m) in monitors.enumerated() {
            let c = colours[k % colours.count]
            let yBand = top + rasterHeight - Double(base) * dy
            var dots = ""
            for (i, s) in zip(m.indices, m.steps) where Int(i) < shown[k] {
                let cx = x(Double(s) * Double(dt) + Double(dt) / 2), cy = yBand - (Double(i) + 0.5) * dy
                dots += "<circle cx=\"\(f(cx))\" cy=\"\(f(cy))\" r=\"\(f(r))\"/>"
            }
            out += "<g fill=\"\(c)\">\(dots)</g>\n"
            let label = shown[k] < m.source.size ? "\(m.source.name) (\(shown[k]) of \(m.source.size))" : m.source.name
            out += "<text x=\"\(x0 + 4 + 150 * Double(k))\" y=\"\(top - 6)\" \(font) font-size=\"11\" fill=\"\(c)\">\(SVGPlot.escape(label))</text>\n"
            if k > 0 { out += "<line x1=\"\(x0)\" y1=\"\(f(yBand))\" x2=\"\(x1)\" y2=\"\(f(yBand))\" stroke=\"gray\" stroke-width=\"0.5\"/>\n" }
            base += shown[k]
        }
        out += "<text x=\"\(x0 - 6)\" y=\"\(top + rasterHeight)\" text-anchor=\"end\" \(font) font-size=\"10\">0</text>\n"
        out += "<text x=\"\(x0 - 6)\" y=\"\(top + 8)\" text-anchor=\"end\" \(font) font-size=\"10\">\(rows)</text>\n"

        // Population rate of each monitored source in bins of about a 200th of the run.
        let binSteps = max(1, steps / 200)
        let bins = max(1, (steps + binSteps - 1) / binSteps)
        let rates: [[Double]] = monitors.map { m in
            var counts = [Double](repeating: 0, count: bins)
            for s in m.steps where Int(s) / binSteps < bins { counts[Int(s) / binSteps] += 1 }
            return counts.map { $0 / Double(m.source.size) / (Double(binSteps) * Double(dt) / 1000) }
        }
        // The rate panel shows the neuron groups (inputs such as a synchronous volley would set its scale), or every
        // monitored source when no group is monitored.
        let groupsOnly = monitors.contains { $0.source is NeuronGroup }
        let drawn = monitors.indices.filter { !groupsOnly || monitors[$0].source is NeuronGroup }
        let peak = max(1, drawn.flatMap { rates[$0] }.max() ?? 1)
        let yTop = top + rasterHeight + gap, yBottom = yTop + rateHeight
        out += "<rect x=\"\(x0)\" y=\"\(yTop)\" width=\"\(x1 - x0)\" height=\"\(rateHeight)\" fill=\"none\" stroke=\"black\" stroke-width=\"0.8\"/>\n"
        out += "<text x=\"16\" y=\"\(yTop + rateHeight / 2)\" text-anchor=\"middle\" \(font) font-size=\"12\" transform=\"rotate(-90 16 \(yTop + rateHeight / 2))\">rate (Hz)</text>\n"
        out += "<text x=\"\(x0 - 6)\" y=\"\(yBottom)\" text-anchor=\"end\" \(font) font-size=\"10\">0</text>\n"
        out += "<text x=\"\(x0 - 6)\" y=\"\(yTop + 8)\" text-anchor=\"end\" \(font) font-size=\"10\">\(String(format: "%.4g", peak))</text>\n"
        for k in drawn {
            let rate = rates[k]
            let pts = rate.enumerated().map { b, v in
                "\(f(x((Double(b) + 0.5) * Double(binSteps) * Double(dt)))),\(f(yBottom - v / peak * (rateHeight - 4)))"
            }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(colours[k % colours.count])\" stroke-width=\"1.2\" points=\"\(pts)\"/>\n"
        }
        let yAxis = yBottom + 4
        out += "<text x=\"\(x0)\" y=\"\(yAxis + 12)\" text-anchor=\"middle\" \(font) font-size=\"10\">0</text>\n"
        out += "<text x=\"\(x1)\" y=\"\(yAxis + 12)\" text-anchor=\"middle\" \(font) font-size=\"10\">\(SVGPlot.format(span))</text>\n"
        out += "<text x=\"\((x0 + x1) / 2)\" y=\"\(yAxis + 28)\" text-anchor=\"middle\" \(font) font-size=\"12\">time (ms)</text>\n"
        return out + "</svg>\n"
    }
}
