import XCTest
@testable import SpikeData
import SpikeCore

final class RepresentationTests: XCTestCase {
    /// ToVoxelGrid equals Tonic's float64 grid rounded to float32, exactly (same operations in the same
    /// order in double precision). Streams where Tonic fails or gives NaN are checked against our documented
    /// behaviour instead.
    func testVoxelGridMatchesTonic() throws {
        let fx = try TonicFixtures("representations.json")
        var checked = 0
        for c in fx.cases where c.transform == "ToVoxelGrid" {
            let events = try XCTUnwrap(fx.streams[c.stream])
            let rep = try ToVoxelGrid(nTimeBins: c.params.int("n_time_bins")!)
            let ours = try rep.tensor(from: events)
            switch c.kind {
            case "tensor":
                let (shape, data) = TonicFixtures.tensor(c)
                XCTAssertEqual(ours.shape, shape, c.label)
                XCTAssertEqual(ours.scalars, data.map { Float($0) }, c.label)
                checked += 1
            default:
                // One event (first time == last time): Tonic divides by zero (NaN, or IndexError for one
                // bin); we divide by 1 as rpg_e2vid does: the event's polarity in bin 0.
                XCTAssertEqual(c.stream, "single", c.label)
                XCTAssertEqual(ours.scalars.filter { $0 != 0 }, [1], c.label)
                XCTAssertEqual(ours.scalars[2 * 5 + 3], 1, c.label)
            }
        }
        XCTAssertEqual(checked, 9)
    }

    /// ToTimeSurface equals Tonic's float64 surfaces to float32 rounding (fixtures hold 10 significant digits).
    func testTimeSurfaceMatchesTonic() throws {
        let fx = try TonicFixtures("representations.json")
        var checked = 0
        for c in fx.cases where c.transform == "ToTimesurface" {
            let events = try XCTUnwrap(fx.streams[c.stream])
            let rep = try ToTimeSurface(dt: c.params.double("dt")!, tau: c.params.double("tau")!)
            if c.kind == "error" {
                // Unsorted stream whose first window is empty: Tonic raises IndexError, we throw.
                XCTAssertThrowsError(try rep.tensor(from: events), c.label)
                continue
            }
            let ours = try rep.tensor(from: events)
            let (shape, data) = TonicFixtures.tensor(c)
            XCTAssertEqual(ours.shape, shape, c.label)
            for (a, b) in zip(ours.scalars, data) {
                let ref = Float(b)
                XCTAssertLessThanOrEqual(abs(a - ref), 2 * ref.ulp, "\(c.label): \(a) vs \(b)")
            }
            checked += 1
        }
        XCTAssertEqual(checked, 12)
        // Times [100, 0, 50]: numpy's searchsorted finds no event in the first window [100, 110); Tonic then
        // raises IndexError (checked by hand with tonic 1.7), and we throw.
        let unsorted = try EventStream(x: [0, 1, 0], y: [0, 0, 1], t: [100, 0, 50], p: [0, 1, 0],
                                       sensorSize: SensorSize(width: 2, height: 2, polarities: 2))
        XCTAssertThrowsError(try ToTimeSurface(dt: 10, tau: 5).tensor(from: unsorted)) {
            XCTAssertEqual("\($0)", "dataset: ToTimeSurface: the first time window holds no event (unsorted stream); Tonic raises IndexError here")
        }
    }

    func testEmptyStreamsAndBadParameters() throws {
        let e = EventStream(sensorSize: SensorSize(width: 5, height: 4, polarities: 2))
        XCTAssertEqual(try ToVoxelGrid(nTimeBins: 3).tensor(from: e), Tensor.zeros([3, 1, 4, 5]))
        XCTAssertEqual(try ToTimeSurface(dt: 10, tau: 5).tensor(from: e), Tensor.zeros([1, 2, 4, 5]))
        XCTAssertThrowsError(try ToVoxelGrid(nTimeBins: 0)) { XCTAssertEqual("\($0)", "ToVoxelGrid: nTimeBins must be at least 1, got 0") }
        XCTAssertThrowsError(try ToTimeSurface(dt: 0, tau: 5)) { XCTAssertEqual("\($0)", "ToTimeSurface: dt must be a positive number of µs, got 0.0") }
        XCTAssertThrowsError(try ToTimeSurface(dt: 10, tau: -1)) { XCTAssertEqual("\($0)", "ToTimeSurface: tau must be a positive number of µs, got -1.0") }
        let audio = EventStream(sensorSize: SensorSize(width: 700, height: 1, polarities: 1), hasY: false)
        XCTAssertThrowsError(try ToVoxelGrid(nTimeBins: 3).tensor(from: audio)) { XCTAssertEqual("\($0)", "ToVoxelGrid: sensor polarities must be 2, got 1") }
        let long = try EventStream(x: [0, 1], y: [0, 0], t: [0, 1_000_000_000_000_000_000], p: [0, 1],
                                   sensorSize: SensorSize(width: 2, height: 1, polarities: 2))
        XCTAssertThrowsError(try ToTimeSurface(dt: 1, tau: 1).tensor(from: long))
    }
}
