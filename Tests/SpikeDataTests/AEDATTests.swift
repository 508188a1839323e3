import Foundation
import Testing
import SpikeIO
@testable import SpikeData

@Suite struct AEDATTests {
    @Test func aedat2AddressLayoutsMatchTheirReferences() throws {
        let expected = try fixtureJSON("aedat/dvs128_expected.json")
        for (layout, key) in [(AEDAT.DVS128Layout.jAER, "jAER"), (.tonic, "tonic"), (.spikingJellyCIFAR10DVS, "spikingJellyCIFAR10DVS")] {
            let e = try AEDAT.read(path: fixture("aedat/dvs128.aedat"), layout: layout)
            expectEvents(e, expected[key])
            #expect(e.sensorSize == AEDAT.dvs128)
        }
        #expect(try AEDAT.header(FileBytes.read(path: fixture("aedat/dvs128.aedat")), name: "f").version == "2.0")
    }

    @Test func aedat31PacketsMatchSpikingJellysLoader() throws {
        let expected = try fixtureJSON("dvsgesture/expected.json")
        let path = fixture("dvsgesture/DvsGesture/user01_fluorescent.aedat")
        expectEvents(try AEDAT.read(path: path, includeInvalid: true), expected["user01_fluorescent"])
        // The specification's default drops the one invalid event (x 5, y 6 at t 30).
        let valid = try AEDAT.read(path: path)
        #expect(valid.count == 6 && !valid.t.contains(30))
    }

    @Test func dvsGestureCutsRecordingsByTheLabelCSV() throws {
        let expected = try fixtureJSON("dvsgesture/expected.json")["samples"] as! [[String: Any]]
        let train = try DVSGesture(root: fixture("dvsgesture"), train: true)
        let test = try DVSGesture(root: fixture("dvsgesture/DvsGesture"), train: false)
        let all = (0..<train.count).map { try! train.events(at: $0) } + (0..<test.count).map { try! test.events(at: $0) }
        #expect(all.count == expected.count)
        for (sample, e) in zip(all, expected) {
            #expect(sample.label == (e["label"] as! NSNumber).intValue)
            expectEvents(sample.events, e["events"])
        }
        #expect(train.labels == [2, 10, 0] && test.labels == [1])
    }

    @Test func dvsGestureReadsTonicsPreprocessedLayout() throws {
        let expected = try fixtureJSON("tonic_gesture/expected.json")
        let data = try DVSGesture(root: fixture("tonic_gesture"), train: true)
        #expect(data.labels == [0, 10])
        expectEvents(try data.events(at: 0).events, expected["user03_natural/0.npy"])
        expectEvents(try data.events(at: 1).events, expected["user03_natural/10.npy"])
        #expect(errorMessage { _ = try DVSGesture(root: fixture("tonic_gesture"), train: false) }.contains("ibmGestureTest"))
    }

    @Test func cifar10DVSClassesAndSplit() throws {
        let expected = try fixtureJSON("aedat/dvs128_expected.json")
        let data = try CIFAR10DVS(root: fixture("cifar10dvs"))
        #expect(data.labels == [0, 0, 3, 9])
        expectEvents(try data.events(at: 2).events, expected["spikingJellyCIFAR10DVS"])
        let (train, test) = data.split(trainRatio: 0.5)
        #expect(train == [0, 2, 3] && test == [1])
    }

    @Test func badInputGivesOneLineErrors() throws {
        let header = Array("#!AER-DAT2.0\r\n".utf8)
        #expect(errorMessage { _ = try AEDAT.decode(Array("#!AER-DAT9.9\r\n".utf8), name: "f") }.contains("version '9.9'"))
        #expect(errorMessage { _ = try AEDAT.decode(Array("hello world, not aedat".utf8), name: "f") }.hasPrefix("f: not a AEDAT"))
        #expect(errorMessage { _ = try AEDAT.decode(header + [0, 0, 0, 1, 0, 0, 0], name: "f") }.contains("not a whole number of 8-byte events"))
        #expect(errorMessage { _ = try AEDAT.decode(Array("#!AER-DAT2.0\r\n# comment".utf8), name: "f") }.contains("truncated"))
        let v3 = Array("#!AER-DAT3.1\r\n#!END-HEADER\r\n".utf8)
        func packet(type: UInt16 = 1, size: UInt32 = 8, capacity: UInt32, body: [UInt8] = []) -> [UInt8] {
            var h = [UInt8](repeating: 0, count: 28)
            h[0] = UInt8(type & 0xFF)
            for (k, v) in [(4, size), (16, capacity), (20, capacity)] { for b in 0..<4 { h[k + b] = UInt8((v >> (8 * UInt32(b))) & 0xFF) } }
            return h + body
        }
        #expect(errorMessage { _ = try AEDAT.decode(v3 + packet(capacity: 2, body: [UInt8](repeating: 1, count: 15)), name: "f") }
                .contains("packet 0 at byte 28: 2 events of 8 bytes run past the end"))
        #expect(errorMessage { _ = try AEDAT.decode(v3 + packet(size: 0xFFFF_FFFF, capacity: 0xFFFF_FFFF), name: "f") }.contains("run past the end"))
        #expect(errorMessage { _ = try AEDAT.decode(v3 + packet(size: 4, capacity: 1, body: [1, 0, 0, 0]), name: "f") }.contains("at least 8"))
        #expect(errorMessage { _ = try AEDAT.decode(v3 + [1, 2, 3], name: "f") }.contains("header needs 28 bytes, 3 left"))
        // x = 200 does not fit the DVS128.
        let outside: [UInt8] = [1, 0, 0x90, 0x01] + [0, 0, 0, 0]  // d = 200 << 17 | 1 (valid)
        #expect(errorMessage { _ = try AEDAT.decode(v3 + packet(capacity: 1, body: outside), name: "f") }
                == "f: event 0: (x 200, y 0, p 0) outside the sensor (128, 128, 2)")
        #expect(try AEDAT.decode(v3 + packet(type: 0, capacity: 1, body: outside), name: "f").isEmpty)
    }

    @Test func datasetFoldersWithProblemsAreNamed() throws {
        let dir = try temporaryDirectory()
        let missing = errorMessage { _ = try DVSGesture(root: dir, train: true) }
        #expect(missing.contains("trials_to_train.txt") && missing.contains("dvsgesture"))
        #expect(errorMessage { _ = try CIFAR10DVS(root: dir) }.contains("airplane, automobile"))
        try writeFile(dir + "/trials_to_train.txt", Array("user09_led.aedat\n".utf8))
        #expect(errorMessage { _ = try DVSGesture(root: dir, train: true) }.contains("user09_led.aedat and user09_led_labels.csv"))
        try writeFile(dir + "/user09_led.aedat", Array("#!AER-DAT3.1\r\n#!END-HEADER\r\n".utf8))
        try writeFile(dir + "/user09_led_labels.csv", Array("class,startTime_usec,endTime_usec\n12,0,5\n".utf8))
        #expect(errorMessage { _ = try DVSGesture(root: dir, train: true) }.hasSuffix("user09_led_labels.csv: row 2: class 12 outside 1...11"))
        try writeFile(dir + "/user09_led_labels.csv", Array("class,startTime_usec,endTime_usec\n3,0\n".utf8))
        #expect(errorMessage { _ = try DVSGesture(root: dir, train: true) }.contains("row 2 is not class,startTime_usec,endTime_usec"))
    }
}
