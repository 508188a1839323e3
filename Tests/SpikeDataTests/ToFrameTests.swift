import XCTest
@testable import SpikeData
import SpikeCore

final class ToFrameTests: XCTestCase {
    func makeToFrame(_ p: [String: Any]) throws -> ToFrame {
        try ToFrame(timeWindow: p.double("time_window"), eventCount: p.int("event_count"),
                    nTimeBins: p.int("n_time_bins"), nEventBins: p.int("n_event_bins"),
                    overlap: p.double("overlap") ?? 0, includeIncomplete: p.bool("include_incomplete") ?? false,
                    startTime: p.double("start_time"), endTime: p.double("end_time"))
    }

    /// Every mode (time window with overlap / include_incomplete / start and end times, event count, time
    /// bins, event bins) on sorted, edge-aligned, single-event, empty, unsorted and audio streams: the same
    /// integer counts as Tonic, exactly.
    func testMatchesTonicExactly() throws {
        let fx = try TonicFixtures("frames.json")
        XCTAssertGreaterThan(fx.cases.count, 90)
        for c in fx.cases {
            let events = try XCTUnwrap(fx.streams[c.stream])
            let frame = try makeToFrame(c.params)
            let ours = try frame.tensor(from: events)
            XCTAssertEqual(c.kind, "tensor", c.label)
            let (shape, data) = TonicFixtures.tensor(c)
            if events.isEmpty {
                // Tonic returns its empty-stream zeros as [T, P, W, H]; ours are [T, P, H, W].
                let s = events.sensorSize
                XCTAssertEqual(shape, [shape[0], s.polarities, s.width, s.height], c.label)
                XCTAssertEqual(ours.shape, [shape[0], s.polarities, s.height, s.width], c.label)
                XCTAssertTrue(data.allSatisfy { $0 == 0 } && ours.scalars.allSatisfy { $0 == 0 }, c.label)
                continue
            }
            XCTAssertEqual(ours.shape, shape, c.label)
            XCTAssertEqual(ours.scalars, data.map { Float($0) }, c.label)
            XCTAssertEqual(Array(ours.shape.dropFirst()), frame.stepShape(for: events.sensorSize, hasY: events.hasY))
        }
    }

    func testAudioBinsFlattenToUnits() throws {
        let fx = try TonicFixtures("frames.json")
        let audio = try XCTUnwrap(fx.streams["audio"])
        let frame = try ToFrame(nTimeBins: 4)
        let t = try frame.tensor(from: audio)
        XCTAssertEqual(t.shape, [4, 1, 20])
        let flat = try frame.flattened().tensor(from: audio)
        XCTAssertEqual(flat.shape, [4, 20])
        XCTAssertEqual(flat.scalars, t.scalars)
        XCTAssertEqual(frame.flattened().stepShape(for: audio.sensorSize, hasY: false), [20])
    }

    func testBadParametersThrowOneLineErrors() {
        func message(_ f: () throws -> Any) -> String {
            do { _ = try f(); return "" } catch { return "\(error)" }
        }
        XCTAssertEqual(message { try ToFrame() }, "ToFrame: timeWindow/eventCount/nTimeBins/nEventBins must be given exactly one, got 0")
        XCTAssertEqual(message { try ToFrame(timeWindow: 10, nTimeBins: 3) }, "ToFrame: timeWindow/eventCount/nTimeBins/nEventBins must be given exactly one, got 2")
        XCTAssertEqual(message { try ToFrame(timeWindow: -5) }, "ToFrame: timeWindow must be a positive number of µs, got -5.0")
        XCTAssertEqual(message { try ToFrame(nTimeBins: 0) }, "ToFrame: nTimeBins must be at least 1, got 0")
        XCTAssertEqual(message { try ToFrame(nEventBins: -1) }, "ToFrame: nEventBins must be at least 1, got -1")
        XCTAssertEqual(message { try ToFrame(eventCount: 0) }, "ToFrame: eventCount must be at least 1, got 0")
        XCTAssertEqual(message { try ToFrame(timeWindow: 100, overlap: 100) }, "ToFrame: overlap must be in 0..<timeWindow (100.0) µs, got 100.0")
        XCTAssertEqual(message { try ToFrame(nTimeBins: 3, overlap: 1) }, "ToFrame: overlap must be a fraction in [0, 1), got 1.0")
        XCTAssertEqual(message { try ToFrame(eventCount: 10, overlap: 2.5) }, "ToFrame: overlap must be a whole number of events in 0..<eventCount (10), got 2.5")
        XCTAssertEqual(message { try ToFrame(nTimeBins: 3, startTime: 0) }, "ToFrame: startTime is only used with timeWindow, got 0.0")
    }

    /// A stream spanning 10^18 µs with 1 µs windows would need 10^18 frames: refused before allocating.
    func testHugeFrameCountIsRefused() throws {
        let e = try EventStream(x: [0, 1], y: [0, 0], t: [0, 1_000_000_000_000_000_000], p: [0, 1],
                                sensorSize: SensorSize(width: 2, height: 1, polarities: 2))
        XCTAssertThrowsError(try ToFrame(timeWindow: 1).tensor(from: e)) { error in
            XCTAssertTrue("\(error)".hasPrefix("ToFrame: timeWindow gives at most 268435456 tensor elements, got"), "\(error)")
        }
        XCTAssertThrowsError(try ToFrame(nTimeBins: 1 << 40).tensor(from: e))
        let far = try EventStream(x: [0, 1], y: [0, 0], t: [Int64.min, Int64.max], p: [0, 1],
                                  sensorSize: SensorSize(width: 2, height: 1, polarities: 2))
        XCTAssertThrowsError(try ToFrame(nTimeBins: 3).tensor(from: far))
        // Fixed bin counts stay cheap on long streams.
        XCTAssertEqual(try ToFrame(nTimeBins: 3).tensor(from: e).shape, [3, 2, 1, 2])
    }

    /// Under the per-tensor limit, frames must still fit the memory budget (SpikeCore's MemoryBudget): 10^6
    /// windows of 4 cells are 16 MB, refused at a 1 MiB budget and built at the default one.
    func testFramesAreCheckedAgainstTheMemoryBudget() throws {
        let e = try EventStream(x: [0, 1], y: [0, 0], t: [0, 1_000_000], p: [0, 1],
                                sensorSize: SensorSize(width: 2, height: 1, polarities: 2))
        MemoryBudget.setOverride(1 << 20)
        defer { MemoryBudget.setOverride(nil) }
        XCTAssertThrowsError(try ToFrame(timeWindow: 1).tensor(from: e)) { error in
            XCTAssertTrue("\(error)".hasPrefix("ToFrame: 1000000 frames of 4 cells needs an estimated 15.3 MiB"), "\(error)")
        }
        let batch = try TensorDataset(inputs: Tensor(repeating: 0, shape: [2, 3, 100_000]), labels: Tensor([0, 1]), classes: 2)
        XCTAssertThrowsError(try DataLoader(dataset: batch, batchSize: 2, shuffle: false).batch(indices: [0, 1], epoch: 0)) { error in
            XCTAssertTrue("\(error)".hasPrefix("data loader batch [3, 2, 100000] needs an estimated 2.3 MiB"), "\(error)")
        }
        MemoryBudget.setOverride(nil)
        XCTAssertEqual(try ToFrame(timeWindow: 1000).tensor(from: e).shape, [1000, 2, 1, 2])
    }

    func testDescriptionNamesEveryParameter() throws {
        XCTAssertEqual(try ToFrame(nTimeBins: 10).description, "ToFrame(nTimeBins: 10, overlap: 0.0, includeIncomplete: false)")
        XCTAssertEqual(try ToFrame(timeWindow: 1000, overlap: 100, includeIncomplete: true, startTime: 5).description,
                       "ToFrame(timeWindow: 1000.0, overlap: 100.0, includeIncomplete: true, startTime: 5.0)")
    }
}
