import Foundation
import SpikeIO

/// A figure as a list of drawing primitives in pixel coordinates (origin top left), rendered to SVG text or to
/// a PNG image (RGB, drawn by SpikePlot's own rasteriser with a built-in bitmap font, compressed with zlib), so
/// that both outputs show the same figure.
public final class Figure {
    /// Width and height in pixels (SVG user units).
    public let width: Double, height: Double
    /// Base font size in pixels (tick labels; titles and axis labels are scaled from it).
    public let fontSize: Double

    /// Horizontal anchor of a text.
    public enum Anchor: String, Sendable { case start, middle, end }

    enum Item {
        case line(Double, Double, Double, Double, String, Double, Bool)
        case polyline([(Double, Double)], String, Double)
        case rect(Double, Double, Double, Double, stroke: String?, fill: String?, opacity: Double)
        case circle(Double, Double, Double, String)
        case text(Double, Double, String, Double, Anchor, String, Bool)
    }
    private(set) var items: [Item] = []

    /// An empty white figure of `width` x `height` pixels with tick labels of `fontSize` pixels.
    public init(width: Double = 800, height: Double = 500, fontSize: Double = 11) {
        self.width = width; self.height = height; self.fontSize = fontSize
    }

    /// A straight line of `width` pixels (`dashed`: 6 on, 4 off).
    public func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, colour: String = "black", width: Double = 1, dashed: Bool = false) {
        items.append(.line(x1, y1, x2, y2, colour, width, dashed))
    }
    /// A polyline through `points`.
    public func polyline(_ points: [(Double, Double)], colour: String, width: Double = 1.2) {
        if points.count > 1 { items.append(.polyline(points, colour, width)) }
    }
    /// A rectangle, stroked and/or filled (the fill with `opacity` in [0, 1]).
    public func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, stroke: String? = "black", fill: String? = nil, opacity: Double = 1) {
        items.append(.rect(x, y, w, h, stroke: stroke, fill: fill, opacity: opacity))
    }
    /// A filled circle.
    public func circle(_ cx: Double, _ cy: Double, _ r: Double, colour: String) { items.append(.circle(cx, cy, r, colour)) }
    /// Text with its baseline at `y`; `vertical` turns it 90 degrees anticlockwise about (x, y).
    public func text(_ x: Double, _ y: Double, _ s: String, size: Double? = nil, anchor: Anchor = .start, colour: String = "black", vertical: Bool = false) {
        items.append(.text(x, y, s, size ?? fontSize, anchor, colour, vertical))
    }

    /// The texts of the figure, in drawing order (tests read the labels and ticks from it).
    public var texts: [String] { items.compactMap { if case let .text(_, _, s, _, _, _, _) = $0 { return s } else { return nil } } }

    // MARK: SVG

    static func f(_ v: Double) -> String { String(format: "%.2f", v) }
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// The figure as an SVG document.
    public func svg() -> String {
        let f = Figure.f
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        for item in items {
            switch item {
            case let .line(x1, y1, x2, y2, c, w, dashed):
                out += "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(c)\" stroke-width=\"\(f(w))\"\(dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
            case let .polyline(points, c, w):
                out += "<polyline fill=\"none\" stroke=\"\(c)\" stroke-width=\"\(f(w))\" points=\"" + points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ") + "\"/>\n"
            case let .rect(x, y, w, h, stroke, fill, opacity):
                out += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"\(fill ?? "none")\""
                    + (opacity < 1 ? " fill-opacity=\"\(f(opacity))\"" : "") + (stroke.map { " stroke=\"\($0)\" stroke-width=\"0.8\"" } ?? "") + "/>\n"
            case let .circle(cx, cy, r, c):
                out += "<circle cx=\"\(f(cx))\" cy=\"\(f(cy))\" r=\"\(f(r))\" fill=\"\(c)\"/>\n"
            case let .text(x, y, s, size, anchor, c, vertical):
                out += "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor.rawValue)\" font-family=\"sans-serif\" font-size=\"\(f(size))\" fill=\"\(c)\""
                    + (vertical ? " transform=\"rotate(-90 \(f(x)) \(f(y)))\"" : "") + ">\(Figure.escape(s))</text>\n"
            }
        }
        return out + "</svg>\n"
    }

    // MARK: PNG

    /// RGB of the colour names the figures use (anything else draws black).
    static let palette: [String: (UInt8, UInt8, UInt8)] = [
        "black": (0, 0, 0), "white": (255, 255, 255), "gray": (128, 128, 128), "lightgray": (211, 211, 211),
        "crimson": (220, 20, 60), "steelblue": (70, 130, 180), "darkgreen": (0, 100, 0), "darkorange": (255, 140, 0),
        "purple": (128, 0, 128), "saddlebrown": (139, 69, 19), "teal": (0, 128, 128), "dimgray": (105, 105, 105),
    ]

    /// The figure as a PNG file (8-bit RGB, zlib-compressed rows).
    public func png() -> [UInt8] {
        var canvas = Canvas(width: max(1, Int(width.rounded())), height: max(1, Int(height.rounded())))
        for item in items {
            switch item {
            case let .line(x1, y1, x2, y2, c, w, dashed): canvas.line(x1, y1, x2, y2, Figure.palette[c] ?? (0, 0, 0), w, dashed: dashed)
            case let .polyline(points, c, w):
                for (a, b) in zip(points, points.dropFirst()) { canvas.line(a.0, a.1, b.0, b.1, Figure.palette[c] ?? (0, 0, 0), w, dashed: false) }
            case let .rect(x, y, w, h, stroke, fill, opacity):
                if let fill { canvas.fill(x, y, w, h, Figure.palette[fill] ?? (0, 0, 0), opacity) }
                if let stroke {
                    let c = Figure.palette[stroke] ?? (0, 0, 0)
                    canvas.line(x, y, x + w, y, c, 1, dashed: false); canvas.line(x + w, y, x + w, y + h, c, 1, dashed: false)
                    canvas.line(x + w, y + h, x, y + h, c, 1, dashed: false); canvas.line(x, y + h, x, y, c, 1, dashed: false)
                }
            case let .circle(cx, cy, r, c): canvas.disc(cx, cy, r, Figure.palette[c] ?? (0, 0, 0))
            case let .text(x, y, s, size, anchor, c, vertical): canvas.text(x, y, s, size, anchor, Figure.palette[c] ?? (0, 0, 0), vertical: vertical)
            }
        }
        return canvas.png()
    }
}

/// An RGB pixel buffer with the few drawing operations figures need.
struct Canvas {
    let width: Int, height: Int
    var pixels: [UInt8]

    init(width: Int, height: Int) {
        self.width = width; self.height = height
        pixels = [UInt8](repeating: 255, count: width * height * 3)
    }

    /// Blends colour `c` over pixel (x, y) with coverage `a` in [0, 1].
    mutating func blend(_ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8), _ a: Double) {
        guard x >= 0, y >= 0, x < width, y < height, a > 0 else { return }
        let k = (y * width + x) * 3, t = min(1, a)
        pixels[k] = UInt8((Double(pixels[k]) * (1 - t) + Double(c.0) * t).rounded())
        pixels[k + 1] = UInt8((Double(pixels[k + 1]) * (1 - t) + Double(c.1) * t).rounded())
        pixels[k + 2] = UInt8((Double(pixels[k + 2]) * (1 - t) + Double(c.2) * t).rounded())
    }

    mutating func fill(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ c: (UInt8, UInt8, UInt8), _ opacity: Double) {
        let y0 = max(0, Int(y.rounded())), y1 = min(height, Int((y + h).rounded()))
        let x0 = max(0, Int(x.rounded())), x1 = min(width, Int((x + w).rounded()))
        guard y0 < y1, x0 < x1 else { return }
        for yy in y0..<y1 { for xx in x0..<x1 { blend(xx, yy, c, opacity) } }
    }

    /// A line of `w` pixels: sampled every half pixel, each sample stamping a square of the line's width.
    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ c: (UInt8, UInt8, UInt8), _ w: Double, dashed: Bool) {
        let length = ((x2 - x1) * (x2 - x1) + (y2 - y1) * (y2 - y1)).squareRoot()
        guard length.isFinite else { return }
        let n = max(1, Int((length * 2).rounded(.up)))
        let half = max(0, Int((w / 2).rounded(.down)))
        for i in 0...n {
            let s = Double(i) / Double(n)
            if dashed, (s * length).truncatingRemainder(dividingBy: 10) >= 6 { continue }
            let x = Int((x1 + (x2 - x1) * s).rounded(.down)), y = Int((y1 + (y2 - y1) * s).rounded(.down))
            for dy in -half...half { for dx in -half...half { blend(x + dx, y + dy, c, 1) } }
        }
    }

    mutating func disc(_ cx: Double, _ cy: Double, _ r: Double, _ c: (UInt8, UInt8, UInt8)) {
        let rr = max(0.7, r)
        for y in Int((cy - rr).rounded(.down))...Int((cy + rr).rounded(.up)) {
            for x in Int((cx - rr).rounded(.down))...Int((cx + rr).rounded(.up)) {
                let d = ((Double(x) + 0.5 - cx) * (Double(x) + 0.5 - cx) + (Double(y) + 0.5 - cy) * (Double(y) + 0.5 - cy)).squareRoot()
                blend(x, y, c, rr + 0.5 - d)
            }
        }
    }

    /// Text from `BitmapFont`, scaled to `size` pixels (nearest sample), baseline at `y`.
    mutating func text(_ x: Double, _ y: Double, _ s: String, _ size: Double, _ anchor: Figure.Anchor, _ c: (UInt8, UInt8, UInt8), vertical: Bool) {
        let scale = size / 13
        let advance = Double(BitmapFont.cellWidth) * scale * 0.95
        let chars = Array(s.unicodeScalars)
        let total = advance * Double(chars.count)
        let start = anchor == .start ? 0 : anchor == .middle ? -total / 2 : -total
        let cw = Int((Double(BitmapFont.cellWidth) * scale).rounded(.up)), ch = Int((Double(BitmapFont.cellHeight) * scale).rounded(.up))
        for (k, u) in chars.enumerated() {
            let code = Int(u.value)
            let glyph = Array((32...126).contains(code) ? BitmapFont.glyphs[code - 32].utf8 : BitmapFont.glyphs[Int(("?" as Unicode.Scalar).value) - 32].utf8)
            let along = start + Double(k) * advance
            for gy in 0..<ch { for gx in 0..<cw {
                let sx = min(BitmapFont.cellWidth - 1, Int(Double(gx) / scale)), sy = min(BitmapFont.cellHeight - 1, Int(Double(gy) / scale))
                let hex = glyph[sy * BitmapFont.cellWidth + sx]
                let v = Int(hex >= 97 ? hex - 87 : hex - 48)
                guard v > 0 else { continue }
                // Glyph pixel (gx, gy) relative to the baseline origin; vertical text runs upwards.
                let u0 = along + Double(gx), v0 = Double(gy) - Double(BitmapFont.baseline) * scale
                let (px, py) = vertical ? (x + v0, y - u0) : (x + u0, y + v0)
                blend(Int(px.rounded(.down)), Int(py.rounded(.down)), c, Double(v) / 15)
            } }
        }
    }

    /// The PNG file: signature, IHDR, one IDAT (filter type 0 on every row), IEND.
    func png() -> [UInt8] {
        var raw: [UInt8] = []
        raw.reserveCapacity(height * (width * 3 + 1))
        for y in 0..<height { raw.append(0); raw += pixels[(y * width * 3)..<((y + 1) * width * 3)] }
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
        func chunk(_ type: String, _ data: [UInt8]) {
            let body = Array(type.utf8) + data
            out += be32(UInt32(data.count)) + body + be32(PNGCRC.crc32(body))
        }
        chunk("IHDR", be32(UInt32(width)) + be32(UInt32(height)) + [8, 2, 0, 0, 0])
        chunk("IDAT", Zlib.compress(raw, format: .zlib, level: 6))
        chunk("IEND", [])
        return out
    }
}

/// CRC-32 (ISO 3309, the polynomial PNG chunks use).
enum PNGCRC {
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
