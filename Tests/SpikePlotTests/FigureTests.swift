import XCTest
import Foundation
@testable import SpikePlot
import SpikeIO

/// Every figure kind rendered, its labels, units and ticks checked; SVG and PNG outputs of the same figure.
final class FigureTests: XCTestCase {
    func testNiceTicks() {
        XCTAssertEqual(Ticks.values(0, 100, count: 5), [0, 20, 40, 60, 80, 100])
        XCTAssertEqual(Ticks.values(-70.3, -49.6, count: 4), [-70, -65, -60, -55, -50])
        XCTAssertEqual(Ticks.values(0, 0.9, count: 4), [0, 0.2, 0.4, 0.6, 0.8])
        XCTAssertEqual(Ticks.step(0, 1e-4, count: 5), 2e-5, accuracy: 1e-12)
        XCTAssertEqual(Ticks.label(0.30000000000000004, step: 0.1), "0.3")
        XCTAssertEqual(Ticks.label(-65, step: 5), "-65")
        XCTAssertEqual(Ticks.label(-0.04, step: 0.1), "0.0")
        XCTAssertEqual(Ticks.values(5, 5), [5])
        XCTAssertEqual(Ticks.integers(0, 3, count: 5), [0, 1, 2, 3])
        XCTAssertEqual(Ticks.integers(0, 99, count: 5), [0, 20, 40, 60, 80])
    }

    /// A membrane that rises linearly and resets: three neurons, 50 steps of 0.1 ms.
    func content(neurons: Int = 3) -> NeuronFigure.Content {
        let T = 50
        var c = NeuronFigure.Content(title: "lif_test: a LIF", caption: "tau dV/dt = -(V - V_rest) + R I; spike when V >= V_th; then V = V_reset",
                                     steps: T, neurons: neurons, dt: 0.1, timeUnit: "ms")
        var v = [Float](), s = [Float](), x = [Float]()
        for t in 0..<T { for n in 0..<neurons {
            let phase = Float((t * (n + 1)) % 20)
            v.append(-70 + phase); s.append(phase == 19 ? 1 : 0); x.append(Float(n + 1) * 0.5)
        } }
        c.input = Trace(name: "input current", unit: "pA", values: x)
        c.membrane = Trace(name: "v", unit: "mV", values: v)
        c.threshold = -50; c.reset = -70
        c.spikes = s
        c.states = [Trace(name: "w", unit: "pA", values: x.map { $0 * 2 })]
        return c
    }

    func testNeuronFigureHasTitleCaptionUnitsTicksThresholdResetAndOneRowPerNeuron() {
        let f = NeuronFigure.figure(content())
        let texts = f.texts
        XCTAssertEqual(texts.first, "lif_test: a LIF")
        XCTAssertTrue(texts.contains("tau dV/dt = -(V - V_rest) + R I; spike when V >= V_th; then V = V_reset"), "\(texts)")
        for label in ["input current (pA)", "v (mV)", "neuron", "w (pA)", "time (ms)", "neuron 0", "neuron 2"] {
            XCTAssertTrue(texts.contains(label), "\(label) not in \(texts)")
        }
        // Nice x ticks over 0...5 ms and nice membrane ticks over -70...-50 mV.
        for tick in ["0", "1.0", "2.0", "2.5", "5.0", "-70", "-65", "-60", "-50"] { XCTAssertTrue(texts.contains(tick), "\(tick) not in \(texts)") }
        XCTAssertTrue(texts.contains("threshold -50") && texts.contains("reset -70"), "\(texts)")
        // The raster has rows 0, 1, 2 (one per neuron).
        let svg = f.svg()
        XCTAssertTrue(svg.contains("stroke-dasharray"), "threshold and reset lines are dashed")
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 3 * 3, "three traces per trace panel")
        let spikes = content().spikes!.filter { $0 != 0 }.count
        XCTAssertEqual(svg.components(separatedBy: "stroke-width=\"1.50\"").count - 1, spikes, "one mark per spike")
    }

    func testMoreNeuronsOnRequestAndATimeWindow() {
        var options = FigureOptions()
        let few = NeuronFigure.figure(content(neurons: 12), options: options)
        XCTAssertTrue(few.texts.contains("first 8 of 12 neurons shown"), "\(few.texts)")
        options.maxNeurons = 12
        options.window = 1...3
        options.width = 1000; options.fontSize = 14
        let all = NeuronFigure.figure(content(neurons: 12), options: options)
        XCTAssertFalse(all.texts.contains { $0.hasPrefix("first ") })
        XCTAssertTrue(all.texts.contains("neuron 11"))
        XCTAssertEqual(all.width, 1000)
        XCTAssertTrue(all.svg().contains("font-size=\"14.00\""))
        // The window's ticks: 1 to 3 ms, nothing outside.
        XCTAssertTrue(all.texts.contains("1.6") && all.texts.contains("3.0"), "\(all.texts)")
        XCTAssertFalse(all.texts.contains("3.2") || all.texts.contains("4.0"), "\(all.texts)")
    }

    func testRasterFigureRowsBinsAndLegend() {
        let T = 40, N = 5
        var s = [Float](repeating: 0, count: T * N)
        for t in stride(from: 0, to: T, by: 4) { s[t * N + t % N] = 1 }
        s[3 * N + 4] = -1
        let f = RasterFigure.figure(s, steps: T, neurons: N, dt: 0.5, timeUnit: "ms", title: "poisson encoding", binSteps: 4)
        for label in ["poisson encoding", "neuron", "spikes / bin", "time (ms)", "bins of 2 ms", "ON", "OFF (negative)", "0", "4", "20"] {
            XCTAssertTrue(f.texts.contains(label), "\(label) not in \(f.texts)")
        }
        XCTAssertEqual(f.svg().components(separatedBy: "stroke=\"crimson\"").count - 1, 1)
    }

    func testNetworkRasterBandsRatesAndTicks() {
        // Group E (4 neurons) fires at every 10th step, input P (2 neurons) at step 5; 200 steps of 0.1 ms.
        var ei: [Int32] = [], es: [Int32] = []
        for s in stride(from: 0, to: 200, by: 10) { for i in 0..<4 { ei.append(Int32(i)); es.append(Int32(s)) } }
        let bands = [NetworkRasterFigure.Band(name: "E", size: 4, indices: ei, steps: es, isGroup: true),
                     NetworkRasterFigure.Band(name: "P", size: 2, indices: [0, 1], steps: [5, 5], isGroup: false)]
        let f = NetworkRasterFigure.figure(bands, steps: 200, dt: 0.1, title: "net: 20 ms", binSteps: 10)
        for label in ["net: 20 ms", "neuron", "rate (Hz)", "time (ms)", "E", "P", "bins of 1 ms", "0", "4", "6", "10", "20", "1000"] {
            XCTAssertTrue(f.texts.contains(label), "\(label) not in \(f.texts)")
        }
        let svg = f.svg()
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, ei.count + 2, "one dot per spike")
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 1, "the group's rate only")
        // More rows than asked: the first neurons of each band, in proportion, and said so.
        var o = FigureOptions(); o.maxNeurons = 3
        XCTAssertTrue(NetworkRasterFigure.figure(bands, steps: 200, dt: 0.1, title: "t", options: o).texts.contains("E (2 of 4)"))
    }

    func testFrameGridAndItsRasterFallback() {
        var v = [Float](repeating: 0, count: 3 * 2 * 4 * 4)
        v[0] = 1; v[16 + 5] = 3; v[2 * 32 + 7] = 2          // frame 0 OFF and ON, frame 2 OFF
        let f = FrameFigure.figure(v, shape: [3, 2, 4, 4], title: "sample 0")
        XCTAssertEqual(Array(f.texts.prefix(4)), ["sample 0", "t=0", "t=1", "t=2"])
        let svg = f.svg()
        XCTAssertEqual(svg.components(separatedBy: "fill=\"crimson\"").count - 1, 2, "OFF events")
        XCTAssertTrue(svg.contains("fill-opacity=\"0.50\""), "count 1 of peak 3: 0.25 + 0.75 / 3")
        XCTAssertEqual(Array(f.png().prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        let r = FrameFigure.figure([1, 0, 0, 1, 1, 0], shape: [3, 2], title: "raster")
        XCTAssertTrue(r.texts.contains("spikes / bin") && r.texts.contains("neuron"), "\(r.texts)")
    }

    func testSignalFigureTracesLegendAndEventRows() {
        let signal: [Float] = (0..<40).map { Float($0) / 10 }, rebuilt = signal.map { ($0 * 5).rounded() / 5 }
        let up: [Float] = (0..<40).map { $0 % 5 == 0 ? 1 : 0 }, down = [Float](repeating: 0, count: 40)
        let f = SignalFigure.figure(series: [("signal", signal), ("reconstruction", rebuilt)], events: [("UP", up), ("DOWN", down)],
                                    steps: 40, title: "adm")
        for label in ["adm", "signal", "reconstruction", "UP", "DOWN", "value", "events", "time (steps)", "0", "1.0", "2.5", "4.0", "10", "20", "40"] {
            XCTAssertTrue(f.texts.contains(label), "\(label) not in \(f.texts)")
        }
        XCTAssertEqual(f.svg().components(separatedBy: "stroke-width=\"1.20\"").count - 1, 8 + 2, "8 UP marks and the 2 traces")
    }

    func testPNGIsAValidImageOfTheFigure() throws {
        let f = NeuronFigure.figure(content(), options: { var o = FigureOptions(); o.width = 320; o.height = 240; return o }())
        let png = f.png()
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        func be32(_ i: Int) -> Int { Int(png[i]) << 24 | Int(png[i + 1]) << 16 | Int(png[i + 2]) << 8 | Int(png[i + 3]) }
        XCTAssertEqual(String(decoding: png[12..<16], as: UTF8.self), "IHDR")
        XCTAssertEqual(be32(16), 320); XCTAssertEqual(be32(20), 240)
        // CRC of IHDR as zlib's crc32 gives it.
        XCTAssertEqual(UInt32(be32(29)), PNGCRC.crc32(Array(png[12..<29])))
        XCTAssertEqual(PNGCRC.crc32(Array("123456789".utf8)), 0xCBF4_3926)
        // The IDAT inflates to 240 rows of filter byte + 320 RGB pixels, with dark pixels (text, lines) on white.
        let idatLength = be32(33)
        XCTAssertEqual(String(decoding: png[37..<41], as: UTF8.self), "IDAT")
        let raw = try Zlib.decompress(Array(png[41..<(41 + idatLength)]), format: .zlib, limit: 1 << 24, name: "IDAT")
        XCTAssertEqual(raw.count, 240 * (1 + 320 * 3))
        let dark = stride(from: 0, to: raw.count, by: 1).filter { $0 % (1 + 960) != 0 && raw[$0] < 100 }.count
        XCTAssertGreaterThan(dark, 1000)
        XCTAssertEqual(String(decoding: png.suffix(8).prefix(4), as: UTF8.self), "IEND")
    }
}
