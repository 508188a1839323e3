import Foundation
import Testing
import SpikeIO
@testable import SpikeData

@Suite struct SHDTests {
    @Test func samplesMatchTonicsSHDAndSSC() throws {
        let expected = try fixtureJSON("shd/expected.json")
        let shd = try SHD(file: fixture("shd/shd_train.h5"))
        let ssc = try SSC(file: fixture("shd/ssc_valid.h5"))
        #expect(shd.count == 3 && shd.classes == 20 && ssc.classes == 35)
        #expect(!shd.hasY && !ssc.hasY && !shd.data.hasY)   // frames [T, 1, 700], as Tonic's
        #expect(shd.data.classNames.first == "key0" && shd.data.speakers == [0, 1, 2])
        for (data, key) in [(shd.data, "shd_train.h5"), (ssc.data, "ssc_valid.h5")] {
            let samples = expected[key] as! [[String: Any]]
            #expect(data.count == samples.count)
            for (i, s) in samples.enumerated() {
                let got = try data.events(at: i)
                #expect(got.label == (s["label"] as! NSNumber).intValue)
                // Tonic's p is 1 on its one-polarity sensor; here it is 0 (what Tonic's ToFrame makes of it).
                var e = s["events"] as! [String: [NSNumber]]
                e["p"] = e["p"]!.map { _ in 0 }
                expectEvents(got.events, e)
                #expect(!got.events.hasY && got.events.sensorSize == HeidelbergSpikes.sensor)
            }
        }
    }

    @Test func badFilesAreNamed() throws {
        #expect(errorMessage { _ = try SHD(file: fixture("shd/bad_unit.h5")) }.hasSuffix("bad_unit.h5: sample 0: unit 700 outside the sensor's 0..<700"))
        #expect(errorMessage { _ = try SHD(file: fixture("shd/bad_label.h5")) }.hasSuffix("bad_label.h5: sample 0: label 20 outside 0..<20"))
        #expect(try SSC(file: fixture("shd/bad_label.h5")).classes == 35)
        let missing = errorMessage { _ = try SHD(file: fixture("shd/nope.h5")) }
        #expect(missing.contains("shd_train.h5") && missing.contains("zenkelab.org"))
        let truncated = try temporaryDirectory() + "/cut.h5"
        try writeFile(truncated, Array(try FileBytes.read(path: fixture("shd/shd_train.h5")).prefix(3000)))
        #expect(errorMessage { _ = try SHD(file: truncated) }.contains("cut.h5"))
    }
}
