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
}
