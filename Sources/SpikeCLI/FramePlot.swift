import Foundation
import SpikeKit

extension SVGPlot {
    /// A sample as a figure: `[T, P, H, W]` frames as a grid of small images (up to 32 frames; ON polarity,
    /// or the only channel, in black, OFF in crimson, opacity by count relative to the sample's largest),
    /// anything else (`[T, units]`, `[T, P, W]`) as a raster of its steps flattened.
    public static func frames(_ x: Tensor, title: String) -> String {
        guard x.rank == 4, x.shape[0] > 0 else {
            let steps = max(1, x.shape.first ?? 1), units = max(1, x.count / steps)
            return raster(x.count == steps * units ? x.scalars : [Float](repeating: 0, count: steps * units), steps: steps, neurons: units, title: title)
        }
        let (t, p, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let shown = min(t, 32), perRow = min(shown, 8), rows = (shown + perRow - 1) / perRow
        let cell = max(1.0, min(8.0, 90.0 / Double(max(h, w))))
        let fw = Double(w) * cell, fh = Double(h) * cell, gap = 14.0
        let width = max(320.0, Double(perRow) * (fw + gap) + gap), height = 40 + Double(rows) * (fh + gap + 12) + 20
        let peak = max(1e-12, Double(x.scalars.map(abs).max() ?? 1))
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(width / 2)" y="20" text-anchor="middle" font-family="sans-serif" font-size="13">\(escape(title))</text>

        """
        for f in 0..<shown {
            let ox = gap + Double(f % perRow) * (fw + gap), oy = 40 + Double(f / perRow) * (fh + gap + 12)
            out += "<text x=\"\(format(ox))\" y=\"\(format(oy + 9))\" font-family=\"sans-serif\" font-size=\"9\">t=\(f)</text>\n"
            out += "<rect x=\"\(format(ox))\" y=\"\(format(oy + 12))\" width=\"\(format(fw))\" height=\"\(format(fh))\" fill=\"none\" stroke=\"gray\" stroke-width=\"0.5\"/>\n"
            for c in 0..<p { for yy in 0..<h { for xx in 0..<w {
                let v = Double(x.scalars[((f * p + c) * h + yy) * w + xx])
                guard v != 0 else { continue }
                let colour = (p == 2 && c == 0) ? "crimson" : "black"
                out += "<rect x=\"\(format(ox + Double(xx) * cell))\" y=\"\(format(oy + 12 + Double(yy) * cell))\" width=\"\(format(cell))\" height=\"\(format(cell))\" fill=\"\(colour)\" fill-opacity=\"\(format(min(1, 0.25 + 0.75 * abs(v) / peak)))\"/>\n"
            } } }
        }
        if t > shown {
            out += "<text x=\"\(format(gap))\" y=\"\(format(height - 6))\" font-family=\"sans-serif\" font-size=\"10\">first \(shown) of \(t) frames shown</text>\n"
        }
        return out + "</svg>\n"
    }
}
