import XCTest
import Foundation
import SpikeKit

/// `spike encode` end to end: outputs, plots, ADM reconstruction and bad input.
final class EncodeCommandTests: SpikeProcessTestCase {
    func testEncodersWriteSpikesAndRaster() throws {
        let values = Tensor(shape: [2, 5], scalars: [0, 0.25, 0.5, 0.75, 0.9, 0.9, 0.8, 0.6, 0.4, 0.2])   // weighted phase needs < 1
        try NPY.write(values, to: tmp.appendingPathComponent("v.npy"))
        for method in ["poisson", "bernoulli", "latency", "relative-latency", "ttfs", "constant-current", "uniform",
                       "weighted-phase", "population", "constant-current-lif"] {
            let out = path("\(method).npy")
            let r = try spike(["encode", method, "--input", path("v.npy"), "--steps", "16", "--output", out,
                               "--plot", path("\(method).svg")])
            XCTAssertEqual(r.status, 0, "\(method): \(r.stderr)")
            let s = try NPY.read(from: URL(fileURLWithPath: out))
            XCTAssertEqual(s.shape.first, 16, method)
            XCTAssertEqual(Array(s.shape.dropFirst().prefix(2)), [2, 5], method)
            let svg = try String(contentsOfFile: path("\(method).svg"), encoding: .utf8)
            XCTAssertTrue(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"), method)
            if method != "constant-current" {
                // One mark per spike, one raster row per neuron (10 rows: the [2, 5] values flattened).
                XCTAssertEqual(svg.components(separatedBy: "stroke-width=\"1.20\"").count - 1, s.scalars.filter { $0 != 0 }.count, method)
                XCTAssertTrue(svg.contains(">spikes / bin</text>") && svg.contains(">time (steps)</text>") , method)
            }
        }
        // Latency (linear, normalised): larger values spike earlier.
        XCTAssertEqual(try spike(["encode", "latency", "--input", path("v.npy"), "--steps", "16", "--set", "linear=true",
                                  "--set", "normalize=true", "--output", path("latency.npy")]).status, 0)
        let lat = try NPY.read(from: URL(fileURLWithPath: path("latency.npy")))
        func firstSpike(_ i: Int) -> Int { (0..<16).first { lat.scalars[$0 * 10 + i] != 0 } ?? 16 }
        XCTAssertLessThan(firstSpike(4), firstSpike(1))
    }

    func testADMReconstructionTracksTheSignal() throws {
        let T = 300
        let signal = Tensor((0..<T).map { Float(sin(2 * Double.pi * Double($0) / 100)) })
        try NPY.write(signal, to: tmp.appendingPathComponent("s.npy"))
        let r = try spike(["encode", "adm", "--input", path("s.npy"), "--set", "threshold_up=0.1", "--set", "threshold_down=0.1",
                           "--output", path("adm.npy"), "--reconstruct", path("rec.npy"), "--plot", path("adm.svg")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try NPY.read(from: URL(fileURLWithPath: path("adm.npy"))).shape, [T, 2])
        let rec = try NPY.read(from: URL(fileURLWithPath: path("rec.npy")))
        for (a, b) in zip(rec.scalars, signal.scalars) { XCTAssertLessThanOrEqual(abs(a - b), 0.1 + 1e-6) }
        let adm = try String(contentsOfFile: path("adm.svg"), encoding: .utf8)
        for label in [">reconstruction</text>", ">signal</text>", ">UP</text>", ">DOWN</text>", ">time (steps)</text>"] {
            XCTAssertTrue(adm.contains(label), label)
        }
        // One mark per UP or DOWN spike of channel 0 (the only channel here).
        let events = try NPY.read(from: URL(fileURLWithPath: path("adm.npy"))).scalars.filter { $0 != 0 }.count
        XCTAssertEqual(adm.components(separatedBy: "stroke-width=\"1.20\"").count - 1, events + 2, "and the two traces")
    }

    func testBadInputsFailWithOneLineAndWriteNothing() throws {
        try NPY.write(Tensor([0.5, 1.5]), to: tmp.appendingPathComponent("bad.npy"))
        try NPY.write(Tensor([0.5, Float.nan]), to: tmp.appendingPathComponent("nan.npy"))
        try NPY.write(Tensor([0.5, 0.2]), to: tmp.appendingPathComponent("ok.npy"))
        let cases: [([String], String)] = [
            (["encode", "poisson", "--input", path("bad.npy")], "outside [0.0, 1.0]"),
            (["encode", "poisson", "--input", path("nan.npy")], "not finite"),
            (["encode", "poisson", "--input", path("ok.npy"), "--steps", "0"], "steps must be at least 1"),
            (["encode", "delta", "--input", path("ok.npy"), "--set", "threshold=0"], "threshold"),
            (["encode", "adm", "--input", path("ok.npy"), "--set", "threshold_up=-1"], "threshold"),
            (["encode", "poisson", "--input", path("ok.npy"), "--set", "max_rate=2000", "--set", "dt=0.001"], "maxRate"),
            (["encode", "morse", "--input", path("ok.npy")], "unknown encoding method 'morse'"),
            (["encode", "poisson", "--input", path("ok.npy"), "--set", "bogus=1"], "unknown parameter 'bogus'"),
            (["encode", "poisson", "--input", path("missing.npy")], "missing.npy"),
            (["encode", "latency", "--input", path("ok.npy"), "--reconstruct", path("r.npy")], "adm only"),
        ]
        for (args, fragment) in cases {
            try assertFails(args + ["--output", path("out.npy"), "--plot", path("out.svg")], fragment)
            XCTAssertEqual(try spike(args + ["--output", path("out.npy")]).stderr.split(separator: "\n").count, 1, "\(args)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out.npy")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out.svg")))
    }

    /// SPAIC's sstb/mstb encoders and Sin/Cosine/Ramp generators from the command line, against the library.
    func testSpikeTimeEncodersAndGenerators() throws {
        let times = Tensor(shape: [2, 3], scalars: [0, 2, .infinity, 4, 1, 3])
        let r1 = try spike(["encode", "sstb", "--input", try write(times, "t.npy"), "--steps", "5", "--output", path("sstb.npy")])
        XCTAssertEqual(r1.status, 0, r1.stderr)
        let sstb = try NPY.read(from: URL(fileURLWithPath: path("sstb.npy")))
        XCTAssertEqual(sstb, try Encode.singleSpikeToBinary(times, steps: 5))
        XCTAssertEqual(sstb.shape, [5, 2, 3])
        XCTAssertEqual(sstb.scalars.reduce(0, +), 5)
        XCTAssertEqual(sstb.scalars[2 * 6 + 1], 1)   // time 2, sample 0, neuron 1

        // (sample, time, neuron) rows; sample 1 has two spikes.
        let table = Tensor(shape: [3, 3], scalars: [0, 1, 2, 1, 0, 0, 1, 3.5, 1])
        let r2 = try spike(["encode", "mstb", "--input", try write(table, "tab.npy"), "--steps", "4", "--set", "neurons=3",
                            "--output", path("mstb.npy")])
        XCTAssertEqual(r2.status, 0, r2.stderr)
        let mstb = try NPY.read(from: URL(fileURLWithPath: path("mstb.npy")))
        XCTAssertEqual(mstb.shape, [4, 2, 3])
        XCTAssertEqual(mstb.scalars.reduce(0, +), 3)
        XCTAssertEqual(mstb.scalars[1 * 6 + 0 * 3 + 2], 1)
        XCTAssertEqual(mstb.scalars[3 * 6 + 1 * 3 + 1], 1)

        let amps = Tensor([1, -2])
        let a = try write(amps, "a.npy")
        for (method, phase) in [("sine", Float(0)), ("cosine", Float.pi / 2)] {
            let r = try spike(["encode", method, "--input", a, "--steps", "50", "--set", "frequency=10", "--set", "offset=0.5",
                               "--output", path("\(method).npy")])
            XCTAssertEqual(r.status, 0, r.stderr)
            let g = try NPY.read(from: URL(fileURLWithPath: path("\(method).npy")))
            XCTAssertEqual(g.shape, [50, 2])
            for k in [0, 7, 49] {
                let s = sin(2 * Double.pi * 10 * Double(k) * 1e-3 + Double(phase))
                XCTAssertEqual(g.scalars[k * 2], Float(0.5 + s), accuracy: 1e-6)
                XCTAssertEqual(g.scalars[k * 2 + 1], Float(0.5 - 2 * s), accuracy: 1e-6)
            }
        }
        let r3 = try spike(["encode", "ramp", "--input", a, "--steps", "5", "--set", "start=1", "--output", path("ramp.npy")])
        XCTAssertEqual(r3.status, 0, r3.stderr)
        XCTAssertEqual(try NPY.read(from: URL(fileURLWithPath: path("ramp.npy"))).scalars, [1, 1, 1, 0.25, 1, -0.5, 1, -1.25, 1, -2])

        let r4 = try spike(["encode", "spaic-latency", "--input", a, "--steps", "6", "--output", path("sl.npy")])
        XCTAssertNotEqual(r4.status, 0, "negative amplitudes are not latency inputs")
        let pos = try write(Tensor([0, 1, 2]), "pos.npy")
        XCTAssertEqual(try spike(["encode", "spaic-latency", "--input", pos, "--steps", "6", "--output", path("sl.npy")]).status, 0)
        XCTAssertEqual(try NPY.read(from: URL(fileURLWithPath: path("sl.npy"))), try Encode.spaicLatency(Tensor([0, 1, 2]), steps: 6))
        try assertFails(["encode", "mstb", "--input", path("tab.npy"), "--output", path("x.npy")], "neurons=N is required")
        try assertFails(["encode", "mstb", "--input", path("tab.npy"), "--set", "neurons=2", "--output", path("x.npy")], "neuron 2")
        try assertFails(["encode", "sstb", "--input", path("t.npy"), "--steps", "3", "--output", path("x.npy")], "window")
        try assertFails(["encode", "sine", "--input", a, "--output", path("x.npy")], "frequency=HZ is required")
        try assertFails(["encode", "sine", "--input", a, "--set", "frequency=900", "--output", path("x.npy")], "Nyquist")
        try assertFails(["encode", "mstb", "--input", a, "--set", "neurons=2", "--output", path("x.npy")], "[K, 2]")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x.npy")))
    }
}
