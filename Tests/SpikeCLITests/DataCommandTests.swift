import XCTest
import Foundation
import SpikeKit
@testable import SpikeCLI

/// `spike train` on event, image and tensor data, `spike data info/frames` and their errors, through the real
/// binary. The N-MNIST folders are built here from the ATIS byte layout (5 bytes per event: x, y, polarity in
/// bit 7 of byte 2 above the timestamp's bits 22...16, then bits 15...8 and 7...0).
final class DataCommandTests: SpikeProcessTestCase {

    /// The 40-bit ATIS events of one recording.
    func atis(_ events: [(x: Int, y: Int, t: Int, p: Int)]) -> Data {
        var d = Data()
        for e in events { d += [UInt8(e.x), UInt8(e.y), UInt8(e.p << 7 | (e.t >> 16) & 0x7F), UInt8((e.t >> 8) & 0xFF), UInt8(e.t & 0xFF)] }
        return d
    }

    /// An N-MNIST folder with digits 0..<classes: `train` and `test` recordings per digit, each 150 events over
    /// 100 ms in a 10 x 10 square whose place depends on the digit, plus 20 % noise anywhere on the sensor.
    func makeNMNIST(classes: Int = 4, train: Int = 10, test: Int = 4) throws -> String {
        let root = path("nmnist")
        var rng = SeededRandom(seed: 9)
        for (split, n) in [("Train", train), ("Test", test)] {
            for d in 0..<classes {
                let folder = "\(root)/\(split)/\(d)"
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                for i in 0..<n {
                    let times = (0..<150).map { _ in rng.nextInt(below: 100_000) }.sorted()
                    let events = times.map { t -> (x: Int, y: Int, t: Int, p: Int) in
                        let noise = rng.nextUniform() < 0.2
                        return (noise ? rng.nextInt(below: 34) : 2 + (d % 2) * 20 + rng.nextInt(below: 10),
                                noise ? rng.nextInt(below: 34) : 2 + (d / 2) * 20 + rng.nextInt(below: 10), t, rng.nextInt(below: 2))
                    }
                    try atis(events).write(to: URL(fileURLWithPath: String(format: "%@/%05d.bin", folder, i)))
                }
            }
        }
        return root
    }

    func testTrainsOnSyntheticNMNISTAndEvaluatesTheCheckpoint() throws {
        let root = try makeNMNIST()
        let ckpt = path("nmnist.safetensors")
        let r = try spike(["train", "--dataset", "nmnist", "--data", root, "--frames", "3", "--hidden", "24", "--epochs", "4",
                           "--batch-size", "8", "--lr", "0.01", "--json", "--save", ckpt])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("N-MNIST: 40 train, 16 test recordings, sensor (34, 34, 2), 10 classes"), r.stderr)
        XCTAssertTrue(r.stderr.contains("network 2312-24-10"), r.stderr)
        XCTAssertTrue(r.stderr.contains("epoch 4/4"), r.stderr)
        let summary = try JSONDecoder().decode(TrainingSummary.self, from: Data(r.stdout.utf8))
        XCTAssertEqual(summary.trainSamples, 40); XCTAssertEqual(summary.testSamples, 16)
        XCTAssertGreaterThan(summary.testAccuracy, 0.6, "chance is 0.25 over the four digits present")
        // spike eval rebuilds the same test set from the checkpoint's data description.
        let (_, _, meta) = (0, 0, try SafeTensors.read(from: URL(fileURLWithPath: ckpt)).metadata)
        XCTAssertTrue(meta["spikekit.data"]?.contains("\"frames\":3") ?? false, "\(meta)")
        let e = try spike(["eval", "--model", ckpt, "--json"])
        XCTAssertEqual(e.status, 0, e.stderr)
        let acc = try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as! [String: Any]
        XCTAssertEqual((acc["testAccuracy"] as! NSNumber).floatValue, summary.testAccuracy)
        XCTAssertEqual((acc["testSamples"] as! NSNumber).intValue, 16)
    }

    func testTimeWindowFramesOfDifferentLengthsArePadded() throws {
        let root = try makeNMNIST(classes: 2, train: 4, test: 2)
        let r = try spike(["train", "--dataset", "nmnist", "--data", root, "--time-window", "30000", "--hidden", "8", "--epochs", "1",
                           "--batch-size", "4", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("ToFrame(timeWindow: 30000.0"), r.stderr)
    }

    func testTrainsOnOwnTensors() throws {
        // Two classes told apart by which half of the units is active: [N, T, units] spikes.
        var rng = SeededRandom(seed: 4)
        let n = 40, t = 6, units = 10
        var x = [Float](repeating: 0, count: n * t * units), y: [Float] = []
        for i in 0..<n {
            let label = i % 2
            y.append(Float(label))
            for s in 0..<t { for u in 0..<units where (u < units / 2) == (label == 0) && rng.nextUniform() < 0.5 { x[(i * t + s) * units + u] = 1 } }
        }
        let inputs = try write(Tensor(shape: [n, t, units], scalars: x), "x.npy"), labels = try write(Tensor(y), "y.npy")
        let r = try spike(["train", "--dataset", "npy", "--data", inputs, "--labels", labels, "--hidden", "8", "--epochs", "10", "--lr", "0.02",
                           "--batch-size", "8", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("npy: 40 samples (32 train, 8 test), 2 classes, 6 steps of [10]"), r.stderr)
        let summary = try JSONDecoder().decode(TrainingSummary.self, from: Data(r.stdout.utf8))
        XCTAssertGreaterThan(summary.testAccuracy, 0.8)
        // Labels out of range for the inputs: one line naming the labels file.
        let bad = try write(Tensor((0..<n).map { Float($0 % 2) - ($0 == 5 ? 3 : 0) }), "bad.npy")
        try assertFails(["train", "--dataset", "npy", "--data", inputs, "--labels", bad], "bad.npy: label 5 is -2")
        let short = try write(Tensor([0, 1]), "short.npy")
        try assertFails(["train", "--dataset", "npy", "--data", inputs, "--labels", short], "40 samples but labels of shape [2]")
    }

    func testDataInfo() throws {
        let root = try makeNMNIST(classes: 2, train: 3, test: 1)
        let r = try spike(["data", "info", root])
        XCTAssertEqual(r.status, 0, r.stderr)
        for line in ["format: ATIS binary (N-MNIST)", "samples: 6 train, 2 test", "classes: 10", "sensor size: (34, 34, 2)",
                     "over the first 6 training recordings", "events: mean 150 per recording"] {
            XCTAssertTrue(r.stdout.contains(line), "\(line) in \(r.stdout)")
        }
        let j = try spike(["data", "info", root, "--json"])
        let info = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as! [String: Any]
        let rate = (info["eventsPerSecond"] as! NSNumber).doubleValue, duration = (info["meanDurationMs"] as! NSNumber).doubleValue
        XCTAssertEqual(rate, 150 / (duration / 1000), accuracy: rate * 1e-9)
        XCTAssertGreaterThan(duration, 90); XCTAssertLessThan(duration, 100)
    }

    func testDataFramesIsWhatTrainingSees() throws {
        let root = try makeNMNIST(classes: 2, train: 3, test: 1)
        let out = path("frames.npy"), svg = path("frames.svg")
        let r = try spike(["data", "frames", root, "--sample", "4", "--frames", "5", "--output", out, "--plot", svg])
        XCTAssertEqual(r.status, 0, r.stderr)
        let frames = try NPY.read(from: URL(fileURLWithPath: out))
        XCTAssertEqual(frames.shape, [5, 2, 34, 34])
        // Sample 4 of the training split is digit 1's second file; framed in process it is the same tensor.
        let events = try ATISBinary.read(path: root + "/Train/1/00001.bin", sensorSize: NMNIST.sensor)
        XCTAssertEqual(frames, try ToFrame(nTimeBins: 5).tensor(from: events))
        XCTAssertEqual(frames.scalars.reduce(0, +), 150, accuracy: 1)
        let plot = try String(contentsOfFile: svg, encoding: .utf8)
        XCTAssertTrue(plot.hasPrefix("<svg") && plot.contains("t=4") && plot.contains("<rect x="), plot.prefix(300).description)
        // Spike tensors: [T, units].
        let x = try write(Tensor(shape: [4, 3, 5], scalars: (0..<60).map { Float($0 % 2) }), "x.npy"), y = try write(Tensor([0, 1, 0, 1]), "y.npy")
        let t = try spike(["data", "frames", x, "--labels", y, "--sample", "0", "--output", path("s.npy"), "--plot", path("s.svg")])
        XCTAssertEqual(t.status, 0, t.stderr)
        XCTAssertEqual(try NPY.read(from: URL(fileURLWithPath: path("s.npy"))).shape, [3, 5])
    }

    func testOneLineErrorsAndNothingWritten() throws {
        let root = try makeNMNIST(classes: 2, train: 2, test: 1)
        try assertFails(["train", "--dataset", "nmnist", "--data", path("nowhere")],
                        "expected Train/<digit>/*.bin (or NMNIST/Train/...); the data set is published at https://www.garrickorchard.com/datasets/n-mnist")
        try assertFails(["train", "--dataset", "mnist", "--data", path("nowhere")], "train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]")
        try assertFails(["train", "--dataset", "cifar100"], "unknown dataset 'cifar100'")
        try assertFails(["train", "--dataset", "nmnist"], "needs --data PATH")
        try assertFails(["train", "--dataset", "nmnist", "--data", root, "--frames", "0"], "--frames must be in 1...100000, got 0")
        try assertFails(["train", "--dataset", "nmnist", "--data", root, "--frames", "3", "--time-window", "1000"], "give one of --frames, --time-window, --event-count")
        try assertFails(["train", "--dataset", "nmnist", "--data", root, "--time-window", "1000", "--overlap", "2000"], "overlap must be in 0..<timeWindow")
        try assertFails(["train", "--frames", "3"], "--frames applies to event data sets")
        try assertFails(["train", "--dataset", "nmnist", "--data", root, "--crop", "3"], "--crop expects W,H")
        try assertFails(["data", "info", path("nowhere")], "no such file or folder")
        try assertFails(["data", "frames", root, "--sample", "9", "--output", path("f.npy")], "--sample 9 is outside the training split's 0..<4")
        try assertFails(["data", "frames", root, "--sample", "0", "--output", path("nodir/f.npy")], "does not exist")
        // A truncated recording: one line naming the file.
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: root + "/Train/0/00000.bin"))
        try assertFails(["data", "frames", root, "--sample", "0", "--output", path("f.npy"), "--plot", path("f.svg")], "00000.bin")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp.path), ["nmnist"])
    }

    /// Accuracies and final loss of a `--json` run (not its timings).
    func results(_ r: Run) throws -> [Float] {
        let s = try JSONDecoder().decode(TrainingSummary.self, from: Data(r.stdout.utf8))
        return [s.trainAccuracy, s.testAccuracy, s.finalLoss]
    }

    func testEventTransformsCacheAndAugmentation() throws {
        let root = try makeNMNIST(classes: 2, train: 4, test: 2)
        let out = path("t.npy")
        let r = try spike(["data", "frames", root, "--sample", "5", "--frames", "2", "--denoise", "5000", "--downsample", "0.5",
                           "--crop", "16,16", "--output", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        let pipeline = EventPipeline([try Denoise(filterTime: 5000), try Downsample(spatialFactor: 0.5), try CenterCrop(width: 16, height: 16)],
                                     representation: try ToFrame(nTimeBins: 2))
        let expected = try TransformedEvents(try NMNIST(root: root, train: true), pipeline: pipeline).sample(at: 5, epoch: 0)
        XCTAssertEqual(try NPY.read(from: URL(fileURLWithPath: out)), expected.input)
        XCTAssertEqual(expected.input.shape, [2, 2, 16, 16])

        // A cache: the second run reads the files and trains to the same result; other frames, other files.
        let cache = path("cache")
        let args = ["train", "--dataset", "nmnist", "--data", root, "--frames", "2", "--hidden", "8", "--epochs", "2", "--batch-size", "4",
                    "--json", "--cache", cache]
        let first = try spike(args), second = try spike(args)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(try results(first), try results(second))
        let files = { try FileManager.default.contentsOfDirectory(atPath: cache + "/train").sorted() }
        XCTAssertEqual(try files().count, 8)
        XCTAssertEqual(try spike(args.map { $0 == "2" ? "3" : $0 }).status, 0)
        XCTAssertEqual(try files().count, 16)
        // Augmentations train (seeded: two runs agree).
        let aug = ["train", "--dataset", "nmnist", "--data", root, "--hidden", "8", "--epochs", "1", "--batch-size", "4", "--json",
                   "--flip-lr", "0.5", "--drop-event", "0.1"]
        let a = try spike(aug), b = try spike(aug)
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertTrue(a.stderr.contains("RandomFlipLR(p: 0.5)"), a.stderr)
        XCTAssertEqual(try results(a), try results(b))
        try assertFails(["train", "--dataset", "nmnist", "--data", root, "--downsample", "2"], "--downsample must be a factor in (0, 1]")
        try assertFails(["train", "--dataset", "nmnist", "--data", root, "--flip-lr", "1.5"], "--flip-lr must be a probability")
        try assertFails(["train", "--dataset", "nmnist", "--data", root, "--cache", cache, "--flip-lr", "0.5"], "--cache keeps one version")
        try assertFails(["train", "--dataset", "nmnist", "--data", root, "--crop", "0,5"], "--crop expects W,H (positive sizes)")
    }

    /// SHD's spike trains (the formats branch's h5py fixture as both splits) binned to [T, 700].
    func testSHDSpikeTrainsAreBinnedToUnits() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SpikeDataTests/Fixtures/formats/shd/shd_train.h5")
        let root = path("shd")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for name in ["shd_train.h5", "shd_test.h5"] { try FileManager.default.copyItem(at: fixture, to: URL(fileURLWithPath: root + "/" + name)) }
        let r = try spike(["data", "frames", root, "--sample", "1", "--frames", "4", "--output", path("s.npy")])
        XCTAssertEqual(r.status, 0, r.stderr)
        let x = try NPY.read(from: URL(fileURLWithPath: path("s.npy")))
        XCTAssertEqual(x.shape, [4, 700])
        let events = try SHD(file: root + "/shd_train.h5").events(at: 1).events
        XCTAssertEqual(x.scalars.reduce(0, +), Float(events.count))
        let t = try spike(["train", "--dataset", "shd", "--data", root, "--frames", "5", "--hidden", "8", "--epochs", "1", "--json"])
        XCTAssertEqual(t.status, 0, t.stderr)
        XCTAssertTrue(t.stderr.contains("network 700-8-20"), t.stderr)
        try assertFails(["train", "--dataset", "shd", "--data", path("nowhere")], "shd_train.h5")
    }

    func testBenchDataGeneratesReadsAndFrames() throws {
        let folder = path("bench")
        let r = try spike(["bench", "data", "--data", folder, "--generate", "1", "--repeats", "1", "--frames", "4", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let j = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        XCTAssertEqual((j["files"] as! NSNumber).intValue, 10)
        XCTAssertEqual((j["events"] as! NSNumber).intValue, 30_000)
        XCTAssertGreaterThan((j["eventsPerSecond"] as! NSNumber).doubleValue, 0)
        // Every generated recording is a valid N-MNIST file of its digit.
        let data = try NMNIST(root: folder, train: true)
        XCTAssertEqual(data.count, 10)
        for i in 0..<10 { XCTAssertEqual(try data.events(at: i).events.count, 3000) }
        try assertFails(["bench", "data", "--data", path("empty")], "no .bin files")
    }

    /// MNIST's IDX files (plain, big-endian header) of `n` 8 x 8 images per split: digit 0 bright on the left
    /// half, digit 1 on the right half, with pixel noise.
    func makeMNIST(n: Int) throws -> String {
        let root = path("mnist")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var rng = SeededRandom(seed: 2)
        func be(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        for prefix in ["train", "t10k"] {
            var images: [UInt8] = [0, 0, 8, 3] + be(n) + be(8) + be(8), labels: [UInt8] = [0, 0, 8, 1] + be(n)
            for i in 0..<n {
                labels.append(UInt8(i % 2))
                for _ in 0..<8 { for c in 0..<8 { images.append((c < 4) == (i % 2 == 0) ? UInt8(128 + rng.nextInt(below: 128)) : UInt8(rng.nextInt(below: 60))) } }
            }
            try Data(images).write(to: URL(fileURLWithPath: "\(root)/\(prefix)-images-idx3-ubyte"))
            try Data(labels).write(to: URL(fileURLWithPath: "\(root)/\(prefix)-labels-idx1-ubyte"))
        }
        return root
    }

    func testTrainsOnImagesWithDirectAndRateEncoders() throws {
        let root = try makeMNIST(n: 24)
        for encoder in ["direct", "rate"] {
            let r = try spike(["train", "--dataset", "mnist", "--data", root, "--steps", "4", "--encoder", encoder, "--hidden", "16",
                               "--epochs", "4", "--batch-size", "8", "--lr", "0.01", "--json"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stderr.contains("MNIST: 24 train, 24 test images 8x8, 10 classes; network 64-16-10"), r.stderr)
            let s = try JSONDecoder().decode(TrainingSummary.self, from: Data(r.stdout.utf8))
            XCTAssertGreaterThan(s.testAccuracy, 0.8, encoder)
        }
        let f = try spike(["data", "frames", root, "--sample", "1", "--output", path("img.npy")])
        XCTAssertEqual(f.status, 0, f.stderr)
        XCTAssertEqual(try NPY.read(from: URL(fileURLWithPath: path("img.npy"))).shape, [1, 1, 8, 8])
        try assertFails(["train", "--dataset", "mnist", "--data", root, "--steps", "4", "--encoder", "spike-times", "--hidden", "4",
                         "--epochs", "1", "--frames", "3"], "--frames applies to event data sets")
    }
}
