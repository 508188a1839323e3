import Foundation

/// One rectangle of a figure with its data ranges: maps data to pixels and draws the frame, ticks and labels.
struct Panel {
    let figure: Figure
    let x0: Double, x1: Double, top: Double, bottom: Double
    let xLo: Double, xHi: Double, yLo: Double, yHi: Double

    func x(_ v: Double) -> Double { x0 + (v - xLo) / (xHi - xLo) * (x1 - x0) }
    func y(_ v: Double) -> Double { bottom - (v - yLo) / (yHi - yLo) * (bottom - top) }

    /// The frame, y ticks with labels at nice values, the y label (turned) and x tick marks; x tick labels and
    /// the x label only when `xLabel` is given (the bottom panel).
    func axes(yLabel: String, xLabel: String?, yTicks: [Double]? = nil, yTickLabels: [String]? = nil) {
        let fs = figure.fontSize
        figure.rect(x0, top, x1 - x0, bottom - top)
        let ys = yTicks ?? Ticks.values(yLo, yHi, count: max(2, Int((bottom - top) / (3 * fs))))
        let yStep = ys.count > 1 ? ys[1] - ys[0] : Ticks.step(yLo, yHi)
        for (k, v) in ys.enumerated() where v >= yLo && v <= yHi {
            let py = y(v)
            figure.line(x0 - 4, py, x0, py)
            figure.text(x0 - 6, py + fs * 0.35, yTickLabels?[k] ?? Ticks.label(v, step: yStep), anchor: .end)
        }
        figure.text(x0 - fs * 4.2, (top + bottom) / 2, yLabel, size: fs * 1.1, anchor: .middle, vertical: true)
        let xs = Ticks.values(xLo, xHi, count: max(2, Int((x1 - x0) / (7 * fs))))
        let xStep = xs.count > 1 ? xs[1] - xs[0] : Ticks.step(xLo, xHi)
        for v in xs {
            let px = x(v)
            figure.line(px, bottom, px, bottom + 4)
            if xLabel != nil { figure.text(px, bottom + fs * 1.4, Ticks.label(v, step: xStep), anchor: .middle) }
        }
        if let xLabel { figure.text((x0 + x1) / 2, bottom + fs * 3, xLabel, size: fs * 1.1, anchor: .middle) }
    }
}

/// Splits `text` into lines of at most `limit` characters at spaces (a word longer than the limit stays whole).
func wrap(_ text: String, limit: Int) -> [String] {
    var lines: [String] = [], line = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
        if !line.isEmpty, line.count + 1 + word.count > limit { lines.append(line); line = "" }
        line += (line.isEmpty ? "" : " ") + word
    }
    if !line.isEmpty { lines.append(line) }
    return lines
}

let seriesColours = ["black", "crimson", "steelblue", "darkgreen", "darkorange", "purple", "saddlebrown", "teal"]
