import Foundation
import SpikeKit

/// A spiking network described as a file (JSON, or YAML by its extension) listing layers with PyTorch's argument
/// names, or naming a reference architecture (`Architectures`) with options:
///
///     {"input_shape": [2, 34, 34], "seed": 0,
///      "layers": [{"type": "conv2d", "in_channels": 2, "out_channels": 12, "kernel_size": 5},
///                 {"type": "maxpool2d", "kernel_size": 2}, {"type": "lif", "tau": 2.0}, ...]}
///     {"arch": "dvsgesture", "channels": 32}
///
/// Every value is checked (types, bounds, the layer options' own checks, channel and feature counts between
/// layers when `input_shape` is given) and the parameters, their gradients and two optimizer moments are
/// estimated against `MemoryBudget` before anything is allocated. Errors are one line naming the file and the
/// place: `net.json: layers[3].kernel_size: 0 out of range 1...1024`.
public enum ModelFile {
    /// Layer types besides the neuron model ids of `NeuronRegistry` (which are layer types too).
    public static let layerTypes = ["conv1d", "conv2d", "maxpool2d", "avgpool2d", "sumpool2d", "adaptive_avgpool2d",
                                    "batchnorm1d", "batchnorm2d", "linear", "flatten", "dropout", "dropout2d", "upsample",
                                    "voting"]
    /// Names accepted by `arch`.
    public static let architectures = ["csnn", "dvsgesture", "shd-rnn", "vgg11", "sew-resnet18"]

    /// Reads, checks and builds the model file at `path` (weights drawn from the file's `seed`, else `seed`).
    public static func load(_ path: String, seed: UInt64 = 0) throws -> any Module {
        let data: Data
        do { data = try InputFile.read(path: path) }
        catch let SpikeIOError.cannotRead(_, reason) { throw CLIError("\(path): cannot read the model file: \(reason)") }
        return try parse(Array(data), file: path).build(seed: seed)
    }

    /// Parses and checks model-file text `bytes` named `file` (JSON, or YAML for `.yaml`/`.yml`) without
    /// allocating the network; `build` makes it.
    public static func parse(_ bytes: [UInt8], file: String) throws -> ModelPlan {
        let json: JSON
        if NetworkFile.isYAML(file) {
            do { json = try YAMLSubset.parse(document: bytes) }
            catch let e as YAMLSubset.ParseError { throw CLIError("\(file): invalid YAML: \(e.message)") }
        } else {
            do { json = try JSON.parse(document: bytes) } catch let e { throw CLIError("\(file): invalid JSON: \(e.message)") }
        }
        return try ModelPlan(FileNode(file: file, value: json))
    }
}

/// A checked model file: what `ModelFile.parse` returns; `build` allocates the layers.
public struct ModelPlan {
    /// The layer makers in order (each draws its weights from the shared generator, in file order).
    let makers: [(inout SeededRandom) throws -> any Module]
    /// A whole-architecture maker (`arch`), instead of `makers`.
    let arch: ((inout SeededRandom) throws -> any Module)?
    /// The file's `seed`, if given.
    public let seed: UInt64?
    /// The estimated number of trainable scalars.
    public let parameterCount: Int
    /// The file's `input_shape` (one sample, one step), when given.
    public private(set) var inputShape: [Int]? = nil
    /// The shape of one step of the output computed from `input_shape` (nil without it, or for `arch`).
    public private(set) var outputShape: [Int]? = nil

    /// Builds the network: a `Sequential` of the layers (children "0", "1", ...), or the named architecture.
    /// Weights come from `SeededRandom(seed:)` of the file's seed, else `seed`.
    public func build(seed: UInt64 = 0) throws -> any Module {
        var rng = SeededRandom(seed: self.seed ?? seed)
        if let arch { return try arch(&rng) }
        var layers: [any Module] = []
        for m in makers { layers.append(try m(&rng)) }
        return Sequential(layers: layers)
    }

    static let maxChannels = 1 << 16, maxKernel = 1024, maxFeatures = 1 << 24

    init(_ root: FileNode) throws {
        let top = try root.object(allowed: ["layers", "input_shape", "seed", "arch", "neuron", "in_channels", "classes", "channels",
                                            "image_size", "inputs", "hidden", "batch_norm", "pool_size", "connect"])
        seed = try top["seed"].map { UInt64(try $0.int(in: 0...Int.max)) }
        if let archNode = top["arch"] {
            guard top["layers"] == nil else { throw archNode.error("give either arch or layers, not both") }
            (arch, parameterCount) = try Self.architecture(archNode, top)
            makers = []
        } else {
            guard top["layers"] != nil else { throw root.error("missing field \"layers\" (or \"arch\")") }
            for key in ["neuron", "in_channels", "classes", "channels", "image_size", "inputs", "hidden", "batch_norm", "pool_size", "connect"] {
                if let n = top[key] { throw n.error("is an option of arch, not of a layer list") }
            }
            var shape = try top["input_shape"].map { n -> [Int] in
                let s = try n.ints()
                guard (1...3).contains(s.count), s.allSatisfy({ (1...Self.maxFeatures).contains($0) }) else {
                    throw n.error("expected 1 to 3 sizes in 1...\(Self.maxFeatures) ([features], [C, L] or [C, H, W])")
                }
                return s
            }
            var makers: [(inout SeededRandom) throws -> any Module] = []
            var count = 0
            let items = try top.required("layers").array()
            guard !items.isEmpty else { throw try top.required("layers").error("no layers") }
            for item in items {
                let (maker, params) = try Self.layer(item, shape: &shape)
                makers.append(maker)
                count = try Self.add(count, params, item)
            }
            self.makers = makers; arch = nil; parameterCount = count
            inputShape = try top["input_shape"]?.ints()
            outputShape = shape
        }
        // Weights, gradients and two optimizer moments, 4 bytes each.
        do { try MemoryBudget.check(bytes: parameterCount.multipliedReportingOverflow(by: 16).overflow ? nil : parameterCount * 16,
                                    what: "the model (\(parameterCount) parameters, with gradients and optimizer state)") }
        catch let e as MemoryBudgetError { throw root.error(e.message) }
    }

    static func add(_ a: Int, _ b: Int, _ node: FileNode) throws -> Int {
        let (s, o) = a.addingReportingOverflow(b)
        guard !o else { throw node.error("the parameter count overflows") }
        return s
    }

    static func product(_ xs: [Int], _ node: FileNode) throws -> Int {
        guard let p = MemoryBudget.product(xs) else { throw node.error("the size \(xs.map(String.init).joined(separator: "*")) overflows") }
        return p
    }

    /// An int or a pair `[h, w]` (PyTorch's `_pair`), each in `range`.
    static func pair(_ n: FileNode, _ range: ClosedRange<Int>) throws -> (Int, Int) {
        if case .array = n.value {
            let items = try n.array()
            guard items.count == 2 else { throw n.error("expected an integer or two integers [h, w]") }
            return (try items[0].int(in: range), try items[1].int(in: range))
        }
        let i = try n.int(in: range)
        return (i, i)
    }

    static func option(_ n: FileNode, _ body: () throws -> Void) throws {
        do { try body() }
        catch let e as ParameterError { throw n.error(e.message) }
        catch let e as NetworkFileError { throw e } catch let e as CLIError { throw e }
        catch { throw n.error("\(error)") }
    }

    /// Output side of a convolution or pooling window.
    static func side(_ x: Int, k: Int, s: Int, p: Int, d: Int, _ n: FileNode) throws -> Int {
        let span = d * (k - 1) + 1
        guard x + 2 * p >= span else { throw n.error("the window (\(span)) is larger than the padded input (\(x + 2 * p))") }
        return (x + 2 * p - span) / s + 1
    }

    /// A neuron layer of registry model `id` with the other members as its parameters (`learn`: trained ones).
    static func neuron(_ id: String, _ node: FileNode, members m: Members) throws -> () throws -> any Module {
        let entry: NeuronEntry
        do { entry = try NeuronRegistry.entry(id) } catch let e as ParameterError { throw (m["type"] ?? node).error(e.message) }
        var params: [String: Any] = [:]
        var learn: [String] = []
        for key in m.keys where key != "type" {
            let v = m[key]!
            if key == "learn" { learn = try v.strings(); continue }
            switch v.value {
            case .number: params[key] = try v.double()
            case let .string(s): params[key] = s
            case let .bool(b): params[key] = b
            default: throw v.error("expected a number, string or boolean, got \(v.value.kind)")
            }
        }
        let names = learn, values = params
        func make<M: NeuronModel>(_ model: M) throws -> any Module { try SpikingLayer(model, learn: names) }
        // LIF and IF by their concrete types so that the kernel is specialised for them (as NetworkSpec does).
        let maker: () throws -> any Module = {
            switch id {
            case "lif": return try SpikingLayer(try NeuronRegistry.lif(parameters: values), learn: names)
            case "if": return try SpikingLayer(try NeuronRegistry.ifModel(parameters: values), learn: names)
            default: return try make(try entry.build(values))
            }
        }
        // Checked now (parameters, learnable names), so that building cannot fail later.
        do { _ = try maker() } catch let e as ParameterError { throw node.error(e.message) }
        return maker
    }

    /// A `neuron` object of an `arch` file: `{"type": id, parameters..., "learn": [...]}`.
    static func neuronObject(_ n: FileNode) throws -> () throws -> any Module {
        guard case let .object(members) = n.value else { throw n.error("expected an object, got \(n.value.kind)") }
        guard let t = members.first(where: { $0.key == "type" }) else { throw n.error("missing field \"type\"") }
        let typeNode = n.child("type", t.value)
        let id = try typeNode.string()
        guard NeuronRegistry.allIDs.contains(id) else {
            throw typeNode.error("unknown neuron model '\(MessageText.excerpt(id))' (see `spike neuron --list`)")
        }
        let m = try n.object(allowed: ["type", "learn"] + NeuronRegistry.parameters(of: id).map(\.name))
        return try neuron(id, n, members: m)
    }

    /// One layer: its maker and parameter count; `shape` (per sample) is checked and advanced when known.
    static func layer(_ node: FileNode, shape: inout [Int]?) throws -> ((inout SeededRandom) throws -> any Module, Int) {
        guard case let .object(members) = node.value else { throw node.error("expected an object, got \(node.value.kind)") }
        guard let t = members.first(where: { $0.key == "type" }) else { throw node.error("missing field \"type\"") }
        let typeNode = node.child("type", t.value)
        let type = try typeNode.string()
        let known = ModelFile.layerTypes
        if !known.contains(type) {
            guard NeuronRegistry.allIDs.contains(type) else {
                throw typeNode.error("unknown layer type '\(MessageText.excerpt(type))' (layers: \(known.joined(separator: ", ")); neurons: any id of `spike neuron --list`)")
            }
            let m = try node.object(allowed: ["type", "learn"] + NeuronRegistry.parameters(of: type).map(\.name))
            let make = try neuron(type, node, members: m)
            return ({ _ in try make() }, 0)
        }
        let C = maxChannels, K = maxKernel
        switch type {
        case "conv2d", "conv1d":
            let m = try node.object(allowed: ["type", "in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias"],
                                    required: ["in_channels", "out_channels", "kernel_size"])
            let two = type == "conv2d"
            let ci = try m.required("in_channels").int(in: 1...C), co = try m.required("out_channels").int(in: 1...C)
            let k = try pair(m.required("kernel_size"), 1...K), s = try m["stride"].map { try pair($0, 1...K) } ?? (1, 1)
            let d = try m["dilation"].map { try pair($0, 1...K) } ?? (1, 1), g = try m["groups"]?.int(in: 1...C) ?? 1
            let bias = try m["bias"]?.bool() ?? true
            var padding = ConvPadding.valid, pad = (0, 0)
            if let p = m["padding"] {
                if case let .string(s) = p.value {
                    switch s {
                    case "same": padding = .same
                    case "valid": padding = .valid
                    default: throw p.error("expected an integer, [h, w], \"same\" or \"valid\"")
                    }
                } else { pad = try pair(p, 0...K); padding = .explicit(pad.0, pad.1) }
            }
            if !two, k.0 != k.1 || s.0 != s.1 || d.0 != d.1 || pad.0 != pad.1 { throw node.error("conv1d takes single integers") }
            try option(node) {
                try ConvOptions.validate(two ? "Conv2d" : "Conv1d", inChannels: ci, outChannels: co,
                                         kernel: two ? [k.0, k.1] : [k.0], stride: two ? [s.0, s.1] : [s.0],
                                         dilation: two ? [d.0, d.1] : [d.0], padding: padding, groups: g)
            }
            if var sh = shape {
                guard sh.count == (two ? 3 : 2) else { throw node.error("\(type) needs \(two ? "[C, H, W]" : "[C, L]") input, the layer before gives \(sh)") }
                guard sh[0] == ci else { throw try m.required("in_channels").error("\(ci) does not match the \(sh[0]) channels coming in") }
                sh[0] = co
                if padding == .same { } else {
                    sh[1] = try side(sh[1], k: k.0, s: s.0, p: pad.0, d: d.0, node)
                    if two { sh[2] = try side(sh[2], k: k.1, s: s.1, p: pad.1, d: d.1, node) }
                }
                shape = sh
            }
            let n = try add(try product([co, ci / g, k.0, two ? k.1 : 1], node), bias ? co : 0, node)
            let p = padding
            if two { return ({ rng in Conv2d(ci, co, kernelSize: k, stride: s, padding: p, dilation: d, groups: g, bias: bias, rng: &rng) }, n) }
            return ({ rng in Conv1d(ci, co, kernelSize: k.0, stride: s.0, padding: p, dilation: d.0, groups: g, bias: bias, rng: &rng) }, n)
        case "maxpool2d", "avgpool2d", "sumpool2d":
            let allowed = type == "sumpool2d" ? ["type", "kernel_size", "stride"] : ["type", "kernel_size", "stride", "padding"]
            let m = try node.object(allowed: allowed, required: ["kernel_size"])
            let k = try pair(m.required("kernel_size"), 1...K), s = try m["stride"].map { try pair($0, 1...K) } ?? k
            let p = try m["padding"].map { try pair($0, 0...K) } ?? (0, 0)
            try option(node) { try PoolOptions.validate(type, kernel: [k.0, k.1], stride: [s.0, s.1], padding: [p.0, p.1]) }
            if var sh = shape {
                guard sh.count == 3 else { throw node.error("\(type) needs [C, H, W] input, the layer before gives \(sh)") }
                sh[1] = try side(sh[1], k: k.0, s: s.0, p: p.0, d: 1, node); sh[2] = try side(sh[2], k: k.1, s: s.1, p: p.1, d: 1, node)
                shape = sh
            }
            switch type {
            case "maxpool2d": return ({ _ in MaxPool2d(kernelSize: k, stride: s, padding: p) }, 0)
            case "avgpool2d": return ({ _ in AvgPool2d(kernelSize: k, stride: s, padding: p) }, 0)
            default: return ({ _ in SumPool2d(kernelSize: k, stride: s) }, 0)
            }
        case "adaptive_avgpool2d":
            let m = try node.object(allowed: ["type", "output_size"], required: ["output_size"])
            let o = try pair(m.required("output_size"), 1...K)
            if var sh = shape {
                guard sh.count == 3 else { throw node.error("adaptive_avgpool2d needs [C, H, W] input, the layer before gives \(sh)") }
                sh[1] = o.0; sh[2] = o.1; shape = sh
            }
            return ({ _ in AdaptiveAvgPool2d(o) }, 0)
        case "batchnorm1d", "batchnorm2d":
            let m = try node.object(allowed: ["type", "num_features", "eps", "momentum", "affine"], required: ["num_features"])
            let f = try m.required("num_features").int(in: 1...maxFeatures)
            let eps = try m["eps"]?.float() ?? 1e-5
            let momentum: Float? = try m["momentum"].map { $0.isNull ? nil : try $0.float() } ?? 0.1
            let affine = try m["affine"]?.bool() ?? true
            try option(node) { try BatchNormCore.validate(type, numFeatures: f, eps: eps, momentum: momentum) }
            if let sh = shape, sh[0] != f { throw try m.required("num_features").error("\(f) does not match the \(sh[0]) channels/features coming in") }
            if type == "batchnorm2d" { return ({ _ in BatchNorm2d(f, eps: eps, momentum: momentum, affine: affine) }, affine ? 2 * f : 0) }
            return ({ _ in BatchNorm1d(f, eps: eps, momentum: momentum, affine: affine) }, affine ? 2 * f : 0)
        case "linear":
            let m = try node.object(allowed: ["type", "in_features", "out_features", "bias"], required: ["in_features", "out_features"])
            let i = try m.required("in_features").int(in: 1...maxFeatures), o = try m.required("out_features").int(in: 1...maxFeatures)
            let bias = try m["bias"]?.bool() ?? true
            if let sh = shape {
                guard sh.count == 1 else { throw node.error("linear needs flat input, the layer before gives \(sh) (add a flatten layer)") }
                guard sh[0] == i else { throw try m.required("in_features").error("\(i) does not match the \(sh[0]) features coming in") }
                shape = [o]
            }
            return ({ rng in Linear(i, o, bias: bias, rng: &rng) }, try add(try product([i, o], node), bias ? o : 0, node))
        case "flatten":
            _ = try node.object(allowed: ["type"])
            if let sh = shape { shape = [try product(sh, node)] }
            return ({ _ in Flatten() }, 0)
        case "dropout", "dropout2d":
            let m = try node.object(allowed: ["type", "p", "seed"])
            let p = try m["p"]?.float() ?? 0.5
            guard p >= 0 && p < 1 else { throw m["p"]!.error("must be in [0, 1), got \(p)") }
            let seed = UInt64(try m["seed"]?.int(in: 0...Int.max) ?? 0)
            if type == "dropout" { return ({ _ in Dropout(p: p, seed: seed) }, 0) }
            return ({ _ in Dropout2d(p: p, seed: seed) }, 0)
        case "upsample":
            let m = try node.object(allowed: ["type", "scale_factor"], required: ["scale_factor"])
            let f = try pair(m.required("scale_factor"), 1...64)
            if var sh = shape, sh.count == 3 {
                sh[1] = try product([sh[1], f.0], node); sh[2] = try product([sh[2], f.1], node); shape = sh
            }
            return ({ _ in Upsample(scaleFactor: f) }, 0)
        default: // voting
            let m = try node.object(allowed: ["type", "voting_size"])
            let v = try m["voting_size"]?.int(in: 1...maxFeatures) ?? 10
            if let sh = shape {
                guard sh.count == 1, sh[0] % v == 0 else { throw node.error("voting needs flat input with a multiple of \(v) features, got \(sh)") }
                shape = [sh[0] / v]
            }
            return ({ _ in VotingLayer(v) }, 0)
        }
    }

    /// `arch: NAME` with its options; returns the maker and the parameter count estimate.
    static func architecture(_ archNode: FileNode, _ top: Members) throws -> ((inout SeededRandom) throws -> any Module, Int) {
        let name = try archNode.string()
        let options: [String: [String]] = [
            "csnn": ["in_channels", "classes", "neuron"], "dvsgesture": ["channels", "image_size", "neuron"],
            "shd-rnn": ["inputs", "hidden", "classes"], "vgg11": ["in_channels", "classes", "batch_norm", "pool_size", "hidden", "neuron"],
            "sew-resnet18": ["in_channels", "classes", "connect", "neuron"],
        ]
        guard let allowed = options[name] else {
            throw archNode.error("unknown architecture '\(MessageText.excerpt(name))' (known: \(ModelFile.architectures.joined(separator: ", ")))")
        }
        for key in top.keys where !["arch", "seed"].contains(key) && !allowed.contains(key) {
            throw top[key]!.error("not an option of \(name) (options: \(allowed.joined(separator: ", ")))")
        }
        let C = maxChannels
        let inC = try top["in_channels"]?.int(in: 1...C) ?? (name == "csnn" ? 2 : 3)
        let classes = try top["classes"]?.int(in: 1...maxFeatures) ?? ["csnn": 10, "shd-rnn": 20, "dvsgesture": 11][name] ?? 1000
        let makeNeuron = try top["neuron"].map { try neuronObject($0) } ?? { Architectures.defaultNeuron() }
        // The factories of `Architectures` do not throw; the neuron's parameters were checked when parsed.
        let neuronFactory: () -> any Module = { do { return try makeNeuron() } catch { fatalError("\(error)") } }
        switch name {
        case "csnn":
            guard classes <= 1 << 20 else { throw top["classes"]!.error("must be <= \(1 << 20)") }
            return ({ rng in Architectures.csnn(inChannels: inC, classes: classes, neuron: neuronFactory, rng: &rng) },
                    12 * inC * 25 + 12 + 32 * 12 * 25 + 32 + 800 * classes + classes)
        case "dvsgesture":
            let ch = try top["channels"]?.int(in: 1...4096) ?? 128, size = try top["image_size"]?.int(in: 32...4096) ?? 128
            guard size % 32 == 0 else { throw top["image_size"]!.error("must be a multiple of 32, got \(size)") }
            let side = size / 32
            let convs = try product([ch, ch, 9, 5], archNode), fc = try product([ch, side, side, 512], archNode)
            let n = try add(convs, try add(fc, 512 * 110 + 10 * ch, archNode), archNode)
            return ({ rng in Architectures.dvsgesture(channels: ch, imageSize: size, neuron: neuronFactory, rng: &rng) }, n)
        case "shd-rnn":
            let i = try top["inputs"]?.int(in: 1...maxFeatures) ?? 700, h = try top["hidden"]?.int(in: 1...65536) ?? 256
            let n = try product([h, i + h + min(classes, maxFeatures)], archNode)
            return ({ rng in Architectures.shdRNN(inputs: i, hidden: h, classes: classes, rng: &rng) }, n)
        case "vgg11":
            let bn = try top["batch_norm"]?.bool() ?? false, pool = try top["pool_size"]?.int(in: 1...64) ?? 7
            let h = try top["hidden"]?.int(in: 1...65536) ?? 4096
            let n = 9_220_000 + inC * 64 * 9 + (try product([512 * pool * pool + h + classes + 2, h], archNode))
            return ({ rng in Architectures.vgg11(inChannels: inC, classes: classes, batchNorm: bn, poolSize: pool, hidden: h,
                                                 neuron: neuronFactory, rng: &rng) }, n)
        default:
            let connect = try top["connect"].map { n -> SEWConnect in
                do { return try SEWConnect(parsing: try n.string()) } catch let e as NetworkFileError { throw e } catch let e as CLIError { throw e } catch { throw n.error("\(error)") }
            } ?? .add
            return ({ rng in Architectures.sewResnet18(inChannels: inC, classes: classes, connect: connect, neuron: neuronFactory, rng: &rng) },
                    11_200_000 + inC * 64 * 49 + 513 * classes)
        }
    }
}
