import Foundation

/// An error in a NIR file or graph: one line that names the node (its path, nested names joined with `.`)
/// and the problem.
public struct NIRError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The whole one-line message.
    public let message: String
    /// An error with this message.
    public init(_ message: String) { self.message = message }
    /// An error about the node at `node` (a dotted path; empty for the file itself).
    public init(node: String, _ problem: String) {
        self.message = node.isEmpty ? problem : "node '\(node)': \(problem)"
    }
    /// The message.
    public var description: String { message }
}

/// The element type an array had in the file (kept so that a round trip writes what it read).
public enum NIRElementType: String, Sendable, Equatable {
    /// 32-bit IEEE float (what PyTorch exporters write).
    case float32
    /// 64-bit IEEE float (numpy's default).
    case float64
    /// 64-bit signed integer (shapes, strides, padding, groups).
    case int64
}

/// An n-dimensional array of numbers from a NIR node: row-major values held as `Double` (exact for the
/// float32, float64 and int64 values NIR files hold, within 2^53), its shape (empty for a scalar) and the
/// element type of the file.
public struct NIRArray: Equatable, Sendable, CustomStringConvertible {
    /// The shape (`[]` for a scalar).
    public var shape: [Int]
    /// Row-major values; `values.count` is the product of `shape`.
    public var values: [Double]
    /// The element type written back.
    public var elementType: NIRElementType

    /// An array of `values` in `shape` (a one-dimensional array of all the values by default), rounded to
    /// what `elementType` holds (so that an array equals itself after writing and reading).
    public init(_ values: [Double], shape: [Int]? = nil, elementType: NIRElementType = .float32) {
        let s = shape ?? [values.count]
        precondition(s.allSatisfy { $0 >= 0 } && s.reduce(1, *) == values.count,
                     "NIRArray: shape \(s) does not hold \(values.count) values")
        self.shape = s; self.elementType = elementType
        switch elementType {
        case .float32: self.values = values.map { Double(Float($0)) }
        case .int64: self.values = values.map { $0.rounded() }
        case .float64: self.values = values
        }
    }
    /// Float values in `shape`.
    public init(_ values: [Float], shape: [Int]? = nil) {
        self.init(values.map(Double.init), shape: shape, elementType: .float32)
    }
    /// Integers (shapes, strides) as an int64 array.
    public init(integers: [Int], shape: [Int]? = nil) {
        self.init(integers.map(Double.init), shape: shape, elementType: .int64)
    }
    /// A scalar.
    public static func scalar(_ v: Double, _ type: NIRElementType = .float64) -> NIRArray { NIRArray([v], shape: [], elementType: type) }
    /// The element count.
    public var count: Int { values.count }
    /// The values as `Float`.
    public var floats: [Float] { values.map { Float($0) } }
    /// The values as integers (they are integral: the reader checks fields that must be).
    public var integers: [Int] { values.map { Int($0) } }
    /// `shape` and the first values.
    public var description: String {
        "\(shape)\(values.prefix(6).map { "\($0)" })\(count > 6 ? "..." : "")"
    }
}

/// A field of a NIR node or a metadata entry: numbers or a string.
public enum NIRValue: Equatable, Sendable, CustomStringConvertible {
    /// Numbers.
    case array(NIRArray)
    /// A UTF-8 string (Conv's `padding` may be `"same"` or `"valid"`; metadata may hold strings).
    case string(String)

    /// The array, or nil for a string.
    public var array: NIRArray? { if case .array(let a) = self { return a }; return nil }
    /// The value as text.
    public var description: String {
        switch self {
        case .array(let a): return a.description
        case .string(let s): return "\"\(s)\""
        }
    }
}

/// The NIR primitives (`type` of a node in the file) and the graph itself.
///
/// Equations (from the `nir` 1.0.x package's docstrings; `I` is the node's summed input, `S` its input in
/// the spiking neurons with current synapses, `z` the spike output):
/// - `Input`, `Output`: the graph's ports; `shape` without the batch axis.
/// - `Affine`: `y = W x + b`; `Linear`: `y = W x`; `Scale`: `y = s ⊙ x`.
/// - `Conv1d`, `Conv2d`: PyTorch's convolution (weight `[Cout, Cin/groups, k...]`, bias `[Cout]`).
/// - `SumPool2d`, `AvgPool2d`: sum / mean over `kernel_size` windows with `stride` and zero `padding`.
/// - `Flatten`: merges axes `start_dim...end_dim` of the unbatched shape.
/// - `Delay`: `y(t) = x(t - τ)` (τ in seconds); `Threshold`: `z = [x > θ]`.
/// - `I`: `dv/dt = R I`; `LI`: `τ dv/dt = (v_leak - v) + R I`;
///   `IF`: `dv/dt = R I`, `z = [v > v_threshold]`, then `v = v_reset` where `z = 1`;
///   `LIF`: `τ dv/dt = (v_leak - v) + R I`, the same threshold and reset;
///   `CubaLI`: `τ_syn dI/dt = -I + w_in S`, `τ_mem dv/dt = (v_leak - v) + R I`;
///   `CubaLIF`: CubaLI with the threshold and reset.
/// Time constants are in seconds; the neurons' output is `z` (spiking) or `v` (I, LI, CubaLI).
public enum NIRNodeKind: String, CaseIterable, Sendable, Equatable {
    /// The ports and the linear maps (equations above); the raw value is the file's `type`.
    case input = "Input", output = "Output", affine = "Affine", linear = "Linear", scale = "Scale"
    /// Convolutions and pooling (PyTorch's conventions).
    case conv1d = "Conv1d", conv2d = "Conv2d", sumPool2d = "SumPool2d", avgPool2d = "AvgPool2d"
    /// Reshaping, delay and the Heaviside step.
    case flatten = "Flatten", delay = "Delay", threshold = "Threshold"
    /// The neurons.
    case i = "I", li = "LI", `if` = "IF", lif = "LIF", cubaLI = "CubaLI", cubaLIF = "CubaLIF"
    /// A nested graph.
    case graph = "NIRGraph"

    /// Fields a node of this kind must have in a file (the 1.0.x names). `Input`/`Output` need `shape`.
    public var requiredFields: [String] {
        switch self {
        case .input, .output: return ["shape"]
        case .affine: return ["weight", "bias"]
        case .linear: return ["weight"]
        case .scale: return ["scale"]
        case .conv1d, .conv2d: return ["weight", "stride", "padding", "dilation", "groups", "bias"]
        case .sumPool2d, .avgPool2d: return ["kernel_size", "stride", "padding"]
        case .flatten: return ["start_dim", "end_dim"]
        case .delay: return ["delay"]
        case .threshold: return ["threshold"]
        case .i: return ["r"]
        case .li: return ["tau", "r", "v_leak"]
        case .if: return ["r", "v_threshold"]
        case .lif: return ["tau", "r", "v_leak", "v_threshold"]
        case .cubaLI: return ["tau_syn", "tau_mem", "r", "v_leak"]
        case .cubaLIF: return ["tau_syn", "tau_mem", "r", "v_leak", "v_threshold"]
        case .graph: return []
        }
    }
    /// Fields a node of this kind may have besides the required ones.
    public var optionalFields: [String] {
        switch self {
        case .conv1d, .conv2d: return ["input_shape"]
        case .flatten: return ["input_type"]
        case .if, .lif: return ["v_reset"]
        case .cubaLI: return ["w_in"]
        case .cubaLIF: return ["v_reset", "w_in"]
        default: return []
        }
    }
    /// Whether the node keeps state from one time step to the next.
    public var isStateful: Bool {
        switch self {
        case .delay, .i, .li, .if, .lif, .cubaLI, .cubaLIF: return true
        default: return false
        }
    }
}

/// One node of a NIR graph: its kind, its fields by their NIR names (`tau`, `v_threshold`, `weight`...),
/// a nested graph for `NIRGraph` nodes, and its metadata.
public struct NIRNode: Equatable, Sendable {
    /// The primitive.
    public var kind: NIRNodeKind
    /// The fields by NIR name (not `type`, `nodes`, `edges` or `metadata`).
    public var fields: [String: NIRValue]
    /// The nested graph of a `NIRGraph` node.
    public var subgraph: NIRGraph?
    /// The node's `metadata` group.
    public var metadata: [String: NIRValue]

    /// A node of `kind` with `fields`.
    public init(_ kind: NIRNodeKind, _ fields: [String: NIRValue] = [:], metadata: [String: NIRValue] = [:]) {
        self.kind = kind; self.fields = fields; self.subgraph = nil; self.metadata = metadata
    }
    /// A nested graph as a node.
    public init(graph: NIRGraph) {
        self.kind = .graph; self.fields = [:]; self.subgraph = graph; self.metadata = graph.metadata
    }
    /// A node with array fields.
    public init(_ kind: NIRNodeKind, arrays: [String: NIRArray]) {
        self.init(kind, arrays.mapValues { .array($0) })
    }

    /// The array field `name`, or nil.
    public func array(_ name: String) -> NIRArray? { fields[name]?.array }

    // MARK: Constructors of the primitives (shapes without the batch axis)

    /// `Input` of `shape`.
    public static func input(_ shape: [Int]) -> NIRNode { NIRNode(.input, arrays: ["shape": NIRArray(integers: shape)]) }
    /// `Output` of `shape`.
    public static func output(_ shape: [Int]) -> NIRNode { NIRNode(.output, arrays: ["shape": NIRArray(integers: shape)]) }
    /// `Affine`: `W x + b`, `weight` `[out, in]`, `bias` `[out]`.
    public static func affine(weight: NIRArray, bias: NIRArray) -> NIRNode { NIRNode(.affine, arrays: ["weight": weight, "bias": bias]) }
    /// `Linear`: `W x`.
    public static func linear(weight: NIRArray) -> NIRNode { NIRNode(.linear, arrays: ["weight": weight]) }
    /// `LIF` with time constant `tau` (s), resistance `r`, leak `vLeak`, threshold and reset.
    public static func lif(tau: NIRArray, r: NIRArray, vLeak: NIRArray, vThreshold: NIRArray, vReset: NIRArray) -> NIRNode {
        NIRNode(.lif, arrays: ["tau": tau, "r": r, "v_leak": vLeak, "v_threshold": vThreshold, "v_reset": vReset])
    }
    /// `IF` with resistance `r`, threshold and reset.
    public static func integrateAndFire(r: NIRArray, vThreshold: NIRArray, vReset: NIRArray) -> NIRNode {
        NIRNode(.if, arrays: ["r": r, "v_threshold": vThreshold, "v_reset": vReset])
    }
    /// `LI` with time constant `tau` (s), resistance `r` and leak `vLeak`.
    public static func li(tau: NIRArray, r: NIRArray, vLeak: NIRArray) -> NIRNode {
        NIRNode(.li, arrays: ["tau": tau, "r": r, "v_leak": vLeak])
    }
    /// `CubaLIF` (time constants in s).
    public static func cubaLIF(tauSyn: NIRArray, tauMem: NIRArray, r: NIRArray, vLeak: NIRArray, vThreshold: NIRArray,
                               vReset: NIRArray, wIn: NIRArray) -> NIRNode {
        NIRNode(.cubaLIF, arrays: ["tau_syn": tauSyn, "tau_mem": tauMem, "r": r, "v_leak": vLeak, "v_threshold": vThreshold,
                                   "v_reset": vReset, "w_in": wIn])
    }
    /// `Flatten` of axes `startDim...endDim` of the unbatched `inputShape`.
    public static func flatten(startDim: Int, endDim: Int, inputShape: [Int]?) -> NIRNode {
        var a = ["start_dim": NIRArray.scalar(Double(startDim), .int64), "end_dim": NIRArray.scalar(Double(endDim), .int64)]
        if let inputShape { a["input_type"] = NIRArray(integers: inputShape) }
        return NIRNode(.flatten, arrays: a)
    }
}

/// A NIR graph: named nodes (a nested `NIRGraph` is a node), directed edges `(source, destination)` by node
/// name, and metadata. Names of nodes inside a nested graph are addressed from outside as
/// `outer.inner` (NIR's convention for edges into subgraphs that snnTorch and Norse write: an edge to
/// `rnn.input` or from `rnn.output`; an edge to the subgraph's own name goes to its single `Input`).
public struct NIRGraph: Equatable, Sendable {
    /// Nodes by name.
    public var nodes: [String: NIRNode]
    /// Edges in file order.
    public var edges: [(String, String)]
    /// The graph's metadata (`dt` in seconds when the exporter wrote one).
    public var metadata: [String: NIRValue]

    /// A graph of `nodes` and `edges`.
    public init(nodes: [String: NIRNode], edges: [(String, String)], metadata: [String: NIRValue] = [:]) {
        self.nodes = nodes; self.edges = edges; self.metadata = metadata
    }

    /// A chain `input -> nodes... -> output` with names `input`, the given names, `output`.
    public static func sequence(_ named: [(String, NIRNode)], inputShape: [Int], outputShape: [Int],
                                metadata: [String: NIRValue] = [:]) -> NIRGraph {
        var nodes: [String: NIRNode] = ["input": .input(inputShape), "output": .output(outputShape)]
        var names = ["input"]
        for (n, node) in named { nodes[n] = node; names.append(n) }
        names.append("output")
        return NIRGraph(nodes: nodes, edges: zip(names, names.dropFirst()).map { ($0, $1) }, metadata: metadata)
    }

    /// Node names sorted (the order the reader and writer use).
    public var sortedNames: [String] { nodes.keys.sorted() }

    /// The time step in seconds from `metadata["dt"]`, if present and a positive finite scalar.
    public var metadataDt: Double? {
        guard let a = metadata["dt"]?.array, a.count == 1, a.values[0].isFinite, a.values[0] > 0 else { return nil }
        return a.values[0]
    }

    /// Equality: nodes, edges in order, metadata.
    public static func == (a: NIRGraph, b: NIRGraph) -> Bool {
        a.nodes == b.nodes && a.metadata == b.metadata && a.edges.count == b.edges.count
            && zip(a.edges, b.edges).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }
}
