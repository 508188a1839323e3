import Foundation
import SpikeIO

/// Reading and writing NIR's HDF5 files (the layout of the Python package `nir`, `nir.write`/`nir.read`).
///
/// Layout (1.0.x): a string dataset `version` at the root and a group `node` holding the top graph; a graph
/// group has `type` = `"NIRGraph"`, a group `nodes` with one group per node, `edges` (an `[E, 2]` dataset of
/// strings, source and destination) and an optional `metadata` group; a node group has a string `type` and
/// one dataset per field (`nodes/lif/tau`). The 0.2.0 layout the NIR paper's files use differs only in what
/// is absent: no `v_reset` (0, as `nir` reads it), no `input_shape` on convolutions, no `input_type` on Flatten,
/// and possibly no `version`; edges may also be a group with `src` and `dst` string datasets, which is read too.
///
/// Every number read is checked: shapes and sizes against `Limits`, integer fields integral and in range,
/// parameters finite (and time constants positive); nesting of graphs is limited to `Limits.maxDepth`.
public enum NIRFile {
    /// Bounds applied to what a file may hold.
    public struct Limits: Sendable {
        /// Deepest nesting of graphs in graphs.
        public var maxDepth = 16
        /// Most nodes in one graph.
        public var maxNodes = 100_000
        /// Most elements in one field.
        public var maxElements = 1 << 28
        /// Largest value of a shape entry, stride, padding, kernel size or delay in steps.
        public var maxDimension = 1 << 24
        /// The defaults.
        public init() {}
    }

    /// The version written (the `nir` release whose layout is followed).
    public static let writtenVersion = "1.0.8"

    /// Reads a NIR file.
    public static func read(url: URL, limits: Limits = Limits()) throws -> NIRGraph {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: url)) } catch { throw NIRError("\(url.path): cannot be read: \(error.localizedDescription)") }
        do { return try read(bytes: bytes, limits: limits) } catch let e as NIRError { throw NIRError("\(url.lastPathComponent): \(e.message)") }
    }

    /// Reads a NIR file from its bytes: the entry point for fuzzing (any input throws `NIRError` or returns).
    public static func read(bytes: [UInt8], limits: Limits = Limits()) throws -> NIRGraph {
        let file: HDF5File
        do { file = try HDF5File(bytes: bytes, name: "<nir>") } catch { throw NIRError("not a readable HDF5 file: \(oneLine(error))") }
        let root = file.root
        let names: [String]
        do { names = try root.memberNames() } catch { throw NIRError("not a readable HDF5 file: \(oneLine(error))") }
        guard names.contains("node") else { throw NIRError("not a NIR file: no 'node' group at the root") }
        let top: HDF5Group
        do { top = try root.group("node") } catch { throw NIRError("not a NIR file: 'node' is not a group") }
        let node = try readNode(top, path: "", depth: 0, limits: limits)
        guard node.kind == .graph, let g = node.subgraph else { throw NIRError("the top node is a \(node.kind.rawValue), not a NIRGraph") }
        return g
    }

    /// The fuzz target: reads `bytes` as a NIR file and, when that succeeds, builds its executable network at
    /// `dt` = 1 ms. Returns whether both succeeded; every failure must be a thrown `NIRError`, never a trap.
    @discardableResult
    public static func fuzz(_ bytes: [UInt8]) -> Bool {
        guard let g = try? read(bytes: bytes) else { return false }
        return (try? NIRNetwork(g, options: NIRRunOptions(dt: 1e-3))) != nil
    }

    /// The `version` string of a file's bytes, or nil when it has none.
    public static func version(bytes: [UInt8]) throws -> String? {
        let file: HDF5File
        do { file = try HDF5File(bytes: bytes, name: "<nir>") } catch { throw NIRError("not a readable HDF5 file: \(oneLine(error))") }
        guard (try? file.root.memberNames())?.contains("version") == true else { return nil }
        do { return try file.root.dataset("version").readStrings().first } catch { throw NIRError("'version' is not a string: \(oneLine(error))") }
    }

    static func oneLine(_ e: Error) -> String { "\(e)".replacingOccurrences(of: "\n", with: " ") }

    static func join(_ a: String, _ b: String) -> String { a.isEmpty ? b : "\(a).\(b)" }

    // MARK: Reading

    static func readValue(_ ds: HDF5Dataset, node: String, field: String, limits: Limits) throws -> NIRValue {
        func fail(_ m: String) -> NIRError { NIRError(node: node, "field '\(field)': \(m)") }
        guard ds.shape.count <= 8 else { throw fail("rank \(ds.shape.count) is above 8") }
        guard ds.shape.allSatisfy({ $0 >= 0 && $0 <= limits.maxElements }),
              let n = ds.shape.reduce(Optional(1), { acc, d in acc.flatMap { a in a.multipliedReportingOverflow(by: d).overflow ? nil : a * d } }),
              n <= limits.maxElements
        else { throw fail("shape \(ds.shape) is too large") }
        switch ds.datatype {
        case .variableString, .fixedString:
            let s: [String]
            do { s = try ds.readStrings() } catch { throw fail(oneLine(error)) }
            guard s.count == 1 else { throw fail("holds \(s.count) strings, expected one") }
            return .string(s[0])
        case .float(let size, _):
            do { return .array(NIRArray(try ds.readDoubles(), shape: ds.shape, elementType: size == 8 ? .float64 : .float32)) }
            catch { throw fail(oneLine(error)) }
        case .integer, .enumeration:
            let v: [Int64]
            do { v = try ds.readInt64s() } catch { throw fail(oneLine(error)) }
            guard v.allSatisfy({ abs($0) <= Int64(1) << 53 }) else { throw fail("an integer is out of range") }
            return .array(NIRArray(v.map(Double.init), shape: ds.shape, elementType: .int64))
        default:
            throw fail("unsupported element type \(ds.datatype)")
        }
    }

    static func readMetadata(_ g: HDF5Group, node: String, limits: Limits, prefix: String = "", depth: Int = 0) throws -> [String: NIRValue] {
        guard depth <= limits.maxDepth else { throw NIRError(node: node, "metadata nested too deeply") }
        var out: [String: NIRValue] = [:]
        let names: [String]
        do { names = try g.memberNames() } catch { throw NIRError(node: node, "metadata: \(oneLine(error))") }
        for name in names {
            let key = prefix.isEmpty ? name : "\(prefix)/\(name)"
            let obj: HDF5Object
            do { obj = try g.object(name) } catch { throw NIRError(node: node, "metadata '\(key)': \(oneLine(error))") }
            switch obj {
            case .group(let sub): out.merge(try readMetadata(sub, node: node, limits: limits, prefix: key, depth: depth + 1)) { a, _ in a }
            case .dataset(let ds): out[key] = try readValue(ds, node: node, field: "metadata/\(key)", limits: limits)
            }
        }
        return out
    }

    static func readNode(_ g: HDF5Group, path: String, depth: Int, limits: Limits) throws -> NIRNode {
        let shown = path.isEmpty ? "<top graph>" : path
        guard depth <= limits.maxDepth else { throw NIRError(node: shown, "graphs nested deeper than \(limits.maxDepth) levels") }
        let members: [String]
        do { members = try g.memberNames() } catch { throw NIRError(node: shown, oneLine(error)) }
        guard members.contains("type") else { throw NIRError(node: shown, "has no 'type'") }
        let typeName: String
        do { typeName = try g.dataset("type").readStrings().first ?? "" } catch { throw NIRError(node: shown, "'type' is not a string") }
        guard let kind = NIRNodeKind(rawValue: typeName) else {
            throw NIRError(node: shown, "unknown node type '\(typeName.prefix(64))'")
        }
        let metadata: [String: NIRValue]
        if members.contains("metadata") {
            let mg: HDF5Group
            do { mg = try g.group("metadata") } catch { throw NIRError(node: shown, "'metadata' is not a group") }
            metadata = try readMetadata(mg, node: shown, limits: limits)
        } else { metadata = [:] }

        if kind == .graph {
            guard members.contains("nodes") else { throw NIRError(node: shown, "NIRGraph has no 'nodes'") }
            let ng: HDF5Group
            let names: [String]
            do { ng = try g.group("nodes"); names = try ng.memberNames() } catch { throw NIRError(node: shown, "'nodes': \(oneLine(error))") }
            guard names.count <= limits.maxNodes else { throw NIRError(node: shown, "\(names.count) nodes, more than \(limits.maxNodes)") }
            var nodes: [String: NIRNode] = [:]
            for name in names {
                let child: HDF5Group
                do { child = try ng.group(name) } catch { throw NIRError(node: join(path, name), "is not a group") }
                nodes[name] = try readNode(child, path: join(path, name), depth: depth + 1, limits: limits)
            }
            let edges = try readEdges(g, members: members, node: shown, limits: limits)
            var graph = NIRGraph(nodes: nodes, edges: edges, metadata: metadata)
            try NIRValidate.graph(&graph, path: path)
            return NIRNode(graph: graph)
        }

        var fields: [String: NIRValue] = [:]
        for name in members where name != "type" && name != "metadata" {
            let ds: HDF5Dataset
            do { ds = try g.dataset(name) } catch { throw NIRError(node: shown, "field '\(name)' is not a dataset") }
            fields[name] = try readValue(ds, node: shown, field: name, limits: limits)
        }
        var node = NIRNode(kind, fields, metadata: metadata)
        try NIRValidate.node(&node, path: shown, limits: limits)
        return node
    }

    static func readEdges(_ g: HDF5Group, members: [String], node: String, limits: Limits) throws -> [(String, String)] {
        guard members.contains("edges") else { throw NIRError(node: node, "NIRGraph has no 'edges'") }
        let obj: HDF5Object
        do { obj = try g.object("edges") } catch { throw NIRError(node: node, "'edges': \(oneLine(error))") }
        switch obj {
        case .dataset(let ds):
            if ds.count == 0 { return [] }
            guard ds.shape.count == 2, ds.shape[1] == 2, ds.shape[0] <= limits.maxNodes * 64 else {
                throw NIRError(node: node, "'edges' has shape \(ds.shape), expected [E, 2]")
            }
            let s: [String]
            do { s = try ds.readStrings() } catch { throw NIRError(node: node, "'edges' are not strings: \(oneLine(error))") }
            guard s.count == ds.shape[0] * 2 else { throw NIRError(node: node, "'edges' hold \(s.count) strings for shape \(ds.shape)") }
            return stride(from: 0, to: s.count, by: 2).map { (s[$0], s[$0 + 1]) }
        case .group(let eg):
            do {
                let src = try eg.dataset("src").readStrings(), dst = try eg.dataset("dst").readStrings()
                guard src.count == dst.count else { throw NIRError(node: node, "'edges/src' has \(src.count) names, 'edges/dst' \(dst.count)") }
                guard src.count <= limits.maxNodes * 64 else { throw NIRError(node: node, "too many edges") }
                return Array(zip(src, dst))
            } catch let e as NIRError { throw e } catch { throw NIRError(node: node, "'edges': \(oneLine(error))") }
        }
    }

    // MARK: Writing

    /// The HDF5 bytes of `graph` in the 1.0.x layout (as `nir.write` lays it out; arrays uncompressed).
    public static func encode(_ graph: NIRGraph) throws -> [UInt8] {
        let w = HDF5Writer()
        _ = try w.root.addDataset("version", .string(writtenVersion))
        let top = try w.root.group("node")
        try writeGraph(graph, into: top)
        return try w.encode()
    }

    /// Writes `graph` to `url` atomically.
    public static func write(_ graph: NIRGraph, to url: URL) throws {
        let bytes = try encode(graph)
        try AtomicFile.write(Data(bytes), to: url)
    }

    static func writeValue(_ v: NIRValue, _ name: String, into g: HDF5WriteGroup) throws {
        switch v {
        case .string(let s): _ = try g.addDataset(name, .string(s))
        case .array(let a):
            switch a.elementType {
            case .float32: _ = try g.addDataset(name, .numbers(a.values.map { Float($0) }, shape: a.shape))
            case .float64: _ = try g.addDataset(name, .numbers(a.values, shape: a.shape))
            case .int64: _ = try g.addDataset(name, .numbers(a.values.map { Int64($0) }, shape: a.shape))
            }
        }
    }

    static func writeMetadata(_ m: [String: NIRValue], into g: HDF5WriteGroup) throws {
        guard !m.isEmpty else { return }
        let mg = try g.group("metadata")
        for k in m.keys.sorted() { try writeValue(m[k]!, k, into: mg) }
    }

    static func writeGraph(_ graph: NIRGraph, into g: HDF5WriteGroup) throws {
        _ = try g.addDataset("type", .string(NIRNodeKind.graph.rawValue))
        let flat = graph.edges.flatMap { [$0.0, $0.1] }
        _ = try g.addDataset("edges", .strings(flat, shape: [graph.edges.count, 2]))
        try writeMetadata(graph.metadata, into: g)
        let ng = try g.group("nodes")
        for name in graph.sortedNames {
            let node = graph.nodes[name]!
            let child = try ng.group(name)
            if node.kind == .graph, let sub = node.subgraph {
                try writeGraph(sub, into: child)
                continue
            }
            _ = try child.addDataset("type", .string(node.kind.rawValue))
            for k in node.fields.keys.sorted() { try writeValue(node.fields[k]!, k, into: child) }
            try writeMetadata(node.metadata, into: child)
        }
    }
}
