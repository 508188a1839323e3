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
}
