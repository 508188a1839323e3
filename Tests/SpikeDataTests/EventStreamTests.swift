import Testing
@testable import SpikeData

@Suite struct EventStreamTests {
    let sensor = SensorSize(width: 4, height: 3, polarities: 2)

    @Test func checkedInitAcceptsEventsInsideTheSensor() throws {
        let e = try EventStream(x: [0, 3], y: [2, 0], t: [5, 9], p: [1, 0], sensorSize: sensor)
        #expect(e.count == 2)
        #expect(e.isSortedByTime)
        #expect(e.selecting([1, 0]).t == [9, 5])
        #expect(e.filtered { e.p[$0] == 1 }.x == [0])
    }

    @Test func checkedInitNamesTheFirstEventOutsideTheSensor() {
        #expect(throws: DatasetError.inconsistent("event 1: x 4 outside the sensor's 0..<4")) {
            try EventStream(x: [0, 4], y: [0, 0], t: [0, 1], p: [0, 0], sensorSize: sensor)
        }
        #expect(throws: DatasetError.inconsistent("event 0: polarity 2 outside 0..<2")) {
            try EventStream(x: [0], y: [0], t: [0], p: [2], sensorSize: sensor)
        }
        #expect(throws: DatasetError.inconsistent("event 0: y 1 outside the sensor's 0..<1")) {
            try EventStream(x: [0], y: [1], t: [0], p: [0], sensorSize: SensorSize(width: 4, height: 3, polarities: 1), hasY: false)
        }
        #expect(throws: DatasetError.self) {
            try EventStream(x: [0], y: [], t: [0], p: [0], sensorSize: sensor)
        }
        #expect(throws: DatasetError.self) {
            try EventStream(x: [], y: [], t: [], p: [], sensorSize: SensorSize(width: 0, height: 1, polarities: 1))
        }
    }
}
