import Foundation
import Testing
import SpikeIO
@testable import SpikeData

@Suite struct ATISBinaryTests {
    @Test func eventsMatchTonicsReadMnistFile() throws {
        let expected = try fixtureJSON("atis_expected.json")
        for path in ["nmnist/Train/0/00002.bin", "nmnist/Train/0/00001.bin", "nmnist/Train/3/10000.bin", "nmnist/Test/7/00005.bin"] {
            expectEvents(try ATISBinary.read(path: fixture(path), sensorSize: NMNIST.sensor), expected[path])
        }
    }

    @Test func nmnistListsDigitFoldersInTonicsOrder() throws {
        let expected = try fixtureJSON("atis_expected.json")
        let train = try NMNIST(root: fixture("nmnist"), train: true)
        #expect(train.files.map { String($0.dropFirst(formatFixtures.count + 1)) }
                == ["nmnist/Train/0/00001.bin", "nmnist/Train/0/00002.bin", "nmnist/Train/3/10000.bin"])
        #expect(train.labels == [0, 0, 3])
        let sample = try train.events(at: 2)
        #expect(sample.label == 3 && sample.events.sensorSize == NMNIST.sensor)
        expectEvents(sample.events, expected["nmnist/Train/3/10000.bin"])
        let first = try NMNIST(root: fixture("nmnist"), train: true, firstSaccadeOnly: true)
        #expect(try first.events(at: 1).events.t == [10, 8191])  // 8388607 us is past the first saccade
        let test = try NMNIST(root: fixture("nmnist"), train: false)
        #expect(test.count == 1 && test.labels == [7])
    }

    @Test func ncaltechShiftsToZeroAndLabelsBySortedFolder() throws {
        let expected = try fixtureJSON("atis_expected.json")
        let data = try NCaltech101(root: fixture("ncaltech"))
        #expect(data.classNames == ["BACKGROUND_Google", "accordion"])
        #expect(data.labels == [0, 1])
        for i in 0..<2 {
            let s = try data.events(at: i)
            expectEvents(s.events, expected[String(data.files[i].dropFirst(formatFixtures.count + 1))])
            #expect(s.events.sensorSize == NCaltech101.sensor)
        }
    }

    @Test func badInputGivesOneLineErrors() throws {
        #expect(errorMessage { _ = try ATISBinary.read(path: fixture("atis/outside.bin"), sensorSize: NMNIST.sensor) }
                .hasSuffix("outside.bin: event 0: (x 34, y 3) outside the sensor (34, 34, 2)"))
        #expect(errorMessage { _ = try ATISBinary.decode([1, 2, 3, 4, 5, 6], name: "f") }
                == "f: length 6 is not a multiple of 5 bytes (40-bit events): truncated file?")
        #expect(try ATISBinary.decode([], name: "f").isEmpty)
        #expect(errorMessage { _ = try ATISBinary.read(path: fixture("nope.bin")) }.contains("nope.bin: cannot read"))
        let dir = try temporaryDirectory()
        #expect(errorMessage { _ = try NMNIST(root: dir, train: true) }.contains("Train/<digit>/*.bin"))
        try FileManager.default.createDirectory(atPath: dir + "/Train/4", withIntermediateDirectories: true)
        #expect(errorMessage { _ = try NMNIST(root: dir, train: true) }.contains("0 found"))
        #expect(errorMessage { _ = try NCaltech101(root: dir) }.contains("n-caltech101"))
    }

    @Test func bitLayoutOfOneEvent() throws {
        // x 7, y 9, ON, t = 0x5A_BC_DE (23 bits), then an overflow marker and an OFF event at t 1.
        let e = try ATISBinary.decode([7, 9, 0x80 | 0x5A, 0xBC, 0xDE, 0, 240, 0, 0, 0, 1, 2, 0, 0, 1], name: "f")
        #expect(e.x == [7, 1] && e.y == [9, 2] && e.p == [1, 0])
        #expect(e.t == [0x5A_BCDE, 1 + 8192])
        #expect(e.sensorSize == SensorSize(width: 8, height: 10, polarities: 2))
    }
}
