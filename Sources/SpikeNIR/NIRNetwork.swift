import Foundation
import SpikeCore
import SpikeNeurons
import SpikeNN

/// How the continuous-time equations of NIR's neurons are discretised at the step `dt`.
public enum NIRIntegration: String, Sendable, Equatable, CaseIterable {
    /// Forward Euler, NIR's reference: `x(t + dt) = x(t) + dt · f(x(t), input(t))`, every derivative taken at
    /// the state before the step (CubaLIF's membrane uses the synaptic current before the step).
    case euler
    /// The exact solution of the linear equations over one step with the input held constant during it
    /// (`exp(-dt/τ)` decays; CubaLI/CubaLIF's two-time-constant solution, which needs `τ_syn ≠ τ_mem`).
    case exact
}

/// Options for executing a NIR graph.
public struct NIRRunOptions: Sendable {
    /// The time step in seconds.
    public var dt: Double
    /// Euler (the default) or exact integration.
    public var integration: NIRIntegration
    /// The surrogate whose derivative replaces the Heaviside step's in the backward pass (the forward is the
    /// strict step `x > 0` whatever the surrogate).
    public var surrogate: Surrogate
    /// Whether the neurons' fields (time constants in seconds, `r`, thresholds...) are trained along with the
    /// weights and biases. Off by default: time constants of milliseconds next to an optimizer's step size in
    /// parameter units turn negative in a few steps; turn on with a learning rate to match.
    public var learnNeuronParameters: Bool
    /// A time step of `dt` in seconds with Euler integration and the atan surrogate.
    public init(dt: Double, integration: NIRIntegration = .euler, surrogate: Surrogate = .atan, learnNeuronParameters: Bool = false) {
        self.dt = dt; self.integration = integration; self.surrogate = surrogate; self.learnNeuronParameters = learnNeuronParameters
    }
}

extension Variable {
    /// NIR's strict Heaviside step `[x > 0]` with `surrogate`'s derivative as its gradient.
    public func nirHeaviside(_ surrogate: Surrogate) -> Variable {
        let x = value
        let y = x.map { $0 > 0 ? Float(1) : 0 }
        return Variable.record(y, parents: [self]) { g in [g * x.map { surrogate.derivative($0) }] }
    }
}

/// A NIR graph as an executable, trainable SpikeKit module.
///
/// Nested graphs are flattened: every node gets its dotted path (`rnn.lif`); a nested graph's `Input` and
/// `Output` nodes pass their summed input through. Nodes run once per time step in a fixed order: the
/// reverse post-order of a depth-first walk from the graph's inputs along the edges in file order. An edge
/// whose destination comes at or before its source in that order closes a cycle (a recurrent edge) and
/// carries the source's output of the previous step; at `t = 0` it carries zeros, so a recurrent `Affine`'s
/// bias first enters at `t = 1`. Every other edge carries the output of the same step. A node's input is the
/// sum of its incoming edges.
///
/// Affine and Linear run as `SpikeNN.Linear`, Conv1d/Conv2d as `SpikeNN.Conv1d`/`Conv2d`, AvgPool2d and
/// SumPool2d as `SpikeNN.AvgPool2d` (SumPool2d = the average with the padding counted, times the window
/// area); the neurons' equations are evaluated per step with differentiable `Variable` operations (see
/// `NIRIntegration`), thresholds strict (`v > v_threshold`, as NIR's equations; SpikingJelly fires on `>=`),
/// reset to `v_reset`. Initial states are zero (the membrane starts at 0, not at `v_leak`, as `nir` and
/// snnTorch start it). Weights and biases are learnable `Variable`s (the layers' `weight`/`bias` under the
/// node path); neuron fields are too, named `<node path>.<NIR field>`, with `learnNeuronParameters`.
public final class NIRNetwork: Module {
    /// The graph executed.
    public let graph: NIRGraph
    /// The options it was built with.
    public let options: NIRRunOptions
    /// Node paths in execution order.
    public let order: [String]
    /// Unbatched output shape of every node.
    public let shapes: [String: [Int]]
    /// Incoming edges of every node: (source, whether it carries the previous step).
    public let incoming: [String: [(source: String, delayed: Bool)]]
    /// Paths of the top graph's Input and Output nodes (sorted).
    public let inputNames: [String], outputNames: [String]

    final class Unit {
        let path: String
        let node: NIRNode
        var module: (any Module)?
        var params: [String: Variable] = [:]
        var scaleOut: Float = 1
        var delaySteps: [Int] = []
        init(path: String, node: NIRNode) { self.path = path; self.node = node }
    }
    let units: [String: Unit]
    /// Names from the top graph down to each flattened node (node names may contain dots).
    let locations: [String: [String]]

    /// Builds the executable network of `graph` at `options.dt`; throws a one-line `NIRError` naming the node
    /// for shapes that do not fit, nodes it cannot run, or a `dt` that is not positive.
    public init(_ graph: NIRGraph, options: NIRRunOptions) throws {
        guard options.dt.isFinite, options.dt > 0 else { throw NIRError("dt must be a positive number of seconds, got \(options.dt)") }
        self.graph = graph; self.options = options
        // Flatten nested graphs.
        var nodes: [String: NIRNode] = [:]
        var edges: [(String, String)] = []
        var locations: [String: [String]] = [:]
        try NIRNetwork.flatten(graph, prefix: "", location: [], depth: 0, nodes: &nodes, edges: &edges, locations: &locations)
        self.locations = locations
        inputNames = graph.nodes.filter { $0.value.kind == .input }.map(\.key).sorted()
        outputNames = graph.nodes.filter { $0.value.kind == .output }.map(\.key).sorted()
        // Order: DFS from the inputs (then any node not reached) along edges in file order.
        var adjacency: [String: [String]] = [:]
        for (s, d) in edges { adjacency[s, default: []].append(d) }
        var visited = Set<String>(), post: [String] = []
        func dfs(_ root: String) {
            var stack: [(String, Int)] = [(root, 0)]
            visited.insert(root)
            while let (n, i) = stack.last {
                let next = adjacency[n] ?? []
                if i < next.count {
                    stack[stack.count - 1].1 += 1
                    if !visited.contains(next[i]) { visited.insert(next[i]); stack.append((next[i], 0)) }
                } else { post.append(n); stack.removeLast() }
            }
        }
        for i in inputNames { dfs(i) }
        for n in nodes.keys.sorted() where !visited.contains(n) { dfs(n) }
        let order = Array(post.reversed())
        self.order = order
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        var incoming: [String: [(source: String, delayed: Bool)]] = [:]
        for (s, d) in edges { incoming[d, default: []].append((s, position[d]! <= position[s]!)) }
        self.incoming = incoming
        for n in nodes.keys where incoming[n] == nil && nodes[n]!.kind != .input {
            throw NIRError(node: n, "has no incoming edge")
        }
        // Shapes in order (recurrent sources are fixed by their own parameters).
        var shapes: [String: [Int]] = [:]
        var units: [String: Unit] = [:]
        var rng = SeededRandom(seed: 0)
        for pass in 0..<2 {
            for n in order {
                let node = nodes[n]!
                let ins = (incoming[n] ?? []).compactMap { shapes[$0.source] }
                if pass == 1 {
                    for e in incoming[n] ?? [] {
                        guard let s = shapes[e.source] else { throw NIRError(node: n, "the shape of its input '\(e.source)' is unknown") }
                        if let first = ins.first, s != first {
                            throw NIRError(node: n, "inputs of different shapes: \(first) and '\(e.source)' \(s)")
                        }
                    }
                }
                let inShape: [Int]? = node.kind == .input ? node.array("shape")!.integers : ins.first
                let unit = units[n] ?? Unit(path: n, node: node)
                if let out = try NIRNetwork.outputShape(unit, inShape, options: options, rng: &rng, strict: pass == 1) {
                    if let old = shapes[n], old != out { throw NIRError(node: n, "output shape \(out) differs from \(old)") }
                    shapes[n] = out
                }
                units[n] = unit
            }
        }
        self.shapes = shapes
        self.units = units
    }

    static func flatten(_ g: NIRGraph, prefix: String, location: [String], depth: Int, nodes: inout [String: NIRNode],
                        edges: inout [(String, String)], locations: inout [String: [String]]) throws {
        guard depth <= 16 else { throw NIRError(node: prefix, "graphs nested deeper than 16 levels") }
        func full(_ n: String) -> String { prefix.isEmpty ? n : "\(prefix).\(n)" }
        /// The flat path an edge end names: a nested graph's name means its single Input (destination) or
        /// Output (source).
        func endpoint(_ name: String, asSource: Bool) throws -> String {
            guard let node = NIRValidate.resolve(name, in: g) else { throw NIRError(node: full(name), "is not a node") }
            if node.kind == .graph, let sub = node.subgraph {
                let want: NIRNodeKind = asSource ? .output : .input
                let ports = sub.nodes.filter { $0.value.kind == want }.map(\.key).sorted()
                guard ports.count == 1 else {
                    throw NIRError(node: full(name), "an edge names the subgraph but it has \(ports.count) \(want.rawValue) nodes")
                }
                return try endpoint("\(name).\(ports[0])", asSource: asSource)
            }
            return full(name)
        }
        for (name, node) in g.nodes {
            if node.kind == .graph, let sub = node.subgraph {
                try flatten(sub, prefix: full(name), location: location + [name], depth: depth + 1, nodes: &nodes, edges: &edges,
                            locations: &locations)
            } else {
                var checked = node
                try NIRValidate.node(&checked, path: full(name))
                nodes[full(name)] = checked
                locations[full(name)] = location + [name]
            }
        }
        for (s, d) in g.edges { edges.append((try endpoint(s, asSource: true), try endpoint(d, asSource: false))) }
    }

    static func pair(_ a: [Int]) -> (Int, Int) { a.count == 1 ? (a[0], a[0]) : (a[0], a[1]) }

    /// The output shape of `unit` for input shape `inShape`, creating its layer and parameters; nil when the
    /// input shape is not known yet (first pass, recurrent input).
    static func outputShape(_ unit: Unit, _ inShape: [Int]?, options: NIRRunOptions, rng: inout SeededRandom, strict: Bool) throws -> [Int]? {
        let node = unit.node, n = unit.path
        func fail(_ m: String) -> NIRError { NIRError(node: n, m) }
        func param(_ f: String) -> Variable {
            if let v = unit.params[f] { return v }
            let a = node.array(f)!
            let v = Variable(Tensor(shape: a.shape, scalars: a.floats), requiresGrad: options.learnNeuronParameters)
            unit.params[f] = v
            return v
        }
        /// The node's parameter shape `s` against its input: equal, or a single value broadcast to the input.
        func expect(_ s: [Int]) throws -> [Int]? {
            guard let inShape else { return s.reduce(1, *) == 1 ? nil : s }
            if inShape == s { return s }
            if s.reduce(1, *) == 1 { return inShape }
            throw fail("input shape \(inShape) does not match the node's shape \(s)")
        }
        switch node.kind {
        case .input:
            return node.array("shape")!.integers
        case .output:
            let s = node.array("shape")!.integers
            if let inShape, inShape != s, inShape.reduce(1, *) != s.reduce(1, *) {
                throw fail("input shape \(inShape) does not match the Output shape \(s)")
            }
            return inShape ?? s
        case .affine, .linear:
            let w = node.array("weight")!
            if let inShape, inShape != [w.shape[1]] { throw fail("input shape \(inShape) does not match weight \(w.shape) (expected [\(w.shape[1])])") }
            if unit.module == nil {
                let l = SpikeNN.Linear(w.shape[1], w.shape[0], bias: node.kind == .affine, rng: &rng)
                l.weight.value = Tensor(shape: w.shape, scalars: w.floats)
                if let b = l.bias { b.value = Tensor(shape: [w.shape[0]], scalars: node.array("bias")!.floats) }
                unit.module = l
            }
            return [w.shape[0]]
        case .scale:
            _ = param("scale")
            return try expect(node.array("scale")!.shape)
        case .threshold:
            _ = param("threshold")
            return try expect(node.array("threshold")!.shape)
        case .delay:
            let d = node.array("delay")!
            guard d.values.allSatisfy({ ($0 / options.dt).rounded() <= Double(1 << 20) }) else {
                throw fail("delay of more than 2^20 steps at dt = \(options.dt)")
            }
            unit.delaySteps = d.values.map { Int(($0 / options.dt).rounded()) }
            return try expect(d.shape)
        case .flatten:
            guard let inShape else { return nil }
            if let declared = node.array("input_type")?.integers, declared != inShape {
                throw fail("input shape \(inShape) differs from the declared input_type \(declared)")
            }
            let r = inShape.count
            var s = Int(node.array("start_dim")!.values[0]), e = Int(node.array("end_dim")!.values[0])
            if s < 0 { s += r }; if e < 0 { e += r }
            guard s >= 0, e < r, s <= e else { throw fail("start_dim/end_dim do not fit input shape \(inShape)") }
            return Array(inShape[..<s]) + [inShape[s...e].reduce(1, *)] + Array(inShape[(e + 1)...])
        case .conv1d, .conv2d:
            let nd = node.kind == .conv1d ? 1 : 2
            let w = node.array("weight")!
            let declared = node.array("input_shape")?.integers
            guard let spatial = inShape.map({ Array($0.dropFirst()) }) ?? declared else { return nil }
            if let inShape {
                guard inShape.count == nd + 1 else { throw fail("input shape \(inShape) is not [C, \(nd == 1 ? "L" : "H, W")]") }
                let groups = Int(node.array("groups")!.values[0])
                guard inShape[0] == w.shape[1] * groups else { throw fail("input has \(inShape[0]) channels, weight \(w.shape) with groups \(groups) needs \(w.shape[1] * groups)") }
                if let declared, declared != spatial { throw fail("input shape \(inShape) differs from input_shape \(declared)") }
            }
            let stride = node.array("stride")!.integers, dil = node.array("dilation")!.integers
            let groups = Int(node.array("groups")!.values[0])
            var padding: ConvPadding
            var pads: [Int]
            switch node.fields["padding"]! {
            case .string(let p): padding = p == "same" ? .same : .valid; pads = [0, 0]
                if p == "same" { guard stride.allSatisfy({ $0 == 1 }) else { throw fail("padding 'same' needs stride 1") } }
            case .array(let a): let p = pair(a.integers); pads = [p.0, p.1]; padding = .explicit(p.0, p.1)
            }
            let b = node.array("bias")!
            if unit.module == nil {
                if nd == 2 {
                    let c = SpikeNN.Conv2d(w.shape[1] * groups, w.shape[0], kernelSize: (w.shape[2], w.shape[3]), stride: pair(stride),
                                           padding: padding, dilation: pair(dil), groups: groups, bias: true, rng: &rng)
                    c.weight.value = Tensor(shape: w.shape, scalars: w.floats)
                    c.bias!.value = Tensor(shape: [w.shape[0]], scalars: b.count == 1 ? [Float](repeating: Float(b.values[0]), count: w.shape[0]) : b.floats)
                    unit.module = c
                } else {
                    if case .explicit(let p, _) = padding { padding = .explicit(p, p) }
                    let c = SpikeNN.Conv1d(w.shape[1] * groups, w.shape[0], kernelSize: w.shape[2], stride: stride[0], padding: padding,
                                           dilation: dil[0], groups: groups, bias: true, rng: &rng)
                    c.weight.value = Tensor(shape: w.shape, scalars: w.floats)
                    c.bias!.value = Tensor(shape: [w.shape[0]], scalars: b.count == 1 ? [Float](repeating: Float(b.values[0]), count: w.shape[0]) : b.floats)
                    unit.module = c
                }
            }
            var out = [w.shape[0]]
            for i in 0..<nd {
                let k = w.shape[2 + i], st = stride.count == 1 ? stride[0] : stride[i], dl = dil.count == 1 ? dil[0] : dil[i]
                if case .same = padding { out.append(spatial[i]); continue }
                let p = pads.count == 1 ? pads[0] : pads[i]
                let o = (spatial[i] + 2 * p - dl * (k - 1) - 1) / st + 1
                guard spatial[i] + 2 * p - dl * (k - 1) - 1 >= 0, o > 0 else { throw fail("input \(spatial) is smaller than the kernel \(w.shape)") }
                out.append(o)
            }
            return out
        case .sumPool2d, .avgPool2d:
            guard let inShape else { return nil }
            guard inShape.count == 3 else { throw fail("input shape \(inShape) is not [C, H, W]") }
            let k = pair(node.array("kernel_size")!.integers), s = pair(node.array("stride")!.integers)
            let p = pair(node.array("padding")!.integers)
            guard p.0 * 2 <= k.0, p.1 * 2 <= k.1 else { throw fail("padding \(p) is more than half the kernel \(k)") }
            let oh = (inShape[1] + 2 * p.0 - k.0) / s.0 + 1, ow = (inShape[2] + 2 * p.1 - k.1) / s.1 + 1
            guard inShape[1] + 2 * p.0 >= k.0, inShape[2] + 2 * p.1 >= k.1 else { throw fail("input \(inShape) is smaller than the kernel \(k)") }
            if unit.module == nil {
                unit.module = SpikeNN.AvgPool2d(kernelSize: k, stride: s, padding: p, ceilMode: false, countIncludePad: true)
                unit.scaleOut = node.kind == .sumPool2d ? Float(k.0 * k.1) : 1
            }
            return [inShape[0], oh, ow]
        case .i:
            _ = param("r"); return try expect(node.array("r")!.shape)
        case .li, .lif, .if, .cubaLI, .cubaLIF:
            for f in node.kind.requiredFields + node.kind.optionalFields where node.fields[f] != nil { _ = param(f) }
            if options.integration == .exact, node.kind == .cubaLI || node.kind == .cubaLIF {
                let ts = node.array("tau_syn")!.values, tm = node.array("tau_mem")!.values
                guard zip(ts, tm).allSatisfy({ abs($0 - $1) > 1e-9 * max($0, $1) }) else {
                    throw fail("exact integration needs tau_syn != tau_mem")
                }
            }
            return try expect(node.array(node.kind == .if ? "r" : "v_leak")!.shape)
        case .graph:
            throw fail("nested graph left after flattening")
        }
    }

    /// The graph with the current values of every learnable parameter written back into its fields (after
    /// training), in the element types of the file.
    public func trainedGraph() -> NIRGraph {
        func update(_ g: inout NIRGraph, _ loc: ArraySlice<String>, _ fields: [String: Tensor]) {
            guard let head = loc.first else { return }
            if loc.count == 1 {
                for (f, t) in fields {
                    let type = g.nodes[head]!.array(f)?.elementType ?? .float32
                    let old = g.nodes[head]!.array(f)?.shape ?? t.shape
                    let shape = old.reduce(1, *) == t.count ? old : t.shape
                    g.nodes[head]!.fields[f] = .array(NIRArray(t.scalars.map(Double.init), shape: shape, elementType: type))
                }
            } else {
                var sub = g.nodes[head]!.subgraph!
                update(&sub, loc.dropFirst(), fields)
                g.nodes[head]!.subgraph = sub
            }
        }
        var g = graph
        for n in order {
            let unit = units[n]!
            var fields = unit.params.mapValues(\.value)
            if let m = unit.module {
                for (name, v) in m.namedParameters where unit.node.fields[name] != nil {
                    // A conv bias stored as one value in the file stays one value when all are equal.
                    if let a = unit.node.array(name), a.count == 1, v.value.count > 1 {
                        guard v.value.scalars.allSatisfy({ $0 == v.value.scalars[0] }) else {
                            fields[name] = v.value; continue
                        }
                        fields[name] = Tensor(shape: a.shape, scalars: [v.value.scalars[0]])
                    } else { fields[name] = v.value }
                }
            }
            update(&g, locations[n]![...], fields)
        }
        return g
    }

    /// Parameters of the neurons, scale and threshold nodes, named `<node>.<field>` (only with
    /// `learnNeuronParameters`).
    public var ownParameters: [(String, Variable)] {
        guard options.learnNeuronParameters else { return [] }
        return order.flatMap { n in units[n]!.params.sorted { $0.key < $1.key }.map { ("\(n).\($0.key)", $0.value) } }
    }
    /// The layers of Affine, Linear, conv and pooling nodes, by node path.
    public var children: [(String, any Module)] {
        order.compactMap { n in units[n]!.module.map { (n, $0) } }
    }

    /// Runs the graph on `x` (`[T, B, ...input shape]`) and returns the first Output's trace `[T, B, ...]`
    /// (the `Module` entry point: a wrong input shape traps; `run(inputs:)` throws instead).
    public func callAsFunction(_ x: Variable) -> Variable {
        do { return try run(inputs: [inputNames.first ?? "input": x]).outputs[outputNames[0]]! }
        catch { preconditionFailure("\(error)") }
    }

    /// The traces of one run: every Output's `[T, B, ...]` and every node's output.
    public struct Result {
        /// The top graph's Output traces by name.
        public var outputs: [String: Variable]
        /// Every node's output trace by its dotted path.
        public var nodes: [String: Variable]
        /// State traces of the neurons by `<node path>.v` (membrane after reset) and `<node path>.i`
        /// (CubaLI/CubaLIF's synaptic current), `[T, B, ...]`; recorded with the node traces.
        public var states: [String: Variable] = [:]
    }

    /// Runs the graph on one `[T, B, ...]` tensor per top-level Input; `recordNodes` keeps every node's trace.
    public func run(inputs: [String: Variable], recordNodes: Bool = false) throws -> Result {
        guard Set(inputs.keys) == Set(inputNames) else {
            throw NIRError("inputs \(inputs.keys.sorted()) do not match the graph's Input nodes \(inputNames)")
        }
        var T = -1, B = -1
        for (name, x) in inputs {
            let want = shapes[name]!
            guard x.shape.count == want.count + 2, Array(x.shape.dropFirst(2)) == want else {
                throw NIRError(node: name, "input has shape \(x.shape), expected [T, B] + \(want)")
            }
            if T >= 0, x.shape[0] != T || x.shape[1] != B { throw NIRError(node: name, "inputs differ in T or B") }
            T = x.shape[0]; B = x.shape[1]
        }
        let dt = Float(options.dt)
        var prev: [String: Variable] = [:], states: [String: [Variable]] = [:], history: [String: [Variable]] = [:]
        var traces: [String: [Variable]] = [:], stateTraces: [String: [Variable]] = [:]
        for t in 0..<T {
            var now: [String: Variable] = [:]
            for n in order {
                let unit = units[n]!, node = unit.node
                let shape = [B] + shapes[n]!
                var input: Variable?
                if node.kind == .input, let x = inputs[n] {
                    input = x.slice(t..<(t + 1)).reshaped(shape)
                }
                for e in incoming[n] ?? [] {
                    let src: Variable
                    if e.delayed {
                        guard let p = prev[e.source] else { continue }
                        src = p
                    } else { src = now[e.source]! }
                    input = input.map { $0 + src } ?? src
                }
                let inShape = [B] + ((incoming[n]?.first.flatMap { shapes[$0.source] }) ?? shapes[n]!)
                let x = input ?? Variable(Tensor.zeros(inShape))
                let y = try step(unit, x, B: B, dt: dt, state: &states[n], history: &history[n])
                now[n] = y
                if recordNodes || outputNames.contains(n) { traces[n, default: []].append(y) }
                if recordNodes, let st = states[n] {
                    let names = st.count == 2 ? ["i", "v"] : ["v"]
                    for (k, v) in zip(names, st) { stateTraces["\(n).\(k)", default: []].append(v) }
                }
            }
            prev = now
        }
        var result = Result(outputs: [:], nodes: [:])
        for (n, list) in traces {
            let v = T == 0 ? Variable(Tensor.zeros([0, B] + shapes[n]!)) : Variable.stack(list)
            if outputNames.contains(n) { result.outputs[n] = v }
            if recordNodes { result.nodes[n] = v }
        }
        for (k, list) in stateTraces { result.states[k] = Variable.stack(list) }
        for n in outputNames where result.outputs[n] == nil { result.outputs[n] = Variable(Tensor.zeros([max(T, 0), max(B, 0)] + shapes[n]!)) }
        return result
    }

    func step(_ unit: Unit, _ x: Variable, B: Int, dt: Float, state: inout [Variable]?, history: inout [Variable]?) throws -> Variable {
        let node = unit.node
        let p = unit.params
        let exact = options.integration == .exact
        let sg = options.surrogate
        func zeros() -> Variable { Variable(Tensor.zeros([B] + shapes[unit.path]!)) }
        func c(_ f: Float) -> Variable { Variable(Tensor(f)) }
        func fire(_ v: Variable) -> (Variable, Variable) {
            let z = (v - p["v_threshold"]!).nirHeaviside(sg)
            return (z, v - v * z + p["v_reset"]! * z)
        }
        /// LI membrane update over one step for input current `i`.
        func leaky(_ v: Variable, tau: Variable, i: Variable) -> Variable {
            let target = p["v_leak"]! + p["r"]! * i
            if exact { let a = (-(c(dt) / tau)).exp(); return target + (v - target) * a }
            return v + (target - v) * (c(dt) / tau)
        }
        switch node.kind {
        case .input, .output: return x
        case .affine, .linear, .conv1d, .conv2d: return unit.module!(x)
        case .sumPool2d, .avgPool2d:
            let y = unit.module!(x)
            return unit.scaleOut == 1 ? y : y * unit.scaleOut
        case .flatten: return x.reshaped([B] + shapes[unit.path]!)
        case .scale: return x * p["scale"]!
        case .threshold: return (x - p["threshold"]!).nirHeaviside(sg)
        case .delay:
            var h = history ?? []
            h.append(x)
            let maxD = unit.delaySteps.max() ?? 0
            if h.count > maxD + 1 { h.removeFirst(h.count - maxD - 1) }
            history = h
            let per = shapes[unit.path]!.reduce(1, *)
            var out: Variable?
            for d in Set(unit.delaySteps).sorted() where d < h.count {
                let mask = Tensor(shape: shapes[unit.path]!, scalars: (0..<per).map { unit.delaySteps[$0 % unit.delaySteps.count] == d ? 1 : 0 })
                let term = h[h.count - 1 - d] * Variable(mask)
                out = out.map { $0 + term } ?? term
            }
            return out ?? zeros()
        case .i:
            let v = (state?[0] ?? zeros()) + p["r"]! * x * dt
            state = [v]
            return v
        case .li:
            let v = leaky(state?[0] ?? zeros(), tau: p["tau"]!, i: x)
            state = [v]
            return v
        case .lif:
            let (z, v) = fire(leaky(state?[0] ?? zeros(), tau: p["tau"]!, i: x))
            state = [v]
            return z
        case .if:
            let (z, v) = fire((state?[0] ?? zeros()) + p["r"]! * x * dt)
            state = [v]
            return z
        case .cubaLI, .cubaLIF:
            let i0 = state?[0] ?? zeros(), v0 = state?[1] ?? zeros()
            let ts = p["tau_syn"]!, tm = p["tau_mem"]!
            let iInf = p["w_in"]! * x
            let i1: Variable, v1: Variable
            if exact {
                let aS = (-(c(dt) / ts)).exp(), aM = (-(c(dt) / tm)).exp()
                i1 = iInf + (i0 - iInf) * aS
                let target = p["v_leak"]! + p["r"]! * iInf
                // τm dv/dt = (v_leak - v) + r (I∞ + (I0 - I∞) e^{-t/τs}), solved over dt.
                v1 = target + (v0 - target) * aM + p["r"]! * (i0 - iInf) * (ts / (ts - tm)) * (aS - aM)
            } else {
                i1 = i0 + (iInf - i0) * (c(dt) / ts)
                v1 = v0 + (p["v_leak"]! + p["r"]! * i0 - v0) * (c(dt) / tm)
            }
            if node.kind == .cubaLI { state = [i1, v1]; return v1 }
            let (z, v) = fire(v1)
            state = [i1, v]
            return z
        case .graph: throw NIRError(node: unit.path, "nested graph left after flattening")
        }
    }
}
