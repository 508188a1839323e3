import XCTest
import Foundation
import SpikeKit

/// Outputs never mix runs, through the real binary: a used output folder is refused unless `--overwrite`, which
/// removes what the earlier run listed and nothing else; and each command says what it wrote in one line.
final class OutputFolderTests: SpikeProcessTestCase {
    func listing(_ dir: String) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir).sorted() }

    func testNeuronRefusesAUsedFolderAndOverwriteLeavesNoStaleFiles() throws {
        let x = try write(Tensor(shape: [20, 2], scalars: (0..<40).map { _ in 1.5 }), "x.npy")
        let out = path("out")
        let first = try spike(["neuron", "lif", "--input", x, "--output", out, "--grad-weights", x])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(try listing(out), ["grad_input.npy", "spikes.npy", "summary.json", "v.npy"])
        // The one-line summary agrees with the files.
        let spikes = try NPY.read(from: URL(fileURLWithPath: out + "/spikes.npy")).scalars.filter { $0 != 0 }.count
        XCTAssertEqual(first.stdout, "lif: 20 steps x 2 neurons, \(spikes) spikes; wrote 4 files to \(out)\n")
        // A second run into the same folder is refused, and the folder is untouched.
        try assertFails(["neuron", "hh", "--input", x, "--output", out], "the output folder is not empty (4 entries")
        XCTAssertEqual(try listing(out), ["grad_input.npy", "spikes.npy", "summary.json", "v.npy"])
        // With --overwrite: the new run's files, the earlier run's grad_input.npy gone, a file of the user's kept.
        try Data("mine".utf8).write(to: URL(fileURLWithPath: out + "/notes.txt"))
        let second = try spike(["neuron", "hh", "--input", x, "--output", out, "--overwrite"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(try listing(out), ["h.npy", "m.npy", "n.npy", "notes.txt", "spikes.npy", "summary.json", "v.npy"])
        let summary = try JSONDecoder().decode(NeuronRunSummaryProbe.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json")))
        XCTAssertEqual(summary.model, "hh")
        XCTAssertEqual(Set(summary.files), ["spikes.npy", "v.npy", "m.npy", "h.npy", "n.npy", "summary.json"])
    }

    /// The part of `NeuronRunSummary` read back here.
    struct NeuronRunSummaryProbe: Decodable { let model: String; let files: [String] }

    func testSimulateRefusesAUsedFolderUnlessOverwrite() throws {
        let example = ["simulate", "--example", "cuba", "--set", "neurons=50", "--duration", "5ms"]
        let out = path("sim")
        let a = try spike(example + ["--output", out])
        XCTAssertEqual(a.status, 0, a.stderr)
        let before = try listing(out)
        try assertFails(example + ["--output", out], "the output folder is not empty")
        XCTAssertEqual(try listing(out), before)
        let b = try spike(example + ["--output", out, "--overwrite"])
        XCTAssertEqual(b.status, 0, b.stderr)
        XCTAssertEqual(try listing(out), before)
        XCTAssertTrue(b.stdout.contains("wrote \(before.count) files to \(out)"), b.stdout)
    }

    func testDurationUnits() throws {
        let base = ["simulate", "--example", "cuba", "--set", "neurons=50", "--json"]
        let ms = try spike(base + ["--duration", "2ms", "--output", path("a")])
        let s = try spike(base + ["--duration", "0.002s", "--output", path("b")])
        let bare = try spike(base + ["--duration", "2", "--output", path("c")])
        for r in [ms, s, bare] { XCTAssertEqual(r.status, 0, r.stderr) }
        for r in [ms, s, bare] {
            XCTAssertEqual(try JSONDecoder().decode(SimulationSummaryProbe.self, from: Data(r.stdout.utf8)).steps, 20, r.stdout)
        }
        XCTAssertTrue(bare.stderr.contains("note: --duration 2 reads as 2 ms; write 2ms (bare numbers are deprecated)"), bare.stderr)
        XCTAssertFalse(ms.stderr.contains("deprecated"), ms.stderr)
    }

    struct SimulationSummaryProbe: Decodable { let steps: Int }

    /// `spike bench cuba --duration` takes the same suffixes; its bare number stays seconds (with the note).
    func testBenchCubaDurationUnits() throws {
        let ms = try spike(["bench", "cuba", "--neurons", "50", "--duration", "20ms"])
        let bare = try spike(["bench", "cuba", "--neurons", "50", "--duration", "0.02"])
        for r in [ms, bare] {
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains("duration=0.02s"), r.stdout)
        }
        XCTAssertTrue(bare.stderr.contains("note: --duration 0.02 reads as 0.02 s; write 0.02s"), bare.stderr)
        try assertFails(["bench", "cuba", "--neurons", "50", "--duration", "0ms"], "bench cuba: --duration must be > 0")
    }
}
