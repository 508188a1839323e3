import SpikeIO

/// Events stored by the user: `.npy`, `.npz` and CSV files of `x, y, t, p` (the "my own data" path).
///
/// - **`.npy`**: a structured array with fields named `x`, `t` and optionally `y` and `p`, in any order and of
///   any integer, bool or float dtype (Tonic's `np.save(path, events)` of `tonic.io.events_struct` or of a
///   dataset's `dtype`; float values must be whole numbers); other fields are ignored. Without `y` the
///   events are one-dimensional (`hasY` false, as SHD's `t, x, p`); without `p` every polarity is 0. Or a
///   plain `[N, K]` array whose columns are named by `ordering` (default `"xytp"`; Tonic's DVSGesture files
///   are `"xypt"`).
/// - **`.npz`** (zip, stored or deflated, as `np.savez` / `np.savez_compressed`): the member `events.npy`
///   (read as a `.npy` above), else the members `x.npy`, `t.npy` and optionally `y.npy`, `p.npy` as 1-D arrays
///   of equal length (SpikingJelly's `np.savez(file, t=..., x=..., y=..., p=...)`), else its only member.
/// - **CSV**: one event per line of integers; a first line with letters is a header naming the columns (`x`,
///   `y`, `t`, `p` in any order); without one the columns follow `ordering`. Blank lines are skipped.
///
/// Times are microseconds. Coordinates are checked against `sensorSize`; without one it is inferred as
/// `(max x + 1, max y + 1, max p + 1)` (each at least 1). Errors name the file and the problem.
public enum EventFile {
    /// The largest `.npz` member accepted (1 GiB).
    public static let memberLimit = 1 << 30

    /// Reads `path`, choosing the format by extension (`.npy`, `.npz`, `.csv`; anything else is tried as CSV).
    public static func read(path: String, sensorSize: SensorSize? = nil, ordering: String = "xytp") throws -> EventStream {
        let bytes = try FileBytes.read(path: path)
        let lower = path.lowercased()
        if lower.hasSuffix(".npy") { return try decodeNPY(bytes, name: path, sensorSize: sensorSize, ordering: ordering) }
        if lower.hasSuffix(".npz") { return try decodeNPZ(bytes, name: path, sensorSize: sensorSize, ordering: ordering) }
        return try decodeCSV(bytes, name: path, sensorSize: sensorSize, ordering: ordering)
    }

    /// Events from the bytes of a `.npy` file (structured, or plain `[N, ordering.count]`).
    public static func decodeNPY(_ bytes: [UInt8], name: String, sensorSize: SensorSize? = nil, ordering: String = "xytp") throws -> EventStream {
        try bytes.withUnsafeBytes { raw in
            let layout = try NPY.layout(of: raw, name: name)
            var columns: [Character: [Int64]] = [:]
            if layout.isStructured {
                guard layout.shape.count == 1 else {
                    throw SpikeIOError.malformedData(file: name, reason: "a structured event array must be 1-D, got shape \(layout.shape)")
                }
                for key in "xytp" {
                    if let field = layout.field(String(key)) {
                        columns[key] = try NPY.int64Values(field, in: raw, layout: layout, name: name)
                    }
                }
            } else {
                let names = try parseOrdering(ordering, name: name)
                guard layout.shape.count == 2, layout.shape[1] == names.count else {
                    throw SpikeIOError.malformedData(file: name, reason: "expected a structured array or a plain [N, \(names.count)] array (\(ordering)), got shape \(layout.shape)")
                }
                for (j, key) in names.enumerated() {
                    columns[key] = try NPY.int64Values(layout.fields[0], in: raw, layout: layout, first: j,
                                                       stride: names.count * layout.itemSize, count: layout.shape[0], name: name)
                }
            }
            return try events(columns, name: name, sensorSize: sensorSize)
        }
    }

    /// Events from the bytes of a `.npz` archive (see the type's description for the members read).
    public static func decodeNPZ(_ bytes: [UInt8], name: String, sensorSize: SensorSize? = nil, ordering: String = "xytp") throws -> EventStream {
        let zip = try ZipArchive(bytes: bytes, name: name)
        if let entry = zip.entry(named: "events.npy") {
            return try decodeNPY(zip.contents(of: entry, limit: memberLimit), name: "\(name): events.npy", sensorSize: sensorSize, ordering: ordering)
        }
        if zip.entry(named: "x.npy") != nil, zip.entry(named: "t.npy") != nil {
            var columns: [Character: [Int64]] = [:]
            for key in "xytp" {
                guard let entry = zip.entry(named: "\(key).npy") else { continue }
                let member = "\(name): \(key).npy"
                let data = try zip.contents(of: entry, limit: memberLimit)
                columns[key] = try data.withUnsafeBytes { raw in
                    let layout = try NPY.layout(of: raw, name: member)
                    guard !layout.isStructured, layout.shape.count == 1 else {
                        throw SpikeIOError.malformedData(file: member, reason: "expected a plain 1-D array, got shape \(layout.shape)")
                    }
                    return try NPY.int64Values(layout.fields[0], in: raw, layout: layout, name: member)
                }
            }
            return try events(columns, name: name, sensorSize: sensorSize)
        }
        let arrays = zip.entries.filter { $0.name.hasSuffix(".npy") }
        guard arrays.count == 1 else {
            throw SpikeIOError.malformedData(file: name, reason: "expected a member events.npy, members x.npy and t.npy, or a single .npy member; found \(MessageText.excerpt("\(zip.entries.map(\.name))"))")
        }
        return try decodeNPY(zip.contents(of: arrays[0], limit: memberLimit), name: "\(name): \(MessageText.excerpt(arrays[0].name))", sensorSize: sensorSize, ordering: ordering)
    }

    /// Events from the bytes of a CSV file (header optional; integers only).
    public static func decodeCSV(_ bytes: [UInt8], name: String, sensorSize: SensorSize? = nil, ordering: String = "xytp") throws -> EventStream {
        var names = try parseOrdering(ordering, name: name)
        var values: [[Int64]] = []
        var line = 1
        var at = 0
        let n = bytes.count
        var first = true
        var row: [Int64] = []
        while at < n {
            var end = at
            while end < n, bytes[end] != 0x0A { end += 1 }
            var stop = end
            if stop > at, bytes[stop - 1] == 0x0D { stop -= 1 }
            defer { at = end + 1; line += 1 }
            if stop == at { continue }  // blank line
            if first, bytes[at..<stop].contains(where: { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }) {
                let header = String(decoding: bytes[at..<stop], as: UTF8.self)
                let fields = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                guard fields.allSatisfy({ $0.count == 1 && "xytp".contains($0) }), Set(fields).count == fields.count else {
                    throw SpikeIOError.malformedData(file: name, reason: "line 1: header \(MessageText.quoted(header)) must name columns x, y, t, p")
                }
                names = try parseOrdering(fields.joined(), name: name)
                first = false
                continue
            }
            if first { values = Array(repeating: [], count: names.count); first = false }
            if values.isEmpty { values = Array(repeating: [], count: names.count) }
            row.removeAll(keepingCapacity: true)
            var i = at
            while true {
                while i < stop, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
                var negative = false
                if i < stop, bytes[i] == 0x2D { negative = true; i += 1 } else if i < stop, bytes[i] == 0x2B { i += 1 }
                var v: Int64 = 0, digits = 0
                while i < stop, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                    let (m, o1) = v.multipliedReportingOverflow(by: 10)
                    let (s, o2) = m.addingReportingOverflow(Int64(bytes[i] - 0x30))
                    guard !o1, !o2 else { throw SpikeIOError.malformedData(file: name, reason: "line \(line): number out of range") }
                    v = s; digits += 1; i += 1
                }
                while i < stop, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
                guard digits > 0, i == stop || bytes[i] == 0x2C else {
                    throw SpikeIOError.malformedData(file: name, reason: "line \(line): expected \(names.count) integers separated by commas")
                }
                row.append(negative ? -v : v)
                if i == stop { break }
                i += 1
            }
            guard row.count == names.count else {
                throw SpikeIOError.malformedData(file: name, reason: "line \(line): \(row.count) values, expected \(names.count) (\(String(names)))")
            }
            for j in 0..<row.count { values[j].append(row[j]) }
        }
        var columns: [Character: [Int64]] = [:]
        for (j, key) in names.enumerated() { columns[key] = values.isEmpty ? [] : values[j] }
        return try events(columns, name: name, sensorSize: sensorSize)
    }

    /// The column names of `ordering` (distinct letters among x, y, t, p, including x and t).
    static func parseOrdering(_ ordering: String, name: String) throws -> [Character] {
        let names = Array(ordering)
        guard names.allSatisfy({ "xytp".contains($0) }), Set(names).count == names.count, names.contains("x"), names.contains("t") else {
            throw SpikeIOError.malformedData(file: name, reason: "column ordering '\(ordering)' must hold distinct letters of x, y, t, p including x and t")
        }
        return names
    }

    /// Checked events from 64-bit columns (`x` and `t` required).
    static func events(_ columns: [Character: [Int64]], name: String, sensorSize: SensorSize?) throws -> EventStream {
        guard let x = columns["x"], let t = columns["t"] else {
            throw SpikeIOError.malformedData(file: name, reason: "events need fields x and t (found \(columns.keys.sorted().map(String.init)))")
        }
        let hasY = columns["y"] != nil
        let y = columns["y"] ?? [Int64](repeating: 0, count: t.count)
        let p64 = columns["p"] ?? [Int64](repeating: 0, count: t.count)
        guard x.count == t.count, y.count == t.count, p64.count == t.count else {
            throw SpikeIOError.malformedData(file: name, reason: "fields differ in length (x \(x.count), y \(y.count), t \(t.count), p \(p64.count))")
        }
        var sensor = sensorSize
        if sensor == nil {
            func size(_ v: [Int64]) -> Int { Int(max(0, min(v.max() ?? 0, Int64(Int32.max) - 1))) + 1 }
            sensor = SensorSize(width: size(x), height: hasY ? size(y) : 1, polarities: size(p64))
        }
        let s = sensor!
        try s.validate(context: "\(name): sensor size")
        var p = [Int32](repeating: 0, count: t.count)
        for i in 0..<t.count {
            guard p64[i] >= 0, p64[i] < Int64(s.polarities) else {
                throw SpikeIOError.malformedData(file: name, reason: "event \(i): polarity \(p64[i]) outside 0..<\(s.polarities)")
            }
            p[i] = Int32(p64[i])
        }
        return try checked(x: x, y: y, t: t, p: p, sensor: s, hasY: hasY, name: name)
    }
}
