import ArgumentParser
import Foundation
import SpikeKit

/// Synthetic recordings in N-MNIST's ATIS binary layout (40-bit events), for benchmarks and tests.
enum SyntheticNMNIST {
    /// The 5 bytes of each event: x, y, polarity in bit 7 of byte 2 with the timestamp's bits 22...16 below
    /// it, then timestamp bits 15...8 and 7...0 (big-endian), as `ATISBinary` reads them.
    static func encode(x: [Int], y: [Int], t: [Int], p: [Int]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(t.count * 5)
        for i in 0..<t.count {
            out += [UInt8(x[i]), UInt8(y[i]), UInt8(p[i] << 7 | (t[i] >> 16) & 0x7F), UInt8((t[i] >> 8) & 0xFF), UInt8(t[i] & 0xFF)]
        }
        return out
    }

    /// One recording of class `label` (0..<10): `events` events over `duration` µs, each in a 12 x 12 square whose
    /// position depends on the class (with a fraction of uniform noise), polarity random, times sorted.
    static func recording(label: Int, events: Int, duration: Int, noise: Double = 0.2, rng: inout SeededRandom) -> [UInt8] {
        let cx = 2 + (label % 5) * 4, cy = 6 + (label / 5) * 14   // the square stays inside 34 x 34: x <= 29, y <= 31
        var t = (0..<events).map { _ in rng.nextInt(below: duration) }
        t.sort()
        var x: [Int] = [], y: [Int] = [], p: [Int] = []
        for _ in 0..<events {
            if Double(rng.nextUniform()) < noise { x.append(rng.nextInt(below: 34)); y.append(rng.nextInt(below: 34)) }
            else { x.append(cx + rng.nextInt(below: 12)); y.append(cy + rng.nextInt(below: 12)) }
            p.append(rng.nextInt(below: 2))
        }
        return encode(x: x, y: y, t: t, p: p)
    }

    /// Writes `perClass` recordings of each of `classes` digits into `root/Train/<d>/` and `root/Test/<d>/`
    /// (`testPerClass` each), named `00000.bin`, ...
    static func write(root: String, classes: Int, perClass: Int, testPerClass: Int, events: Int, duration: Int, noise: Double = 0.2,
                      seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        for (split, n) in [("Train", perClass), ("Test", testPerClass)] {
            for d in 0..<classes {
                let folder = URL(fileURLWithPath: root).appendingPathComponent(split).appendingPathComponent(String(d))
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for i in 0..<n {
                    let bytes = recording(label: d, events: events, duration: duration, noise: noise, rng: &rng)
                    try AtomicFile.write(Data(bytes), to: folder.appendingPathComponent(String(format: "%05d.bin", i)))
                }
            }
        }
    }
}

/// `spike bench data`: reading and framing N-MNIST-format files, in events per second (the work of
/// Benchmarks/tonic_nmnist.py, run on the same files for the side-by-side ratio).
struct DataBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "data",
        abstract: "Read N-MNIST-format .bin files and frame them (ToFrame n_time_bins): events per second (peer: Benchmarks/tonic_nmnist.py).")
    @Option(help: "Folder of .bin files (searched recursively, e.g. an N-MNIST Train folder).") var data: String
    @Option(help: "Frames per recording (Tonic's n_time_bins).") var frames = 10
    @Option var repeats = 5
    @Option(help: "First write this many synthetic recordings per digit into --data (Train/<d>/, 3000 events over 300 ms each) when it has no .bin files.") var generate = 0
    @Flag var json = false

    struct Result: Encodable {
        let files: Int; let events: Int; let frames: Int; let seconds: Double; let minSeconds: Double
        let eventsPerSecond: Double; let checksum: Double
    }

    static func binFiles(_ root: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: root) else { return [] }
        return e.compactMap { $0 as? String }.filter { $0.hasSuffix(".bin") }.sorted().map { (root as NSString).appendingPathComponent($0) }
    }

    func run() throws {
        guard (1...100_000).contains(frames), (1...1000).contains(repeats), (0...100_000).contains(generate) else {
            throw CLIError("bench data: --frames must be in 1...100000, --repeats in 1...1000 and --generate in 0...100000")
        }
        if generate > 0, Self.binFiles(data).isEmpty {
            try SyntheticNMNIST.write(root: data, classes: 10, perClass: generate, testPerClass: 0, events: 3000, duration: 300_000, seed: 1)
        }
        let files = Self.binFiles(data)
        guard !files.isEmpty else { throw CLIError("bench data: \(data): no .bin files (use --generate N to write synthetic ones)") }
        let toFrame = try ToFrame(nTimeBins: frames)
        var events = 0, checksum = 0.0
        // One thread, as the peer (Tonic's reader and ToFrame are single-threaded numpy).
        func pass() throws {
            var n = 0, sum = 0.0
            for file in files {
                let e = try ATISBinary.read(path: file, sensorSize: NMNIST.sensor)
                let f = try toFrame.tensor(from: e)
                n += e.count; sum += Double(f.scalars[f.count / 2])
            }
            events = n; checksum = sum
        }
        try pass()   // warm-up (file cache)
        let times = try (0..<repeats).map { _ in try timed { try pass() } }
        let t = median(times)
        let r = Result(files: files.count, events: events, frames: frames, seconds: t, minSeconds: times.min()!,
                       eventsPerSecond: Double(events) / t, checksum: checksum)
        if json { try printJSON(r) } else {
            print(String(format: "data: %d files, %d events, ToFrame(n_time_bins=%d): %.4f s (min %.4f), %.3g events/s (one thread)",
                         files.count, events, frames, t, r.minSeconds, r.eventsPerSecond))
        }
    }
}
