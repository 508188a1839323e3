import Foundation
import SpikeIO

/// One recorded quantity of a node in a NIRGraphData file (`nir.data_ir`).
public enum NIRObservable: Equatable, Sendable {
    /// `TimeGriddedData`: `data` of shape `[samples, steps, neurons]` (binary events as 0/1 or a real
    /// signal such as a membrane), sampled every `dt` seconds.
    case timeGridded(data: NIRArray, dt: Double)
    /// `EventData` (`values` nil) or `ValuedEventData`: per sample, event neuron indices `idx`
    /// `[samples, events]` (-1 where there is none), their times in seconds `time` (inf where there is none),
    /// optionally a value per event; `nNeurons` neurons recorded up to `tMax` seconds.
    case events(idx: NIRArray, time: NIRArray, values: NIRArray?, nNeurons: Int, tMax: Double)
}

/// A node of a NIRGraphData file: a node's observables by name, or a nested graph's data.
public indirect enum NIRDataNode: Equatable, Sendable {
    /// `NIRNodeData`: observables by name (`spikes`, `v`...).
    case node([String: NIRObservable])
    /// `NIRGraphData` of a nested graph: nodes by name.
    case graph([String: NIRDataNode])
}

/// Reading and writing NIRGraphData files (`nir.read_data` / `nir.write_data`): the root group carries the
/// attribute `__type__ = "NIRGraphData"` and a group `nodes`; each node group has `__type__` `NIRNodeData`
/// (with `observables/<name>/`) or `NIRGraphData` (nested); an observable group has `__type__`
/// `TimeGriddedData` (dataset `data`, attribute `dt`), `EventData` (datasets `idx`, `time`, attributes
/// `n_neurons`, `t_max`) or `ValuedEventData` (also `value`). Every number is checked as in `NIRFile`.
public enum NIRDataFile {
    /// Reads a NIRGraphData file's bytes into its top-level nodes.
    public static func read(bytes: [UInt8], limits: NIRFile.Limits = NIRFile.Limits()) throws -> [String: NIRDataNode] {
        let file: HDF5File
        do { file = try HDF5File(bytes: bytes, name: "<nir data>") } catch { throw NIRError("not a readable HDF5 file: \(NIRFile.oneLine(error))") }
        guard try typeAttribute(file.root, path: "") == "NIRGraphData" else { throw NIRError("not a NIRGraphData file: the root's __type__ is not NIRGraphData") }
        return try readGraph(file.root, path: "", depth: 0, limits: limits)
    }

    /// Reads a NIRGraphData file.
    public static func read(url: URL) throws -> [String: NIRDataNode] {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: url)) } catch { throw NIRError("\(url.path): cannot be read: \(error.localizedDescription)") }
        do { return try read(bytes: bytes) } catch let e as NIRError { throw NIRError("\(url.lastPathComponent): \(e.message)") }
    }

    static func typeAttribute(_ g: HDF5Group, path: String) throws -> String? {
        guard let attrs = try? g.attributes(), let a = attrs.first(where: { $0.name == "__type__" }) else { return nil }
        do { return try a.readStrings().first } catch { throw NIRError(node: path, "__type__ is not a string") }
    }

    static func number(_ g: HDF5Group, _ name: String, path: String) throws -> Double {
        do {
            let a = try g.attribute(name)
            guard a.count == 1 else { throw NIRError(node: path, "attribute '\(name)' holds \(a.count) values") }
            return try a.readDoubles()[0]
        } catch let e as NIRError { throw e } catch { throw NIRError(node: path, "attribute '\(name)': \(NIRFile.oneLine(error))") }
    }

    static func readGraph(_ g: HDF5Group, path: String, depth: Int, limits: NIRFile.Limits) throws -> [String: NIRDataNode] {
        guard depth <= limits.maxDepth else { throw NIRError(node: path, "graphs nested deeper than \(limits.maxDepth) levels") }
        let nodes: HDF5Group, names: [String]
        do { nodes = try g.group("nodes"); names = try nodes.memberNames() } catch { throw NIRError(node: path.isEmpty ? "<top graph>" : path, "no 'nodes' group") }
        guard names.count <= limits.maxNodes else { throw NIRError(node: path, "too many nodes") }
        var out: [String: NIRDataNode] = [:]
        for name in names {
            let p = NIRFile.join(path, name)
            let child: HDF5Group
            do { child = try nodes.group(name) } catch { throw NIRError(node: p, "is not a group") }
            switch try typeAttribute(child, path: p) {
            case "NIRGraphData": out[name] = .graph(try readGraph(child, path: p, depth: depth + 1, limits: limits))
            case "NIRNodeData": out[name] = .node(try readNode(child, path: p, limits: limits))
            case let t: throw NIRError(node: p, "unknown data node type '\(t ?? "none")'")
            }
        }
        return out
    }

    static func readNode(_ g: HDF5Group, path: String, limits: NIRFile.Limits) throws -> [String: NIRObservable] {
        let obs: HDF5Group, names: [String]
        do { obs = try g.group("observables"); names = try obs.memberNames() } catch { throw NIRError(node: path, "no 'observables' group") }
        var out: [String: NIRObservable] = [:]
        for name in names {
            let p = "\(path) observable '\(name)'"
            let o: HDF5Group
            do { o = try obs.group(name) } catch { throw NIRError(node: path, "observable '\(name)' is not a group") }
            func array(_ f: String) throws -> NIRArray {
                let ds: HDF5Dataset
                do { ds = try o.dataset(f) } catch { throw NIRError(node: path, "observable '\(name)' lacks '\(f)'") }
                guard case .array(let a) = try NIRFile.readValue(ds, node: path, field: "\(name)/\(f)", limits: limits) else {
                    throw NIRError(node: path, "observable '\(name)': '\(f)' is not numbers")
                }
                return a
            }
            switch try typeAttribute(o, path: p) {
            case "TimeGriddedData":
                let data = try array("data"), dt = try number(o, "dt", path: path)
                guard data.shape.count == 3 else { throw NIRError(node: path, "observable '\(name)': data has shape \(data.shape), expected [samples, steps, neurons]") }
                guard dt.isFinite, dt > 0 else { throw NIRError(node: path, "observable '\(name)': dt \(dt) is not a positive number of seconds") }
                out[name] = .timeGridded(data: data, dt: dt)
            case let t where t == "EventData" || t == "ValuedEventData":
                let idx = try array("idx"), time = try array("time")
                let n = try number(o, "n_neurons", path: path), tMax = try number(o, "t_max", path: path)
                guard n.isFinite, n == n.rounded(), n >= 0, n <= Double(limits.maxDimension) else { throw NIRError(node: path, "observable '\(name)': n_neurons \(n) is out of range") }
                guard tMax.isFinite, tMax >= 0 else { throw NIRError(node: path, "observable '\(name)': t_max \(tMax) is out of range") }
                guard idx.shape == time.shape, idx.shape.count == 2 else { throw NIRError(node: path, "observable '\(name)': idx \(idx.shape) and time \(time.shape) must be equal [samples, events]") }
                guard idx.values.allSatisfy({ $0 == $0.rounded() && $0 >= -1 && $0 < n }) else { throw NIRError(node: path, "observable '\(name)': an index is not in -1..<\(Int(n))") }
                guard time.values.allSatisfy({ !$0.isNaN && $0 >= 0 }) else { throw NIRError(node: path, "observable '\(name)': a time is negative or NaN") }
                var values: NIRArray?
                if t == "ValuedEventData" {
                    values = try array("value")
                    guard values!.shape == idx.shape else { throw NIRError(node: path, "observable '\(name)': value \(values!.shape) differs from idx \(idx.shape)") }
                }
                out[name] = .events(idx: idx, time: time, values: values, nNeurons: Int(n), tMax: tMax)
            case let t: throw NIRError(node: path, "observable '\(name)': unknown type '\(t ?? "none")'")
            }
        }
        return out
    }

    /// The HDF5 bytes of `nodes` as a NIRGraphData file (uncompressed).
    public static func encode(_ nodes: [String: NIRDataNode]) throws -> [UInt8] {
        let w = HDF5Writer()
        try writeGraph(nodes, into: w.root)
        return try w.encode()
    }

    /// Writes a NIRGraphData file atomically.
    public static func write(_ nodes: [String: NIRDataNode], to url: URL) throws {
        try AtomicFile.write(Data(try encode(nodes)), to: url)
    }

    static func writeGraph(_ nodes: [String: NIRDataNode], into g: HDF5WriteGroup) throws {
        g.setAttribute("__type__", .string("NIRGraphData"))
        let ng = try g.group("nodes")
        for name in nodes.keys.sorted() {
            let child = try ng.group(name)
            switch nodes[name]! {
            case .graph(let sub): try writeGraph(sub, into: child)
            case .node(let obs):
                child.setAttribute("__type__", .string("NIRNodeData"))
                let og = try child.group("observables")
                for o in obs.keys.sorted() {
                    let c = try og.group(o)
                    switch obs[o]! {
                    case let .timeGridded(data, dt):
                        c.setAttribute("__type__", .string("TimeGriddedData"))
                        try NIRFile.writeValue(.array(data), "data", into: c)
                        c.setAttribute("dt", .scalar(dt))
                    case let .events(idx, time, values, n, tMax):
                        c.setAttribute("__type__", .string(values == nil ? "EventData" : "ValuedEventData"))
                        try NIRFile.writeValue(.array(idx), "idx", into: c)
                        try NIRFile.writeValue(.array(time), "time", into: c)
                        if let values { try NIRFile.writeValue(.array(values), "value", into: c) }
                        c.setAttribute("n_neurons", .scalar(Int64(n)))
                        c.setAttribute("t_max", .scalar(tMax))
                    }
                }
            }
        }
    }
}
