import Foundation
import Testing
import SpikeIO
@testable import SpikeData

@Suite struct EventFileTests {
    @Test func readsWhatNumpyReads() throws {
        let expected = try fixtureJSON("events/expected.json")
        for name in ["tonic.npy", "mixed.npy", "shd_like.npy", "plain.npy", "stored.npz", "sj.npz", "single.npz", "header.csv", "plain.csv"] {
            let e = try EventFile.read(path: fixture("events/" + name))
            expectEvents(e, expected[name])
        }
        let shd = try EventFile.read(path: fixture("events/shd_like.npy"))
        #expect(!shd.hasY && shd.sensorSize == SensorSize(width: 700, height: 1, polarities: 2))
        let tonic = try EventFile.read(path: fixture("events/tonic.npy"), sensorSize: NMNIST.sensor)
        #expect(tonic.sensorSize == NMNIST.sensor && tonic.hasY)
    }

    @Test func structuredHeaderLayout() throws {
        let bytes = try FileBytes.read(path: fixture("events/mixed.npy"))
        let layout = try bytes.withUnsafeBytes { try NPY.layout(of: $0, name: "m") }
        #expect(layout.isStructured && layout.itemSize == 19 && layout.count == 3)
        #expect(layout.fields.map(\.name) == ["t", "p", "junk", "y", "x"])
        #expect(layout.fields.map(\.offset) == [0, 8, 9, 13, 17])
    }

    @Test func csvOrderingAndErrors() throws {
        let e = try EventFile.decodeCSV(Array("5,1,0\n6,2,1\n".utf8), name: "c", ordering: "txp")
        #expect(e.t == [5, 6] && e.x == [1, 2] && !e.hasY)
        #expect(errorMessage { _ = try EventFile.decodeCSV(Array("1,2,3\n".utf8), name: "c") } == "c: line 1: 3 values, expected 4 (xytp)")
        #expect(errorMessage { _ = try EventFile.decodeCSV(Array("1,2,x3,4\n".utf8), name: "c") }.contains("header"))
        #expect(errorMessage { _ = try EventFile.decodeCSV(Array("1,2,3,4\n1,2,3.5,4\n".utf8), name: "c") }.hasPrefix("c: line 2: expected 4 integers"))
        #expect(errorMessage { _ = try EventFile.decodeCSV(Array("x,y,t,q\n".utf8), name: "c") }.contains("must name columns"))
        #expect(errorMessage { _ = try EventFile.decodeCSV(Array("9,0,1,0\n".utf8), name: "c", sensorSize: NMNIST.sensor.with(width: 9)) }
                == "c: event 0: (x 9, y 0, p 0) outside the sensor (9, 34, 2)")
        #expect(errorMessage { _ = try EventFile.decodeCSV(Array("1,0,1,2\n".utf8), name: "c", sensorSize: NMNIST.sensor) }
                == "c: event 0: polarity 2 outside 0..<2")
        #expect(errorMessage { _ = try EventFile.decodeCSV(Array("99999999999999999999,0,1,0\n".utf8), name: "c") }.contains("out of range"))
        #expect(try EventFile.decodeCSV([], name: "c").isEmpty)
    }

    @Test func badNpyAndNpzFilesGiveOneLineErrors() throws {
        let good = try FileBytes.read(path: fixture("events/tonic.npy"))
        #expect(errorMessage { _ = try EventFile.decodeNPY(Array(good.dropLast()), name: "n") }.contains("truncated"))
        #expect(errorMessage { _ = try EventFile.decodeNPY([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x58, 1, 0], name: "n") }.contains("not a .npy"))
        // A header claiming 10^15 records: refused against the file size, nothing allocated.
        var huge = good
        let headerEnd = 10 + (Int(good[8]) | Int(good[9]) << 8)
        var header = String(decoding: good[10..<headerEnd], as: UTF8.self)
            .replacingOccurrences(of: "(3,)", with: "(1000000000000000,)")
        header.removeLast(header.utf8.count - (headerEnd - 10) + 1)  // keep the length: drop padding spaces
        header += "\n"
        huge.replaceSubrange(10..<headerEnd, with: Array(header.utf8))
        #expect(errorMessage { _ = try EventFile.decodeNPY(huge, name: "n") }.contains("truncated"))
        #expect(errorMessage { _ = try EventFile.decodeNPY(Array(try FileBytes.read(path: fixture("events/plain.npy"))), name: "n", ordering: "xyt") }
                .contains("[N, 3]"))
        let npz = try FileBytes.read(path: fixture("events/sj.npz"))
        #expect(errorMessage { _ = try EventFile.decodeNPZ(Array(npz.prefix(npz.count - 30)), name: "z") }.hasPrefix("z: "))
        #expect(errorMessage { _ = try EventFile.decodeNPZ(Array("not a zip at all, long enough....".utf8), name: "z") } == "z: not a zip (.npz) file (bad magic bytes)")
        var corrupt = npz
        corrupt[60] ^= 0xFF  // inside the first member's deflate data
        #expect(errorMessage { _ = try EventFile.decodeNPZ(corrupt, name: "z") }.hasPrefix("z: zip entry"))
        let stored = try FileBytes.read(path: fixture("events/stored.npz"))
        let zip = try ZipArchive(bytes: stored, name: "z")
        #expect(zip.entries.map(\.name) == ["events.npy"] && zip.entries[0].method == 0)
        #expect(errorMessage { _ = try zip.contents(of: zip.entries[0], limit: 10) }.contains("more than the limit of 10"))
        var flipped = stored
        flipped[zip.entries[0].compressedSize / 2 + 100] ^= 1  // a data byte of the stored member
        #expect(errorMessage { _ = try EventFile.decodeNPZ(flipped, name: "z") }.hasPrefix("z: "))
    }
}

extension SensorSize {
    /// The same sensor with another width.
    func with(width: Int) -> SensorSize { SensorSize(width: width, height: height, polarities: polarities) }
}

@Suite struct StructuredNPYTests {
    /// A version 1.0 `.npy` file with header dict `dict` and `data`.
    func npy(_ dict: String, _ data: [UInt8]) -> [UInt8] {
        var header = Array(dict.utf8)
        while (10 + header.count + 1) % 64 != 0 { header.append(0x20) }
        header.append(0x0A)
        return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)] + header + data
    }

    @Test func paddingFieldsAndOffsets() throws {
        let bytes = npy("{'descr': [('x', '|u1'), ('', '|V3'), ('t', '<i4')], 'fortran_order': False, 'shape': (2,), }",
                        [5, 0, 0, 0, 9, 0, 0, 0, 6, 0, 0, 0, 10, 0, 0, 0])
        let e = try EventFile.decodeNPY(bytes, name: "n")
        #expect(e.x == [5, 6] && e.t == [9, 10] && !e.hasY && e.p == [0, 0])
    }

    @Test func unsupportedStructuresAreRefused() {
        let cases: [(String, String)] = [
            ("{'descr': [('x', '>i2'), ('t', '<i8')], 'fortran_order': False, 'shape': (0,), }", "big-endian"),
            ("{'descr': [('x', '<i2', (2,)), ('t', '<i8')], 'fortran_order': False, 'shape': (0,), }", "(name, dtype) pairs"),
            ("{'descr': [('x', '<i2'), ('x', '<i8')], 'fortran_order': False, 'shape': (0,), }", "repeated"),
            ("{'descr': [('x', '|O')], 'fortran_order': False, 'shape': (0,), }", "object"),
            ("{'descr': [('y', '<i2'), ('p', '<i8')], 'fortran_order': False, 'shape': (0,), }", "need fields x and t"),
            ("{'descr': [('x', '<f4'), ('t', '<i8')], 'fortran_order': False, 'shape': (1,), }", "not an integer"),
        ]
        for (dict, fragment) in cases {
            let data: [UInt8] = dict.contains("(1,)") ? [0, 0, 0xC0, 0x3F] + [UInt8](repeating: 0, count: 8) : []
            let message = errorMessage { _ = try EventFile.decodeNPY(npy(dict, data), name: "n") }
            #expect(message.hasPrefix("n: ") && message.contains(fragment), "\(message)")
        }
    }

    @Test func hostileZipDirectoriesAreRefused() {
        // An end-of-central-directory record whose directory lies past the end of the file.
        var eocd: [UInt8] = [0x50, 0x4B, 5, 6, 0, 0, 0, 0, 1, 0, 1, 0]
        eocd += [46, 0, 0, 0] + [0xFF, 0xFF, 0xFF, 0x7F] + [0, 0]
        #expect(errorMessage { _ = try ZipArchive(bytes: eocd, name: "z") }.contains("outside the 22-byte file"))
        // 0xFFFF entries claimed in a 46-byte directory.
        let dir = [UInt8](repeating: 0, count: 46)
        let many: [UInt8] = [0x50, 0x4B, 5, 6, 0, 0, 0, 0, 0xFF, 0xFE, 0xFF, 0xFE] + [46, 0, 0, 0] + [0, 0, 0, 0] + [0, 0]
        #expect(errorMessage { _ = try ZipArchive(bytes: dir + many, name: "z") }.contains("cannot fit"))
    }

    /// A zip archive of central-directory entries only (no local headers or data), each `(name, method)`.
    func centralDirectory(_ members: [(String, UInt16)]) -> [UInt8] {
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16) }
        var dir: [UInt8] = []
        for (name, method) in members {
            let n = Array(name.utf8)
            dir += [0x50, 0x4B, 1, 2] + le16(20) + le16(20) + le16(0) + le16(Int(method)) + le16(0) + le16(0)
            dir += le32(0) + le32(0) + le32(0) + le16(n.count) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(0) + n
        }
        return dir + [0x50, 0x4B, 5, 6] + le16(0) + le16(0) + le16(members.count) + le16(members.count) + le32(dir.count) + le32(0) + le16(0)
    }

    @Test func longNamesAndHeadersAreCutInErrors() {
        // A CSV header line, zip member names and the list of an .npz's members are quoted cut (MessageText),
        // so a 5000-byte name does not make a 5000-character error message.
        let long = String(repeating: "a", count: 5000)
        let csv = errorMessage { _ = try EventFile.decodeCSV(Array("x,\(long)\n1,2\n".utf8), name: "c") }
        #expect(csv.hasPrefix("c: line 1: header 'x,aaa") && csv.contains("more bytes") && csv.count < 400, "\(csv.count) characters")
        let zip = errorMessage { _ = try ZipArchive(bytes: centralDirectory([(long, 9)]), name: "z") }
        #expect(zip.hasPrefix("z: zip: entry 'aaa") && zip.contains("compression method 9") && zip.count < 400, "\(zip.count) characters")
        let npz = errorMessage { _ = try EventFile.decodeNPZ(centralDirectory([(long, 0), (long + "b", 0)]), name: "n") }
        #expect(npz.hasPrefix("n: expected a member events.npy") && npz.contains("more bytes") && npz.count < 600, "\(npz.count) characters")
    }

    @Test func zip64LocatorInAFileShorterThanItsRecordIsRefused() {
        // A ZIP64 locator (20 bytes) and an end record claiming 0xFFFF entries make a 42-byte
        // file, shorter than the 56-byte ZIP64 end record; converting the negative `n - 56` to UInt64 trapped.
        let locator: [UInt8] = [0x50, 0x4B, 6, 7] + [UInt8](repeating: 0, count: 16)
        let eocd: [UInt8] = [0x50, 0x4B, 5, 6, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 10)
        #expect(errorMessage { _ = try ZipArchive(bytes: locator + eocd, name: "z") } == "z: zip: ZIP64 end record outside the file")
        for size in 42..<56 {
            let padded = [UInt8](repeating: 0, count: size - 42) + locator + eocd
            #expect(errorMessage { _ = try ZipArchive(bytes: padded, name: "z") }.contains("ZIP64 end record outside the file"))
        }
    }
}
