import XCTest
import Foundation
import SpikeKit
@testable import SpikeCLI

/// `spike neuron`: per-neuron parameters, mismatch, plots, --dt and their bad inputs.
final class NeuronCommandTests: SpikeProcessTestCase {
    func read(_ f: String) throws -> Tensor { try NPY.read(from: URL(fileURLWithPath: path(f))) }

    func testPerNeuronParametersMismatchAndPlot() throws {
        let T = 60
        let x = try write(Tensor(shape: [T, 3], scalars: [Float](repeating: 0.4, count: T * 3)), "x.npy")
        let r = try spike(["neuron", "lif", "--input", x, "--output", path("o"), "--set", "tau=2,4,8", "--set", "decay_input=false",
                           "--plot", path("fig.svg")])
        XCTAssertEqual(r.status, 0, r.stderr)
        // Each column equals a run of that neuron's tau alone.
        let spikes = try read("o/spikes.npy")
        for (n, tau) in ["2", "4", "8"].enumerated() {
            let one = try write(Tensor(shape: [T, 1], scalars: [Float](repeating: 0.4, count: T)), "one.npy")
            let s = try spike(["neuron", "lif", "--input", one, "--output", path("o\(n)"), "--set", "tau=\(tau)", "--set", "decay_input=false"])
            XCTAssertEqual(s.status, 0, s.stderr)
            XCTAssertEqual(try read("o\(n)/spikes.npy").scalars, (0..<T).map { spikes.scalars[$0 * 3 + n] }, "tau \(tau)")
        }
        XCTAssertLessThan(spikes.scalars.enumerated().filter { $0.offset % 3 == 0 }.map(\.element).reduce(0, +),
                          spikes.scalars.enumerated().filter { $0.offset % 3 == 2 }.map(\.element).reduce(0, +))
        let svg = try String(contentsOfFile: path("fig.svg"), encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.contains("polyline") && svg.contains("neuron 2") && svg.contains(">v</text>"))

        // Mismatch: seeded, neurons differ although their nominal parameters are equal.
        for run in ["m1", "m2"] {
            let m = try spike(["neuron", "lif", "--input", x, "--output", path(run), "--set", "tau=3", "--set", "decay_input=false",
                               "--mismatch", "v_threshold=0.3", "--seed", "7"])
            XCTAssertEqual(m.status, 0, m.stderr)
        }
        XCTAssertEqual(try read("m1/v.npy"), try read("m2/v.npy"))
        let v = try read("m1/v.npy").scalars
        XCTAssertNotEqual((0..<T).map { v[$0 * 3] }, (0..<T).map { v[$0 * 3 + 1] })
    }

    /// PNG output, size, font, neurons shown and the time window, through the real binary; units from the model.
    func testFigureOptionsAndPNG() throws {
        let x = try write(Tensor(shape: [300, 12], scalars: (0..<3600).map { Float($0 % 12) * 0.05 + 0.3 }), "x.npy")
        let r = try spike(["neuron", "va_cuba", "--input", x, "--output", path("o"), "--plot", path("f.png"),
                           "--plot-neurons", "12", "--plot-window", "5:20", "--plot-size", "600x400", "--font-size", "12"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let png = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path("f.png"))))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        XCTAssertEqual(Array(png[16..<24]), [0, 0, 2, 88, 0, 0, 1, 144], "600 x 400")
        let s = try spike(["neuron", "va_cuba", "--input", x, "--output", path("p"), "--plot", path("f.svg"), "--plot-neurons", "12"])
        XCTAssertEqual(s.status, 0, s.stderr)
        let svg = try String(contentsOfFile: path("f.svg"), encoding: .utf8)
        for label in [">v (mV)</text>", ">time (ms)</text>", ">neuron 11</text>", ">threshold -50</text>", ">reset -60</text>", ">-50</text>"] {
            XCTAssertTrue(svg.contains(label), label)
        }
        try assertFails(["neuron", "lif", "--input", x, "--output", path("q"), "--plot", path("f.pdf")], "the figure is written as .svg or .png")
        try assertFails(["neuron", "lif", "--input", x, "--output", path("q"), "--plot", path("f.svg"), "--plot-window", "9:3"], "--plot-window expects START:END")
        try assertFails(["neuron", "lif", "--input", x, "--output", path("q"), "--plot", path("f.svg"), "--plot-size", "10x10"], "--plot-size expects")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("q")))
    }

    func testPlotHasOnePanelPerState() throws {
        // A two-state model: LIF has one state; use the discrete LI and the IF for a spiking/non-spiking pair.
        let x = try write(Tensor(shape: [20, 2], scalars: [Float](repeating: 0.6, count: 40)), "x.npy")
        let r = try spike(["neuron", "if", "--input", x, "--output", path("o"), "--plot", path("if.svg")])
        XCTAssertEqual(r.status, 0, r.stderr)
        let svg = try String(contentsOfFile: path("if.svg"), encoding: .utf8)
        // Spike marks: one tick per spike of the shown neurons (IF at 0.6 fires every second step: 10 each).
        XCTAssertEqual(svg.components(separatedBy: "stroke-width=\"1.50\"").count - 1, 20)
    }

    /// `--list` names each model by its id and its family-qualified id; either runs the same model.
    func testListShowsQualifiedIDsAndTheyRun() throws {
        let listing = try spike(["neuron", "--list"])
        XCTAssertTrue(listing.stdout.contains("\nlif | spikingjelly.lif: "))
        XCTAssertTrue(listing.stdout.contains("\nadex | norse.lif_adex: "))
        XCTAssertTrue(listing.stdout.contains("\nlif_int | spaic.diehlandcook: "))
        XCTAssertTrue(listing.stdout.contains("\nspaic.aeif | spaic.adex: "))
        let x = try write(Tensor(shape: [20, 2], scalars: (0..<40).map { Float($0 % 7) * 0.3 }), "x.npy")
        for (a, b) in [("lif", "spikingjelly.lif"), ("adex", "norse.lif_adex"), ("spaic.aeif", "spaic.adex")] {
            XCTAssertEqual(try spike(["neuron", a, "--input", x, "--output", path(a)]).status, 0)
            XCTAssertEqual(try spike(["neuron", b, "--input", x, "--output", path(b)]).status, 0)
            XCTAssertEqual(try NPY.read(from: URL(fileURLWithPath: path(a) + "/v.npy")), try NPY.read(from: URL(fileURLWithPath: path(b) + "/v.npy")), b)
        }
        XCTAssertNotEqual(try NPY.read(from: URL(fileURLWithPath: path("lif") + "/v.npy")),
                          try spike(["neuron", "spaic.lif", "--input", x, "--output", path("sl")]).status == 0
                            ? try NPY.read(from: URL(fileURLWithPath: path("sl") + "/v.npy")) : Tensor([0]), "SPAIC's lif is not SpikingJelly's")
    }

    /// Every registered model runs from the command line with its defaults and draws its figure.
    func testEveryModelRunsAndPlots() throws {
        let x = try write(Tensor(shape: [30, 2], scalars: [Float](repeating: 0, count: 60)), "zeros.npy")
        let listing = try spike(["neuron", "--list"])
        XCTAssertEqual(listing.status, 0)
        for entry in NeuronRegistry.entries {
            XCTAssertTrue(listing.stdout.contains("\(NeuronRegistry.names(of: entry.id).joined(separator: " | ")): \(entry.summary)"), entry.id)
            let r = try spike(["neuron", entry.id, "--input", x, "--output", path(entry.id), "--plot", path("\(entry.id).svg")])
            XCTAssertEqual(r.status, 0, "\(entry.id): \(r.stderr)")
            let model = try NeuronRegistry.model(entry.id, parameters: [:])
            for name in model.stateNames + (model.isSpiking ? ["spikes"] : []) {
                XCTAssertEqual(try read("\(entry.id)/\(name).npy").shape, [30, 2], "\(entry.id) \(name)")
            }
            let svg = try String(contentsOfFile: path("\(entry.id).svg"), encoding: .utf8)
            // The input and every state, two neurons each; the title is the model's id and reference.
            XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2 * (1 + model.stateNames.count), entry.id)
            XCTAssertTrue(svg.contains(">\(entry.id): "), entry.id)
            XCTAssertTrue(svg.contains(">input</text>") && svg.contains(">time ("), entry.id)
        }
    }

    func testMismatchOfAllParametersKeepsTheTimeStep() throws {
        let x = try write(Tensor(shape: [40, 2], scalars: [Float](repeating: 0.5, count: 80)), "x.npy")
        for (dir, extra) in [("plain", [String]()), ("all", ["--mismatch", "all=0.1", "--seed", "3"])] {
            let r = try spike(["neuron", "cuba_lif", "--input", x, "--output", path(dir)] + extra)
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let plain = try read("plain/v.npy").scalars, all = try read("all/v.npy").scalars
        XCTAssertNotEqual(plain, all)
        XCTAssertNotEqual((0..<40).map { all[$0 * 2] }, (0..<40).map { all[$0 * 2 + 1] }, "neurons differ")
    }

    func testBadPerNeuronAndMismatchArguments() throws {
        let x = try write(Tensor(shape: [4, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8]), "x.npy")
        let base = ["neuron", "lif", "--input", x, "--output", path("o")]
        try assertFails(base + ["--set", "tau=1,2,3"], "lif: --set tau has 3 values for 2 neurons")
        try assertFails(base + ["--set", "tau=1,x"], "per-neuron values must be numbers")
        try assertFails(base + ["--set", "tau=2,-1"], "lif: tau of neuron 1 must be > 0, got -1.0")
        try assertFails(base + ["--set", "decay_input=true,false"], "decay_input=true,false: per-neuron values must be numbers")
        try assertFails(base + ["--mismatch", "tau"], "--mismatch expects NAME=FRACTION")
        try assertFails(base + ["--mismatch", "taux=0.1"], "no parameter 'taux' to mismatch")
        try assertFails(base + ["--mismatch", "tau=2"], "mismatch fraction of tau must be in [0, 1)")
        try assertFails(base + ["--dt", "0.1"], "lif: discrete-time model, takes no --dt")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("o")))
    }
}

/// `spike train` with zoo features: learnable neuron parameters and recurrent hidden layers, saved and evaluated.
final class TrainZooTests: SpikeProcessTestCase {
    let tiny = ["--classes", "2", "--units", "12", "--steps", "10", "--samples-per-class", "16", "--hidden", "8",
                "--epochs", "2", "--batch-size", "8"]

    func testLearnableParametersAndRecurrentLayersRoundTrip() throws {
        let ckpt = path("rec.safetensors")
        let r = try spike(["train"] + tiny + ["--recurrent", "--learn", "tau", "--save", ckpt, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let (tensors, _) = try SafeTensors.read(from: URL(fileURLWithPath: ckpt))
        XCTAssertEqual(tensors.map(\.0), ["0.weight", "0.bias", "1.recurrent.weight", "1.tau", "2.weight", "2.bias"])
        XCTAssertEqual(tensors[2].1.shape, [8, 8])
        for i in 0..<8 { XCTAssertEqual(tensors[2].1.scalars[i * 8 + i], 0, "no self-connections") }
        XCTAssertNotEqual(tensors[3].1.scalars, [10], "tau was trained")
        let summary = try JSONDecoder().decode(TrainingSummary.self, from: Data(r.stdout.utf8))
        let e = try spike(["eval", "--model", ckpt, "--json"])
        XCTAssertEqual(e.status, 0, e.stderr)
        let acc = try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as! [String: Any]
        XCTAssertEqual((acc["testAccuracy"] as! NSNumber).floatValue, summary.testAccuracy)
        try assertFails(["train"] + tiny + ["--learn", "decay_input"], "lif: 'decay_input' is not learnable (learnable: tau, v_threshold)")
        try assertFails(["train"] + tiny + ["--neuron", "li_discrete"], "does not spike")
        try assertFails(["train"] + tiny + ["--neuron", "nope"], "unknown neuron model 'nope'")
    }
}
