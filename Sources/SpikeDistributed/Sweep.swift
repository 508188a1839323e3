import Foundation

/// A parameter sweep: the grid of the values given for each named parameter, run point by point, in one process
/// or divided among the ranks of a communicator, with the same results either way.
///
/// Points are the Cartesian product of the axes in the order given, the last axis varying fastest (as nested loops
/// written in that order). Point `i` runs on rank `i % size`; each point's result is a row of text fields, and
/// every row reaches rank 0 in point order (`run(on:_:)`), so the table (`csv(columns:rows:)`) is the same for any
/// number of ranks.
public struct Sweep: Equatable, Sendable {
    /// One swept parameter and its values (as text, as the option that takes it would read them).
    public struct Axis: Equatable, Sendable {
        /// The parameter's name.
        public var name: String
        /// Its values, in order.
        public var values: [String]
        /// An axis.
        public init(name: String, values: [String]) { self.name = name; self.values = values }
    }

    /// The axes, in order.
    public var axes: [Axis]

    /// Most points a sweep may have.
    public static let maximumPoints = 100_000

    /// A sweep over `axes`.
    public init(axes: [Axis]) { self.axes = axes }

    /// Parses `NAME=V1,V2,...` items (one per axis; `option` names the flag in errors).
    /// - Throws: `DistributedError` for an item without `=`, an empty name or value, a name given twice, or a grid of
    ///   more than `maximumPoints` points.
    public init(parsing items: [String], option: String = "--sweep") throws {
        var axes: [Axis] = []
        for item in items {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw DistributedError("\(option) expects NAME=V1,V2,..., got '\(item)'")
            }
            let name = String(item[..<eq])
            let values = item[item.index(after: eq)...].split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard !values.contains(where: \.isEmpty) else { throw DistributedError("\(option) \(name): an empty value in '\(item)'") }
            guard !axes.contains(where: { $0.name == name }) else { throw DistributedError("\(option): parameter '\(name)' given twice") }
            axes.append(Axis(name: name, values: values))
        }
        var count = 1
        for a in axes {
            let (c, overflow) = count.multipliedReportingOverflow(by: a.values.count)
            guard !overflow, c <= Self.maximumPoints else { throw DistributedError("\(option): more than \(Self.maximumPoints) points") }
            count = c
        }
        self.axes = axes
    }

    /// Number of points (1 for no axes: the run itself).
    public var count: Int { axes.reduce(1) { $0 * $1.values.count } }

    /// The parameter values of point `index`, one `(name, value)` per axis.
    public func point(_ index: Int) -> [(name: String, value: String)] {
        var rest = index
        var out: [(String, String)] = []
        for a in axes.reversed() {
            out.append((a.name, a.values[rest % a.values.count]))
            rest /= a.values.count
        }
        return out.reversed()
    }

    /// The folder name of point `index`: its number (zero-padded to the width of the last) and `NAME=VALUE` per
    /// axis, joined by `_`; characters other than letters, digits, `.`, `-`, `+` and `=` become `-`.
    public func folderName(_ index: Int) -> String {
        let width = String(max(0, count - 1)).count
        let number = String(repeating: "0", count: max(0, width - String(index).count)) + String(index)
        let parts = point(index).map { "\($0.name)=\($0.value)" }
        let name = ([number] + parts).joined(separator: "_")
        return String(name.map { c in c.isASCII && (c.isLetter || c.isNumber || ".-+=_".contains(c)) ? c : "-" })
    }

    /// The points rank `rank` of `size` runs: `rank, rank + size, ...`.
    public func points(rank: Int, size: Int) -> [Int] { Array(stride(from: rank, to: count, by: size)) }

    /// Runs `body(index, parameters)` for this rank's points and returns every point's row, in point order, on
    /// rank 0 (nil on the others). A throwing `body` stops this rank (the caller ends the job).
    public func run(on comm: Communicator = Distributed.world,
                    _ body: (Int, [(name: String, value: String)]) throws -> [String]) throws -> [[String]]? {
        var mine: [UInt8] = []
        for i in points(rank: comm.rank, size: comm.size) {
            let row = try body(i, point(i))
            // Fields joined by 0x1F, rows ended by 0x1E (ASCII unit and record separators).
            mine += Array(row.joined(separator: "\u{1F}").utf8) + [0x1E]
        }
        guard let gathered = try comm.gather(mine) else { return nil }
        let perRank = gathered.map { bytes in
            bytes.split(separator: 0x1E, omittingEmptySubsequences: false).dropLast()
                .map { String(decoding: $0, as: UTF8.self).split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init) }
        }
        return (0..<count).map { perRank[$0 % comm.size][$0 / comm.size] }
    }

    /// `sweep.csv`: a header `point,<axis names>,<columns>` and, per point, its number, values and `rows[i]`
    /// (fields with a comma, quote or line break are quoted, RFC 4180).
    public func csv(columns: [String], rows: [[String]]) -> String {
        func field(_ s: String) -> String {
            s.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var out = (["point"] + axes.map(\.name) + columns).map(field).joined(separator: ",") + "\n"
        for (i, row) in rows.enumerated() {
            out += ([String(i)] + point(i).map(\.value) + row).map(field).joined(separator: ",") + "\n"
        }
        return out
    }
}

extension Distributed {
    nonisolated(unsafe) private static var override: Communicator?

    /// Runs `body` with `world` replaced by `comm` (a sweep runs each point in one process: `.single`).
    public static func withWorld<T>(_ comm: Communicator, _ body: () throws -> T) rethrows -> T {
        let saved = override
        override = comm
        defer { override = saved }
        return try body()
    }

    static var overridden: Communicator? { override }
}
