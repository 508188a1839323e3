import Foundation
import SpikeCore
import SpikeNeurons
import SpikeCoding
import SpikeIO
import SpikeSim

/// One value of a network file with its place in the file (`synapses[2].delay`), so that every error is one
/// line naming the file and the place: `net.json: synapses[2].delay: 0.05 ms is below one step (dt = 0.1 ms)`.
public struct FileNode {
    /// The file's name as given on the command line.
    public let file: String
    /// The place inside the file (`groups[0].size`; empty for the whole document).
    public let path: String
    /// The value there.
    public let value: JSON

    /// The root of a document.
    public init(file: String, value: JSON) { self.file = file; path = ""; self.value = value }
    package init(file: String, path: String, value: JSON) { self.file = file; self.path = path; self.value = value }

    /// The longest message of `error`, in characters: messages quote input cut (`MessageText`), and what they
    /// pass on from elsewhere (a model's parameter check) is cut here.
    package static let messageLimit = 2000

    /// An error at this place: `file: path: message` (one line: control characters escaped, the place and message
    /// cut after `messageLimit` characters).
    public func error(_ message: String) -> NetworkFileError {
        NetworkFileError("\(file): " + MessageText.excerpt(path.isEmpty ? message : "\(path): \(message)", limit: Self.messageLimit))
    }

    /// The place of member `key` below this one (a key from the file is cut and escaped as in messages).
    package func child(_ key: String, _ value: JSON) -> FileNode {
        let key = MessageText.excerpt(key)
        return FileNode(file: file, path: path.isEmpty ? key : "\(path).\(key)", value: value)
    }

    /// Whether the value is JSON `null`.
    package var isNull: Bool { if case .null = value { return true } else { return false } }

    /// The members of an object, checked against `allowed` (unknown and duplicate keys are errors) and
    /// `required` (missing keys are errors).
    /// `unknown` words the error for a key not allowed (default: "unknown field (known here: ...)").
    package func object(allowed: [String], required: [String] = [], unknown: ((String) -> String)? = nil) throws -> Members {
        guard case let .object(members) = value else { throw error("expected an object, got \(value.kind)") }
        var seen = Set<String>()
        for (key, _) in members {
            guard allowed.contains(key) else {
                throw child(key, .null).error(unknown?(key) ?? "unknown field (known here: \(allowed.joined(separator: ", ")))")
            }
            guard seen.insert(key).inserted else { throw child(key, .null).error("given twice") }
        }
        for key in required where !seen.contains(key) { throw error("missing field \(MessageText.quoted(key))") }
        return Members(node: self, members: members)
    }

    /// The items of an array.
    package func array() throws -> [FileNode] {
        guard case let .array(items) = value else { throw error("expected an array, got \(value.kind)") }
        return items.enumerated().map { FileNode(file: file, path: "\(path)[\($0.offset)]", value: $0.element) }
    }

    /// A finite number as a Double.
    package func double() throws -> Double {
        guard case let .number(text, _) = value, let d = Double(text), d.isFinite else {
            throw error("expected a number, got \(value.kind)")
        }
        return d
    }

    /// A finite number as a Float (read from its text, so a Float's shortest form reads back exactly).
    package func float() throws -> Float {
        guard case let .number(text, _) = value else { throw error("expected a number, got \(value.kind)") }
        guard let f = Float(text), f.isFinite else { throw error("\(MessageText.excerpt(text)) is not a finite 32-bit number") }
        return f
    }

    /// An integer (written without a fraction or exponent).
    package func int() throws -> Int {
        guard case let .number(text, integer) = value else { throw error("expected an integer, got \(value.kind)") }
        guard let i = integer else { throw error("expected an integer, got \(MessageText.excerpt(text))") }
        return i
    }

    /// An integer in `range`, or an error saying which values are allowed.
    package func int(in range: ClosedRange<Int>) throws -> Int {
        let i = try int()
        guard range.contains(i) else {
            throw error(range.upperBound >= Int(Int32.max) ? "must be >= \(range.lowerBound), got \(i)"
                                                           : "\(i) out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return i
    }

    /// A string.
    package func string() throws -> String {
        guard case let .string(s) = value else { throw error("expected a string, got \(value.kind)") }
        return s
    }

    /// `true` or `false`.
    package func bool() throws -> Bool {
        guard case let .bool(b) = value else { throw error("expected true or false, got \(value.kind)") }
        return b
    }

    /// A list of numbers (Float). Large lists are read without a node per item (one is made for an error only).
    package func floats() throws -> [Float] {
        guard case let .array(items) = value else { throw error("expected an array, got \(value.kind)") }
        var out = [Float](); out.reserveCapacity(items.count)
        for (k, v) in items.enumerated() {
            if case let .number(text, _) = v, let f = Float(text), f.isFinite { out.append(f); continue }
            out.append(try FileNode(file: file, path: "\(path)[\(k)]", value: v).float())
        }
        return out
    }

    /// A list of integers.
    package func ints() throws -> [Int] {
        guard case let .array(items) = value else { throw error("expected an array, got \(value.kind)") }
        var out = [Int](); out.reserveCapacity(items.count)
        for (k, v) in items.enumerated() {
            if case let .number(_, i?) = v { out.append(i); continue }
            out.append(try FileNode(file: file, path: "\(path)[\(k)]", value: v).int())
        }
        return out
    }

    /// A list of strings.
    package func strings() throws -> [String] { try array().map { try $0.string() } }

    /// A name usable as a file name: letters, digits, `_`, `-`, `.`, not starting with `.` or `-`.
    package func name() throws -> String {
        let s = try string()
        let ok = !s.isEmpty && s.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "_-.".unicodeScalars.contains($0) }
        guard ok, !s.hasPrefix("."), !s.hasPrefix("-") else {
            throw error("\(MessageText.quoted(s)) is not a valid name (letters, digits, '_', '-', '.'; it names output files)")
        }
        return s
    }
}

/// The checked members of one object of a network file.
package struct Members {
    package let node: FileNode
    package let members: [(key: String, value: JSON)]

    /// Member `key`, if present.
    package subscript(_ key: String) -> FileNode? {
        members.first { $0.key == key }.map { node.child(key, $0.value) }
    }

    /// Member `key`, which the object's `required` list guarantees.
    package func required(_ key: String) throws -> FileNode {
        guard let n = self[key] else { throw node.error("missing field \(MessageText.quoted(key))") }
        return n
    }

    /// The keys in file order.
    package var keys: [String] { members.map(\.key) }
}
