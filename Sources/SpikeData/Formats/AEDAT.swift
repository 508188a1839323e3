import SpikeIO

/// Reader of AEDAT 2.0 and 3.1 files (jAER and cAER recordings: DVS128 Gesture, CIFAR10-DVS).
///
/// **Header.** Text lines starting with `#`; the first is `#!AER-DAT<version>` (`2.0`, `3.0` or `3.1` here).
/// The data starts after the last `#` line (AEDAT 3.x: after `#!END-HEADER\r\n`).
///
/// **AEDAT 2.0** (jAER): 8-byte events, a big-endian 32-bit address then a big-endian 32-bit timestamp in
/// µs, as read by Tonic's `get_aer_events_from_file` and SpikingJelly's `_load_raw_events`. Timestamps are
/// kept as the unsigned 32-bit values of the file (neither reference unwraps them). A DVS128's address holds
/// polarity in bit 0, the column in bits 1-7 and the row in bits 8-14; the references decode it differently,
/// hence `DVS128Layout`. A data length that is not a multiple of 8 is an error (truncated file).
///
/// **AEDAT 3.x** (cAER): packets, each a 28-byte little-endian header (`eventType` u16, `eventSource` u16,
/// `eventSize` u32, `eventTSOffset` u32, `eventTSOverflow` u32, `eventCapacity` u32, `eventNumber` u32,
/// `eventValid` u32) followed by `eventCapacity * eventSize` bytes. Polarity events (type 1) are 8 bytes: a
/// u32 whose bit 0 is the validity mark, bit 1 the polarity, bits 2-16 y and bits 17-31 x, then an i32
/// timestamp; the 64-bit time is `tsOverflow << 31 | timestamp` (µs). Other packet types are skipped. This is
/// SpikingJelly's `load_aedat_v3` (which DVS128 Gesture loaders follow); by default invalid events (bit 0
/// clear) are dropped as the AEDAT 3.1 specification says, while SpikingJelly keeps them (`includeInvalid`).
///
/// Every length is checked against the file: a truncated packet or event is an error naming the offset.
public enum AEDAT {
    /// How an AEDAT 2.0 DVS128 address becomes `(x, y, p)` (bits: 0 polarity, 1-7 `a`, 8-14 `b`).
    public enum DVS128Layout: Sendable, CaseIterable {
        /// jAER's `DVS128.Extractor`: `x = 127 - a`, `y = b`, `p = 1 - bit0` (ON when bit 0 is 0); addresses
        /// above 0x7FFF (bit 15 and up: external/special events) are skipped.
        case jAER
        /// Tonic 1.7's `read_dvs_128`: `x = b`, `y = a`, `p = bit0` (no flip; all addresses kept).
        case tonic
        /// SpikingJelly's CIFAR10-DVS loader: `x = 127 - b`, `y = 127 - a`, `p = 1 - bit0` (all addresses kept).
        case spikingJellyCIFAR10DVS
    }

    /// The DVS128 sensor, `(128, 128, 2)`.
    public static let dvs128 = SensorSize(width: 128, height: 128, polarities: 2)

    /// The header of an AEDAT file: its version and where the data starts.
    public struct Header: Sendable, Equatable {
        /// The version text after `#!AER-DAT` (`"2.0"`, `"3.1"`).
        public let version: String
        /// Offset of the first data byte.
        public let dataOffset: Int
        /// Whether the version is 3.x (packets) rather than 2.0 (address/timestamp pairs).
        public var isPacketed: Bool { version.hasPrefix("3") }
    }

    /// Reads the AEDAT file at `path` (see `decode`).
    public static func read(path: String, layout: DVS128Layout = .jAER, sensorSize: SensorSize = dvs128,
                            includeInvalid: Bool = false) throws -> EventStream {
        try decode(FileBytes.read(path: path), name: path, layout: layout, sensorSize: sensorSize, includeInvalid: includeInvalid)
    }

    /// Parses the header lines of an AEDAT file.
    /// - Throws: `SpikeIOError.badMagic` unless the first line is `#!AER-DAT2.0`, `3.0` or `3.1`.
    public static func header(_ bytes: [UInt8], name: String) throws -> Header {
        let magic = Array("#!AER-DAT".utf8)
        guard bytes.count >= magic.count + 3, Array(bytes[0..<magic.count]) == magic else {
            throw SpikeIOError.badMagic(file: name, format: "AEDAT (#!AER-DAT2.0 or 3.1)")
        }
        var end = magic.count
        while end < bytes.count, end < magic.count + 16, bytes[end] != 0x0D, bytes[end] != 0x0A { end += 1 }
        let version = String(decoding: bytes[magic.count..<end], as: UTF8.self)
        guard ["2.0", "3.0", "3.1"].contains(version) else {
            throw SpikeIOError.malformedHeader(file: name, reason: "AEDAT version '\(version)' is not supported (2.0, 3.0, 3.1)")
        }
        let endHeader = Array("#!END-HEADER".utf8)
        var at = 0
        while at < bytes.count, bytes[at] == 0x23 {  // '#'
            var lineEnd = at
            while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            let isEnd = lineEnd - at >= endHeader.count && Array(bytes[at..<(at + endHeader.count)]) == endHeader
            guard lineEnd < bytes.count else {
                throw SpikeIOError.truncatedHeader(file: name, needed: lineEnd + 1, available: bytes.count)
            }
            at = lineEnd + 1
            if isEnd { break }
        }
        return Header(version: version, dataOffset: at)
    }

    /// Decodes the bytes of an AEDAT 2.0 or 3.x file into events of `sensorSize`.
    /// - Parameters:
    ///   - layout: the DVS128 address layout of AEDAT 2.0 data (ignored for 3.x, whose fields are explicit).
    ///   - includeInvalid: AEDAT 3.x only: keep polarity events whose validity bit is clear (SpikingJelly does).
    /// - Throws: `SpikeIOError` naming `name`: bad magic or version, truncated data or packets, a packet size
    ///   past the end, polarity events smaller than 8 bytes, an event outside `sensorSize`.
    public static func decode(_ bytes: [UInt8], name: String, layout: DVS128Layout = .jAER, sensorSize: SensorSize = dvs128,
                              includeInvalid: Bool = false) throws -> EventStream {
        let h = try header(bytes, name: name)
        var x: [Int32] = [], y: [Int32] = [], t: [Int64] = [], p: [Int32] = []
        let n = bytes.count
        try bytes.withUnsafeBytes { raw in
            func be32(_ at: Int) -> UInt32 { UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
            func le32(_ at: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
            if !h.isPacketed {
                let length = n - h.dataOffset
                guard length % 8 == 0 else {
                    throw SpikeIOError.malformedData(file: name, reason: "AEDAT 2.0 data of \(length) bytes is not a whole number of 8-byte events: truncated file?")
                }
                let count = length / 8
                x.reserveCapacity(count); y.reserveCapacity(count); t.reserveCapacity(count); p.reserveCapacity(count)
                var at = h.dataOffset
                for _ in 0..<count {
                    let a = be32(at), ts = be32(at + 4)
                    at += 8
                    let lowBits = Int32(a >> 1 & 0x7F), highBits = Int32(a >> 8 & 0x7F), bit0 = Int32(a & 1)
                    switch layout {
                    case .jAER:
                        if a > 0x7FFF { continue }
                        x.append(127 - lowBits); y.append(highBits); p.append(1 - bit0)
                    case .tonic:
                        x.append(highBits); y.append(lowBits); p.append(bit0)
                    case .spikingJellyCIFAR10DVS:
                        x.append(127 - highBits); y.append(127 - lowBits); p.append(1 - bit0)
                    }
                    t.append(Int64(ts))
                }
            } else {
                var at = h.dataOffset
                var packet = 0
                while at < n {
                    guard n - at >= 28 else {
                        throw SpikeIOError.malformedData(file: name, reason: "packet \(packet) at byte \(at): header needs 28 bytes, \(n - at) left")
                    }
                    let type = Int(raw[at]) | Int(raw[at + 1]) << 8
                    let size = Int(le32(at + 4)), overflow = Int64(le32(at + 12)), capacity = Int(le32(at + 16))
                    let (total, o) = size.multipliedReportingOverflow(by: capacity)
                    guard !o, total <= n - at - 28 else {
                        throw SpikeIOError.malformedData(file: name, reason: "packet \(packet) at byte \(at): \(capacity) events of \(size) bytes run past the end of the file")
                    }
                    let start = at + 28
                    at = start + total
                    packet += 1
                    guard type == 1, capacity > 0 else { continue }
                    guard size >= 8 else {
                        throw SpikeIOError.malformedData(file: name, reason: "packet \(packet - 1): polarity events of \(size) bytes (at least 8 needed)")
                    }
                    x.reserveCapacity(x.count + capacity); y.reserveCapacity(y.count + capacity)
                    t.reserveCapacity(t.count + capacity); p.reserveCapacity(p.count + capacity)
                    var e = start
                    for _ in 0..<capacity {
                        let d = le32(e), ts = Int64(le32(e + 4))
                        e += size
                        if d & 1 == 0, !includeInvalid { continue }
                        x.append(Int32(d >> 17 & 0x7FFF)); y.append(Int32(d >> 2 & 0x7FFF)); p.append(Int32(d >> 1 & 1))
                        t.append(ts | overflow << 31)
                    }
                }
            }
        }
        let w = Int32(sensorSize.width), hh = Int32(sensorSize.height), np = Int32(sensorSize.polarities)
        for i in 0..<x.count where x[i] < 0 || x[i] >= w || y[i] < 0 || y[i] >= hh || p[i] >= np {
            throw SpikeIOError.malformedData(file: name, reason: "event \(i): (x \(x[i]), y \(y[i]), p \(p[i])) outside the sensor \(sensorSize)")
        }
        return EventStream(unchecked: x, y: y, t: t, p: p, sensorSize: sensorSize)
    }
}
