import XCTest
import Foundation
import SpikeKit

/// Documentation that cannot rot. Every Swift code block of README.md, Examples/README.md, docs/*.md and the DocC
/// articles (Documentation/SpikeKit.docc) is
/// quoted from a file that is compiled (an example program of Examples/, built as an executable target of the
/// package, or a test source): the line before the block names it,
///
///     <!-- snippet: Examples/TrainRandman/main.swift#train -->
///
/// and the block must equal the lines between `// snippet: train` and `// snippet: end` of that file (or the
/// whole file, without `#NAME`), less the indentation its lines share. The examples are run here with small sizes, so a change of API that breaks a
/// documented example fails the suite, as does a code block that names no source or differs from it.
final class DocumentationTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The Markdown files whose Swift blocks are checked.
    static func documents() throws -> [URL] {
        let docs = root.appendingPathComponent("docs")
        let names = try FileManager.default.contentsOfDirectory(atPath: docs.path).filter { $0.hasSuffix(".md") }.sorted()
        let catalogue = root.appendingPathComponent("Documentation/SpikeKit.docc")
        let articles = try FileManager.default.contentsOfDirectory(atPath: catalogue.path).filter { $0.hasSuffix(".md") }.sorted()
        return [root.appendingPathComponent("README.md"), root.appendingPathComponent("Examples/README.md")]
            + names.map { docs.appendingPathComponent($0) } + articles.map { catalogue.appendingPathComponent($0) }
    }

    /// A Swift block of a document: where it is, what it shows, and the source it names (nil when none).
    struct Block { let place: String; let lines: [String]; let source: String? }

    static func blocks(of url: URL) throws -> [Block] {
        let lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        var out: [Block] = []
        var i = 0
        while i < lines.count {
            if lines[i].trimmingCharacters(in: .whitespaces) == "```swift" {
                let start = i
                var body: [String] = []
                i += 1
                while i < lines.count, lines[i].trimmingCharacters(in: .whitespaces) != "```" { body.append(lines[i]); i += 1 }
                var source: String? = nil
                if start > 0 {
                    let previous = lines[start - 1].trimmingCharacters(in: .whitespaces)
                    if previous.hasPrefix("<!-- snippet: "), previous.hasSuffix(" -->") {
                        source = String(previous.dropFirst("<!-- snippet: ".count).dropLast(" -->".count))
                    }
                }
                out.append(Block(place: "\(url.lastPathComponent):\(start + 1)", lines: body, source: source))
            }
            i += 1
        }
        return out
    }

    /// The lines of `reference` (`PATH` or `PATH#NAME`, relative to the repository root).
    static func quoted(_ reference: String) throws -> [String]? {
        let parts = reference.split(separator: "#", maxSplits: 1).map(String.init)
        let text = try String(contentsOf: root.appendingPathComponent(parts[0]), encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        guard parts.count == 2 else { return lines }
        guard let a = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "// snippet: \(parts[1])" }),
              let b = lines[(a + 1)...].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "// snippet: end" })
        else { return nil }
        return dedented(Array(lines[(a + 1)..<b]))
    }

    /// `lines` without the leading spaces they all share (a snippet inside a function body).
    static func dedented(_ lines: [String]) -> [String] {
        let indent = lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map { $0.prefix { $0 == " " }.count }.min() ?? 0
        return lines.map { String($0.dropFirst(min(indent, $0.prefix { $0 == " " }.count))) }
    }

    func testEverySwiftBlockIsQuotedFromCompiledSource() throws {
        var checked = 0
        for doc in try Self.documents() {
            for block in try Self.blocks(of: doc) {
                guard let source = block.source else {
                    XCTFail("\(block.place): a Swift block without a <!-- snippet: FILE#NAME --> line before it"); continue
                }
                guard let lines = try Self.quoted(source) else { XCTFail("\(block.place): no snippet \(source)"); continue }
                XCTAssertEqual(block.lines, lines, "\(block.place) differs from \(source)")
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 7)
    }

    /// Every quoted file is a file of a target that is built (Examples/ or Tests/).
    func testQuotedFilesAreCompiled() throws {
        for doc in try Self.documents() {
            for block in try Self.blocks(of: doc) {
                guard let source = block.source else { continue }
                XCTAssertTrue(source.hasPrefix("Examples/") || source.hasPrefix("Tests/"), "\(block.place): \(source) is not compiled")
                XCTAssertTrue(source.hasSuffix(".swift") || source.contains(".swift#"), "\(block.place): \(source)")
            }
        }
    }

    // MARK: the example programs, run with small sizes

    struct Run { let status: Int32; let stdout: String; let stderr: String }

    /// Runs the built example `name` with `arguments` in a fresh temporary folder.
    func example(_ name: String, _ arguments: [String]) throws -> (Run, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spike-example-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let p = Process()
        p.executableURL = Bundle.main.bundleURL.appendingPathComponent(name)
        p.arguments = arguments
        p.currentDirectoryURL = folder
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let run = Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
        XCTAssertEqual(run.status, 0, "\(name) \(arguments): \(run.stderr)")
        return (run, folder)
    }

    /// The number after `prefix` in `text`.
    func number(after prefix: String, in text: String) -> Double? {
        guard let r = text.range(of: prefix) else { return nil }
        return Double(text[r.upperBound...].prefix { "0123456789.-e".contains($0) })
    }

    func testTrainRandmanRuns() throws {
        let (run, _) = try example("TrainRandman", ["1", "10"])
        let accuracy = try XCTUnwrap(number(after: "test accuracy ", in: run.stdout), run.stdout)
        XCTAssertTrue((0...1).contains(accuracy))
    }

    /// The conv training example trains the csnn for 2 epochs on 16 random frames and writes a checkpoint that
    /// records both epochs, its optimizer file and the metrics log.
    func testTrainCSNNRunsAndWritesItsCheckpoint() throws {
        let (run, folder) = try example("TrainCSNN", ["16", "."])
        let accuracy = try XCTUnwrap(number(after: "test accuracy ", in: run.stdout), run.stdout)
        XCTAssertTrue((0...1).contains(accuracy))
        let url = folder.appendingPathComponent("csnn.safetensors")
        XCTAssertEqual(try TrainingCheckpoint.read(from: url).epoch, 2)
        for u in [TrainingCheckpoint.optimizerURL(for: url), MetricsLog.urls(for: url).jsonl, MetricsLog.urls(for: url).csv] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: u.path), u.path)
        }
    }

    func testSimulateNetworkRunsAndSavesItsState() throws {
        let (run, folder) = try example("SimulateNetwork", ["200", "50", "state"])
        XCTAssertNotNil(number(after: "E: ", in: run.stdout), run.stdout)
        // The saved state restores into the same network.
        let saved = folder.appendingPathComponent("state/state.safetensors")
        XCTAssertTrue(FileManager.default.fileExists(atPath: saved.path))
        XCTAssertFalse(try SafeTensors.read(from: saved).tensors.isEmpty)
    }

    func testRunNetworkFileMatchesTheFile() throws {
        let text = try NetworkExampleFiles.text("cuba", settings: ["neurons": "100", "duration": "50"])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spike-netfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("cuba.json")
        try Data(text.utf8).write(to: file)
        let (run, _) = try example("RunNetworkFile", [file.path])
        // The printed counts are those of the library's own build of the same file.
        let d = try NetworkDescription(contentsOf: file)
        let net = try Network(d)
        try net.run(duration: d.duration)
        for counter in net.monitors.compactMap({ $0 as? SpikeCounter }) {
            XCTAssertTrue(run.stdout.contains("\(counter.group.name): \(counter.count) spikes"), run.stdout)
        }
        XCTAssertTrue(run.stdout.contains("E: ") && run.stdout.contains("I: "), run.stdout)
    }

    func testCustomNeuronRuns() throws {
        let (run, _) = try example("CustomNeuron", ["1"])
        let accuracy = try XCTUnwrap(number(after: "test accuracy ", in: run.stdout), run.stdout)
        XCTAssertTrue((0...1).contains(accuracy))
    }

    func testImportNIRRunsOnItsOwnExportAndOnAFixture() throws {
        let (run, folder) = try example("ImportNIR", [])
        XCTAssertTrue(run.stdout.contains("input [20], output [50, 4, 4]"), run.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/example.nir").path))
    }
}
