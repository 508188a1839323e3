import XCTest
import Foundation
import SpikeKit
@testable import SpikeCLI

/// `spike nir info/run/export/convert` on the SpikeNIR fixtures (copied here: graph_recurrent).
final class NIRCommandTests: SpikeProcessTestCase {
    func fixture(_ name: String) throws -> String {
        try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/nir/\(name)", withExtension: nil), name).path
    }

    func testInfoRunConvert() throws {
        let file = try fixture("graph_recurrent.nir")
        let info = try spike(["nir", "info", file])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertTrue(info.stdout.contains("lif: LIF [5]"), info.stdout)
        XCTAssertTrue(info.stdout.contains("w_rec -> lif  (recurrent: previous step)"), info.stdout)
        XCTAssertTrue(info.stdout.contains("recurrent edges: 1"), info.stdout)

        let r = try spike(["nir", "run", file, "--input", try fixture("graph_recurrent_x.npy"), "--output", path("out")])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lif = try NPY.read(from: URL(fileURLWithPath: path("out/lif.npy")))
        XCTAssertEqual(lif.scalars, try NPY.read(from: URL(fileURLWithPath: try fixture("graph_recurrent_lif.npy"))).scalars)
        let out = try NPY.read(from: URL(fileURLWithPath: path("out/output.npy")))
        XCTAssertEqual(out, lif)
        for n in ["input", "fc", "w_rec"] { XCTAssertTrue(FileManager.default.fileExists(atPath: path("out/\(n).npy")), n) }
        XCTAssertTrue(r.stdout.contains(": ran 12 steps of 0.001 s; wrote 6 files") && r.stdout.contains("files to \(path("out"))"), r.stdout)
        // Into a used folder only with --overwrite (a second run replaces the files); an empty folder is filled.
        try assertFails(["nir", "run", file, "--input", try fixture("graph_recurrent_x.npy"), "--output", path("out")], "the output folder is not empty")
        let again = try spike(["nir", "run", file, "--input", try fixture("graph_recurrent_x.npy"), "--output", path("out"), "--overwrite"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try NPY.read(from: URL(fileURLWithPath: path("out/lif.npy"))), lif)
        try FileManager.default.createDirectory(atPath: path("empty"), withIntermediateDirectories: false)
        let empty = try spike(["nir", "run", file, "--input", try fixture("graph_recurrent_x.npy"), "--output", path("empty")])
        XCTAssertEqual(empty.status, 0, empty.stderr)
        XCTAssertEqual(try NPY.read(from: URL(fileURLWithPath: path("empty/output.npy"))), lif)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp.path).filter { $0.contains("staging") }, [])

        let c = try spike(["nir", "convert", file, path("copy.nir")])
        XCTAssertEqual(c.status, 0, c.stderr)
        XCTAssertEqual(try NIRFile.read(url: URL(fileURLWithPath: path("copy.nir"))), try NIRFile.read(url: URL(fileURLWithPath: file)))
        let data = try fixture("data_graph.nird")
        let d = try spike(["nir", "convert", data, path("copy.nird")])
        XCTAssertEqual(d.status, 0, d.stderr)
        XCTAssertEqual(try NIRDataFile.read(url: URL(fileURLWithPath: path("copy.nird"))), try NIRDataFile.read(url: URL(fileURLWithPath: data)))
    }

    func testRunFailsWithoutWritingAnything() throws {
        let file = try fixture("graph_recurrent.nir")
        let bad = try write(Tensor.zeros([3, 2, 7]), "bad.npy")
        try assertFails(["nir", "run", file, "--input", bad, "--output", path("none")], "node 'input': input has shape [3, 2, 7], expected [T, B] + [4]")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("none")))
        let junk = try write(Tensor.zeros([4]), "junk.nir")
        try assertFails(["nir", "info", junk], "junk.nir: not a readable HDF5 file")
    }

    /// Node names come from the file and become file names: a name that would leave the output folder is refused
    /// before anything is written.
    func testNodeNamesThatAreNotPlainFileNamesAreRefused() throws {
        let w = NIRArray([1, 0, 0, 1], shape: [2, 2])
        for bad in ["a b", "a'b"] {   // ("..", which would leave the folder, is refused already by the HDF5 writer)
            let g = NIRGraph.sequence([(bad, .linear(weight: w))], inputShape: [2], outputShape: [2], metadata: ["dt": .array(.scalar(1e-3))])
            let file = path("bad.nir")
            try NIRFile.write(g, to: URL(fileURLWithPath: file))
            let x = try write(Tensor.zeros([3, 1, 2]), "x.npy")
            try assertFails(["nir", "run", file, "--input", x, "--output", path("out")], "cannot name an output file")
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("out")))
        }
    }

    /// A trained checkpoint exported and run by the NIR executor gives the checkpoint's own output.
    func testExportCheckpoint() throws {
        let ckpt = path("net.safetensors")
        let t = try spike(["train", "--classes", "2", "--units", "10", "--steps", "10", "--samples-per-class", "10", "--epochs", "1",
                           "--hidden", "8", "--save", ckpt])
        XCTAssertEqual(t.status, 0, t.stderr)
        let e = try spike(["nir", "export", "--model", ckpt, "--dt", "0.001", "--output", path("net.nir")])
        XCTAssertEqual(e.status, 0, e.stderr)
        let g = try NIRFile.read(url: URL(fileURLWithPath: path("net.nir")))
        XCTAssertEqual(g.metadataDt, 0.001)
        XCTAssertEqual(["0", "1", "2", "3"].map { g.nodes[$0]?.kind }, [.affine, .lif, .affine, .li])
        let (model, _, _, _) = try Checkpoint.load(from: URL(fileURLWithPath: ckpt))
        var rng = SeededRandom(seed: 3)
        let x = Variable(Tensor.uniform([10, 2, 10], low: 0, high: 3, rng: &rng).map { $0 > 2 ? 1 : 0 })
        let want = model(x).value, got = try NIRNetwork(g, options: NIRRunOptions(dt: 0.001))(x).value
        let scale = want.scalars.map(abs).max()!
        XCTAssertGreaterThan(scale, 0)
        XCTAssertLessThanOrEqual(zip(want.scalars, got.scalars).map { abs($0 - $1) }.max()! / scale, 1e-5)
    }

    /// `spike train --nir`: fine-tunes an exported graph; the saved graph has new weights, unchanged neuron
    /// fields, and reads back.
    func testTrainNIR() throws {
        let common = ["--classes", "2", "--units", "10", "--steps", "10", "--samples-per-class", "20"]
        XCTAssertEqual(try spike(["train"] + common + ["--epochs", "1", "--hidden", "8", "--save", path("n.safetensors")]).status, 0)
        XCTAssertEqual(try spike(["nir", "export", "--model", path("n.safetensors"), "--dt", "0.001", "--output", path("n.nir")]).status, 0)
        let r = try spike(["train"] + common + ["--epochs", "3", "--nir", path("n.nir"), "--save-nir", path("t.nir")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("before fine-tuning"), r.stdout)
        let a = try NIRFile.read(url: URL(fileURLWithPath: path("n.nir"))), b = try NIRFile.read(url: URL(fileURLWithPath: path("t.nir")))
        XCTAssertNotEqual(a.nodes["0"]?.array("weight"), b.nodes["0"]?.array("weight"))
        XCTAssertEqual(a.nodes["1"], b.nodes["1"])
        try assertFails(["train", "--classes", "3", "--units", "10", "--nir", path("n.nir")], "Output has shape [2], the dataset 3 classes")
    }
}
