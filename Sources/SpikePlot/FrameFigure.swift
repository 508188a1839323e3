import Foundation

/// Event frames `[T, P, H, W]` as a grid of small images (`spike data frames --plot`): up to 32 frames, each
/// labelled with its step; ON polarity (or the only channel) black, OFF crimson, opacity by count relative to the
/// sample's largest. Other shapes (`[T, units]`, `[T, P, W]`) are drawn as a raster of the steps flattened.
public enum FrameFigure {
    /// The figure of `values` of `shape` (row-major).
    public static func figure(_ values: [Float], shape: [Int], title: String, options: FigureOptions = FigureOptions()) -> Figure {
        guard shape.count == 4, shape[0] > 0 else {
            let steps = max(1, shape.first ?? 1), units = max(1, values.count / steps)
            var o = options; o.maxNeurons = max(o.maxNeurons, min(units, 200))
            return RasterFigure.figure(values.count == steps * units ? values : [Float](repeating: 0, count: steps * units),
                                       steps: steps, neurons: units, title: title, options: o)
        }
        let fs = options.fontSize
        let (t, p, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let shown = min(t, 32), perRow = min(shown, 8), rows = (shown + perRow - 1) / perRow
        let cell = max(1.0, min(8.0, 90.0 / Double(max(h, w))))
        let fw = Double(w) * cell, fh = Double(h) * cell, gap = 14.0
        let width = max(320.0, Double(perRow) * (fw + gap) + gap), height = fs * 3.5 + Double(rows) * (fh + gap + 12) + 20
        let figure = Figure(width: width, height: height, fontSize: fs)
        figure.text(width / 2, fs * 1.8, title, size: fs * 1.3, anchor: .middle)
        let peak = max(1e-12, Double(values.map(abs).max() ?? 1))
        for f in 0..<shown {
            let ox = gap + Double(f % perRow) * (fw + gap), oy = fs * 3.5 + Double(f / perRow) * (fh + gap + 12)
            figure.text(ox, oy + 9, "t=\(f)", size: fs * 0.8)
            figure.rect(ox, oy + 12, fw, fh, stroke: "gray")
            for c in 0..<p { for yy in 0..<h { for xx in 0..<w {
                let v = Double(values[((f * p + c) * h + yy) * w + xx])
                guard v != 0 else { continue }
                figure.rect(ox + Double(xx) * cell, oy + 12 + Double(yy) * cell, cell, cell, stroke: nil,
                            fill: (p == 2 && c == 0) ? "crimson" : "black", opacity: min(1, 0.25 + 0.75 * abs(v) / peak))
            } } }
        }
        if t > shown { figure.text(gap, height - 6, "first \(shown) of \(t) frames shown", size: fs * 0.9) }
        return figure
    }
}
