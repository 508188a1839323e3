import Foundation
import XCTest
@testable import SpikeData
import SpikeCore

/// Tonic 1.7's outputs on small event streams, written by Fixtures/transforms/make_fixtures.py.
struct TonicFixtures {
    struct Case {
        var stream: String
        var transform: String
        var params: [String: Any]
        var output: [String: Any]
        var kind: String { output["kind"] as! String }
        var label: String { "\(transform)\(params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }) on \(stream)" }
    }
    var streams: [String: EventStream]
    var cases: [Case]

    init(_ file: String) throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/transforms/\(file)", withExtension: nil), file)
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var streams = [String: EventStream]()
        for (name, v) in root["streams"] as! [String: [String: Any]] {
            let s = v["sensor"] as! [Int]
            let hasY = v["hasY"] as! Bool
            let t = (v["t"] as! [Int]).map(Int64.init)
            let y = hasY ? (v["y"] as! [Int]).map(Int32.init) : [Int32](repeating: 0, count: t.count)
            streams[name] = try EventStream(x: (v["x"] as! [Int]).map(Int32.init), y: y, t: t,
                                            p: (v["p"] as! [Int]).map(Int32.init),
                                            sensorSize: SensorSize(width: s[0], height: s[1], polarities: s[2]), hasY: hasY)
        }
        self.streams = streams
        cases = (root["cases"] as! [[String: Any]]).map {
            Case(stream: $0["stream"] as! String, transform: $0["transform"] as! String,
                 params: $0["params"] as! [String: Any], output: $0["output"] as! [String: Any])
        }
    }

    /// Tonic's tensor output: shape and values (float64 as written).
    static func tensor(_ c: Case) -> (shape: [Int], data: [Double]) {
        let shape = c.output["shape"] as! [Int]
        let data = (c.output["data"] as! [Any]).map { ($0 as! NSNumber).doubleValue }
        return (shape, data)
    }

    /// Tonic's event output as a stream of `sensor`.
    static func events(_ c: Case, sensor: SensorSize, hasY: Bool) -> EventStream {
        let t = (c.output["t"] as! [Int]).map(Int64.init)
        let y = hasY ? (c.output["y"] as! [Int]).map(Int32.init) : [Int32](repeating: 0, count: t.count)
        return EventStream(unchecked: (c.output["x"] as! [Int]).map(Int32.init), y: y, t: t,
                           p: (c.output["p"] as! [Int]).map(Int32.init), sensorSize: sensor, hasY: hasY)
    }
}

extension Dictionary where Key == String, Value == Any {
    func double(_ k: String) -> Double? { (self[k] as? NSNumber)?.doubleValue }
    func int(_ k: String) -> Int? { (self[k] as? NSNumber)?.intValue }
    func bool(_ k: String) -> Bool? { (self[k] as? NSNumber)?.boolValue }
}
