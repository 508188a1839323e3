import XCTest
import Foundation
import SpikeKit
@testable import SpikeCLI

/// Everything a command writes appears together or not at all; leftovers of killed runs are cleaned.
final class AllOrNothingOutputTests: SpikeProcessTestCase {
    func listing(_ p: String) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: p).sorted() }

    /// `path` of a regular file: any path below it cannot be written (for root too).
    func blocked() throws -> String {
        try Data().write(to: tmp.appendingPathComponent("plain"))
        return path("plain/figure.svg")
    }

    func testNeuronWithAnUnwritablePlotWritesNothing() throws {
        let x = try write(Tensor(shape: [20, 2], scalars: (0..<40).map { Float($0 % 7) / 3 }), "x.npy")
        let r = try spike(["neuron", "lif", "--input", x, "--output", path("out"), "--plot", try blocked()])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("Error: \(path("plain/figure.svg")): cannot write"), r.stderr)
        XCTAssertEqual(try listing(tmp.path), ["plain", "x.npy"], "no output folder, no data files")
        // The same command with a good plot path writes everything.
        let ok = try spike(["neuron", "lif", "--input", x, "--output", path("out"), "--plot", path("out/figure.svg")])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(try listing(path("out")), ["figure.svg", "spikes.npy", "summary.json", "v.npy"])
    }

    func testEncodeWithAnUnwritablePlotWritesNothing() throws {
        let x = try write(Tensor([0.1, 0.5, 0.9]), "x.npy")
        let r = try spike(["encode", "poisson", "--input", x, "--steps", "5", "--output", path("o.npy"), "--plot", try blocked()])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertEqual(try listing(tmp.path), ["plain", "x.npy"])
        let adm = try spike(["encode", "adm", "--input", x, "--output", path("o.npy"), "--reconstruct", path("plain/r.npy")])
        XCTAssertEqual(adm.status, 1, adm.stderr)
        XCTAssertEqual(try listing(tmp.path), ["plain", "x.npy"])
    }

    func network() throws -> String {
        let text = """
        {"dt": 0.1, "duration": 2, "groups": [{"name": "E", "model": "lif_delta", "size": 2}],
         "inputs": [{"name": "P", "type": "spike_generator", "size": 1, "indices": [0], "times": [0.5]}],
         "synapses": [{"name": "S", "source": "P", "target": "E", "connect": "all_to_all", "weight": 30}],
         "monitors": [{"type": "spikes", "source": "E"}, {"type": "rate", "source": "E"}]}
        """
        try Data(text.utf8).write(to: tmp.appendingPathComponent("n.json"))
        return path("n.json")
    }

    func testSimulateWithOneBlockedTargetChangesNothing() throws {
        let net = try network()
        let out = path("out")
        XCTAssertEqual(try spike(["simulate", net, "--output", out]).status, 0)
        let before = try listing(out)
        XCTAssertEqual(before, ["rate_E.csv", "rate_E.npy", "spikes_E.csv", "spikes_E_i.npy", "spikes_E_t.npy", "summary.json"])
        let old = try Data(contentsOf: URL(fileURLWithPath: out + "/spikes_E_t.npy"))
        // One target is a folder now: refused before the run; the other files keep their old contents.
        try FileManager.default.removeItem(atPath: out + "/rate_E.csv")
        try FileManager.default.createDirectory(atPath: out + "/rate_E.csv", withIntermediateDirectories: false)
        let r = try spike(["simulate", net, "--output", out, "--duration", "3ms", "--overwrite"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertEqual(r.stderr, "Error: \(out)/rate_E.csv: cannot write: is a directory; only a regular file is replaced\n")
        XCTAssertEqual(try listing(out), before)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/spikes_E_t.npy")), old)
    }

    func testSaveStateIntoAnUnwritablePlaceFailsBeforeAnythingIsPublished() throws {
        let net = try network()
        let r = try spike(["simulate", net, "--output", path("out"), "--save-state", try blocked()])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertEqual(try listing(tmp.path), ["n.json", "plain"])
        // A good state path: the state and the outputs appear together.
        XCTAssertEqual(try spike(["simulate", net, "--output", path("out"), "--save-state", path("out/state.safetensors")]).status, 0)
        XCTAssertTrue(try listing(path("out")).contains("state.safetensors"))
    }

    func testLeftoversOfKilledRunsAreCleanedByTheNextRun() throws {
        let net = try network()
        let out = path("out")
        XCTAssertEqual(try spike(["simulate", net, "--output", out]).status, 0)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run(); p.waitUntilExit()
        let dead = p.processIdentifier
        try FileManager.default.createDirectory(atPath: out + "/.spike-simulate-\(dead)-77", withIntermediateDirectories: false)
        try Data([1]).write(to: URL(fileURLWithPath: out + "/.spike-simulate-\(dead)-77/spikes_E_t.npy"))
        try FileManager.default.createDirectory(atPath: out + "/.spike-staging-\(dead)-aa", withIntermediateDirectories: false)
        try Data([1]).write(to: URL(fileURLWithPath: out + "/.summary.json.tmp-\(dead)-x1"))
        XCTAssertEqual(try spike(["simulate", net, "--output", out, "--overwrite"]).status, 0)
        XCTAssertEqual(try listing(out), ["rate_E.csv", "rate_E.npy", "spikes_E.csv", "spikes_E_i.npy", "spikes_E_t.npy", "summary.json"])
        // In a folder that holds only such leftovers, a run needs no --overwrite.
        let fresh = path("fresh")
        try FileManager.default.createDirectory(atPath: fresh + "/.spike-staging-\(dead)-bb", withIntermediateDirectories: true)
        try Data([1]).write(to: URL(fileURLWithPath: fresh + "/.summary.json.tmp-\(dead)-x2"))
        XCTAssertEqual(try spike(["simulate", net, "--output", fresh]).status, 0)
        XCTAssertEqual(try listing(fresh), ["rate_E.csv", "rate_E.npy", "spikes_E.csv", "spikes_E_i.npy", "spikes_E_t.npy", "summary.json"])
    }
}
