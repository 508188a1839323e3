import Foundation

/// Checks of nodes and graphs read from files (or built in code): required fields present, arrays of
/// consistent shapes, integral fields integral and in range, parameters finite, time constants positive,
/// edges between existing nodes. Fills NIR's defaults as `nir.read` does: `v_reset` = 0 where absent (the
/// 0.2.0 layout) and `w_in` = 1 for the current-based neurons.
public enum NIRValidate {
    /// Checks `node` (named `path`) and fills its defaults.
    public static func node(_ node: inout NIRNode, path: String, limits: NIRFile.Limits = NIRFile.Limits()) throws {
        func fail(_ m: String) -> NIRError { NIRError(node: path, m) }
        let kind = node.kind
        for f in kind.requiredFields where node.fields[f] == nil {
            throw fail("\(kind.rawValue) lacks the required field '\(f)'")
        }
        func arr(_ f: String) throws -> NIRArray {
            guard let v = node.fields[f] else { throw fail("\(kind.rawValue) lacks the required field '\(f)'") }
            guard let a = v.array else { throw fail("field '\(f)' is a string, expected numbers") }
            return a
        }
        func finite(_ f: String) throws -> NIRArray {
            let a = try arr(f)
            guard a.values.allSatisfy(\.isFinite) else { throw fail("field '\(f)' holds a value that is not finite") }
            return a
        }
        func ints(_ f: String, min: Int, rank: Int? = nil) throws -> [Int] {
            let a = try arr(f)
            if let rank, a.shape.count > rank { throw fail("field '\(f)' has shape \(a.shape), expected at most rank \(rank)") }
            for v in a.values {
                guard v.isFinite, v == v.rounded(), v >= Double(min), v <= Double(limits.maxDimension) else {
                    throw fail("field '\(f)' value \(v) is not an integer in \(min)...\(limits.maxDimension)")
                }
            }
            return a.integers
        }
        /// All fields `fs` have the shape of the first.
        func sameShape(_ fs: [String]) throws {
            let s = try arr(fs[0]).shape
            for f in fs.dropFirst() where try arr(f).shape != s {
                throw fail("field '\(f)' has shape \(try arr(f).shape), '\(fs[0])' has \(s)")
            }
        }
        func positive(_ f: String) throws {
            guard try finite(f).values.allSatisfy({ $0 > 0 }) else { throw fail("field '\(f)' must be positive (a time constant in seconds)") }
        }
        func fillDefault(_ f: String, like g: String, value: Double) throws {
            if node.fields[f] == nil {
                let a = try arr(g)
                node.fields[f] = .array(NIRArray([Double](repeating: value, count: a.count), shape: a.shape, elementType: a.elementType))
            } else if let a = node.fields[f]?.array, a.count == 1, try arr(g).count != 1 {
                // `nir` broadcasts a scalar w_in to the neurons' shape.
                let b = try arr(g)
                node.fields[f] = .array(NIRArray([Double](repeating: a.values[0], count: b.count), shape: b.shape, elementType: a.elementType))
            }
        }

        switch kind {
        case .input, .output:
            let s = try ints("shape", min: 1, rank: 1)
            guard s.count <= 8, (s.reduce(1) { $0 &* $1 }) <= limits.maxElements else { throw fail("shape \(s) is too large") }
        case .affine, .linear:
            let w = try finite("weight")
            guard w.shape.count == 2, w.shape.allSatisfy({ $0 > 0 }) else { throw fail("weight has shape \(w.shape), expected [out, in]") }
            if kind == .affine {
                let b = try finite("bias")
                guard b.shape == [w.shape[0]] else { throw fail("bias has shape \(b.shape), weight \(w.shape) needs [\(w.shape[0])]") }
            }
        case .scale: _ = try finite("scale")
        case .conv1d, .conv2d:
            let nd = kind == .conv1d ? 1 : 2
            let w = try finite("weight")
            guard w.shape.count == nd + 2, w.shape.allSatisfy({ $0 > 0 }) else {
                throw fail("weight has shape \(w.shape), expected rank \(nd + 2) [Cout, Cin/groups, k...]")
            }
            let groups = try ints("groups", min: 1, rank: 0)
            guard groups.count == 1, w.shape[0] % groups[0] == 0 else { throw fail("groups \(groups) do not divide \(w.shape[0]) output channels") }
            let b = try finite("bias")
            guard b.count == w.shape[0] || b.count == 1 else { throw fail("bias has \(b.count) values for \(w.shape[0]) output channels") }
            for f in ["stride", "dilation"] {
                let v = try ints(f, min: 1, rank: 1)
                guard v.count == 1 || v.count == nd else { throw fail("field '\(f)' has \(v.count) values, expected 1 or \(nd)") }
            }
            if case .string(let p) = node.fields["padding"]! {
                guard p == "same" || p == "valid" else { throw fail("padding '\(p.prefix(32))' is not 'same', 'valid' or numbers") }
            } else {
                let v = try ints("padding", min: 0, rank: 1)
                guard v.count == 1 || v.count == nd else { throw fail("padding has \(v.count) values, expected 1 or \(nd)") }
            }
            if node.fields["input_shape"] != nil {
                let v = try ints("input_shape", min: 1, rank: 1)
                guard v.count == nd else { throw fail("input_shape has \(v.count) values, expected \(nd)") }
            }
        case .sumPool2d, .avgPool2d:
            for (f, m) in [("kernel_size", 1), ("stride", 1), ("padding", 0)] {
                let v = try ints(f, min: m, rank: 1)
                guard v.count == 1 || v.count == 2 else { throw fail("field '\(f)' has \(v.count) values, expected 1 or 2") }
            }
        case .flatten:
            for f in ["start_dim", "end_dim"] {
                let a = try arr(f)
                guard a.count == 1, a.values[0] == a.values[0].rounded(), abs(a.values[0]) <= 8 else { throw fail("field '\(f)' is not an axis") }
            }
            if node.fields["input_type"] != nil { _ = try ints("input_type", min: 1, rank: 1) }
        case .delay:
            guard try finite("delay").values.allSatisfy({ $0 >= 0 && $0 <= 1e6 }) else { throw fail("delay must be in 0...1e6 s") }
        case .threshold: _ = try finite("threshold")
        case .i: _ = try finite("r")
        case .li:
            try sameShape(["tau", "r", "v_leak"]); try positive("tau"); _ = try finite("r"); _ = try finite("v_leak")
        case .if:
            try fillDefault("v_reset", like: "v_threshold", value: 0)
            try sameShape(["r", "v_threshold", "v_reset"]); for f in ["r", "v_threshold", "v_reset"] { _ = try finite(f) }
        case .lif:
            try fillDefault("v_reset", like: "v_threshold", value: 0)
            try sameShape(["tau", "r", "v_leak", "v_threshold", "v_reset"]); try positive("tau")
            for f in ["r", "v_leak", "v_threshold", "v_reset"] { _ = try finite(f) }
        case .cubaLI:
            try fillDefault("w_in", like: "v_leak", value: 1)
            try sameShape(["tau_syn", "tau_mem", "r", "v_leak", "w_in"]); try positive("tau_syn"); try positive("tau_mem")
            for f in ["r", "v_leak", "w_in"] { _ = try finite(f) }
        case .cubaLIF:
            try fillDefault("v_reset", like: "v_threshold", value: 0)
            try fillDefault("w_in", like: "v_threshold", value: 1)
            try sameShape(["tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in"])
            try positive("tau_syn"); try positive("tau_mem")
            for f in ["r", "v_leak", "v_threshold", "v_reset", "w_in"] { _ = try finite(f) }
        case .graph:
            break
        }
        for (name, a) in node.fields.compactMapValues(\.array) where a.count > limits.maxElements {
            throw fail("field '\(name)' is too large")
        }
    }

    /// Checks that every edge joins existing nodes (a dotted name `sub.inner` reaches into a nested graph)
    /// and that the graph has at least one `Input` and one `Output`.
    public static func graph(_ g: inout NIRGraph, path: String) throws {
        let shown = path.isEmpty ? "<top graph>" : path
        for (s, d) in g.edges {
            for (end, name) in [("source", s), ("destination", d)] where resolve(name, in: g) == nil {
                throw NIRError(node: shown, "edge \(s.prefix(64)) -> \(d.prefix(64)): \(end) '\(name.prefix(64))' is not a node")
            }
        }
        guard g.nodes.values.contains(where: { $0.kind == .input }) else { throw NIRError(node: shown, "graph has no Input node") }
        guard g.nodes.values.contains(where: { $0.kind == .output }) else { throw NIRError(node: shown, "graph has no Output node") }
    }

    /// The node that `name` (possibly dotted) names in `g`, or nil.
    public static func resolve(_ name: String, in g: NIRGraph) -> NIRNode? {
        if let n = g.nodes[name] { return n }
        // Try every split point: node names may themselves contain dots.
        var idx = name.startIndex
        while let dot = name[idx...].firstIndex(of: ".") {
            let head = String(name[..<dot]), tail = String(name[name.index(after: dot)...])
            if let sub = g.nodes[head]?.subgraph, let n = resolve(tail, in: sub) { return n }
            idx = name.index(after: dot)
        }
        return nil
    }
}
