import Foundation
import XCTest
import SpikeIO
@testable import SpikeNIR

/// NIRGraphData files: the fixture written by nir.write_data, round trips, bad input.
final class NIRDataTests: XCTestCase {
    func testReadsNirWriteData() throws {
        let d = try NIRDataFile.read(url: Fixtures.url("data_graph.nird"))
        XCTAssertEqual(Set(d.keys), ["lif", "events"])
        guard case .node(let lif) = d["lif"], case let .timeGridded(spikes, dt) = lif["spikes"], case let .timeGridded(v, _) = lif["v"] else {
            return XCTFail("lif observables")
        }
        XCTAssertEqual(dt, 1e-3)
        XCTAssertEqual(spikes.shape, [2, 5, 3])
        XCTAssertEqual(spikes.values.map(Float.init), try Fixtures.npy("data_graph_spikes.npy").scalars)
        XCTAssertEqual(v.values.map(Float.init), try Fixtures.npy("data_graph_v.npy").scalars)
        guard case .node(let ev) = d["events"], case let .events(idx, time, nil, n, tMax) = ev["spikes"],
              case let .events(_, _, values?, _, _) = ev["valued"] else { return XCTFail("events") }
        XCTAssertEqual(n, 3); XCTAssertEqual(tMax, 5e-3)
        XCTAssertEqual(idx.values.map(Float.init), try Fixtures.npy("data_graph_idx.npy").scalars)
        XCTAssertEqual(time.shape, idx.shape)
        XCTAssertEqual(values.values.map(Float.init), try Fixtures.npy("data_graph_value.npy").scalars)
    }

    func testRoundTripIncludingNestedGraph() throws {
        var d = try NIRDataFile.read(url: Fixtures.url("data_graph.nird"))
        d["rnn"] = .graph(["lif": .node(["v": .timeGridded(data: NIRArray([1, 2, 3, 4, 5, 6], shape: [1, 2, 3]), dt: 1e-4)])])
        XCTAssertEqual(try NIRDataFile.read(bytes: NIRDataFile.encode(d)), d)
    }

    func testBadData() throws {
        func err(_ d: [String: NIRDataNode]) -> String {
            do { _ = try NIRDataFile.read(bytes: NIRDataFile.encode(d)); return "" } catch { return "\(error)" }
        }
        XCTAssertEqual(err(["a": .node(["v": .timeGridded(data: NIRArray([1, 2]), dt: 1e-3)])]),
                       "node 'a': observable 'v': data has shape [2], expected [samples, steps, neurons]")
        XCTAssertEqual(err(["a": .node(["v": .timeGridded(data: NIRArray([1], shape: [1, 1, 1]), dt: -1)])]),
                       "node 'a': observable 'v': dt -1.0 is not a positive number of seconds")
        XCTAssertEqual(err(["a": .node(["s": .events(idx: NIRArray(integers: [0, 7], shape: [1, 2]), time: NIRArray([0, 1e-3], shape: [1, 2]),
                                                     values: nil, nNeurons: 3, tMax: 1)])]),
                       "node 'a': observable 's': an index is not in -1..<3")
        let w = HDF5Writer()
        _ = try w.root.group("nodes")
        do { _ = try NIRDataFile.read(bytes: w.encode()); XCTFail("no __type__") } catch {
            XCTAssertEqual("\(error)", "not a NIRGraphData file: the root's __type__ is not NIRGraphData")
        }
    }
}
