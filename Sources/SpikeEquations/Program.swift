import Foundation
import SpikeCKernels
import SpikeNeurons

/// The compiled update of one time step: a flat list of instructions in static single assignment (node i
/// writes register i), topologically ordered. Loads read the state, the input, the parameters and the
/// derived constants; the rest are arithmetic. Nodes that depend only on parameters ("uniform") are evaluated
/// once per parameter set; the rest run per neuron (scalar), or over eight-lane SIMD registers in blocks.
public struct Program: Sendable {
    /// The operation of each node.
    public internal(set) var ops: [Op] = []
    /// The operands of each node (registers, -1 when absent).
    public internal(set) var a: [Int32] = []
    public internal(set) var b: [Int32] = []
    public internal(set) var c: [Int32] = []
    /// Constant value (for `.constant`), or the index loaded (state, parameter, derived).
    public internal(set) var payload: [Float] = []
    /// Whether the node depends only on parameters and constants.
    public internal(set) var uniform: [Bool] = []
    /// The nodes each step must evaluate per neuron, in order (reachable from the outputs, not uniform, not loads).
    public internal(set) var varying: [Int32] = []
    /// The uniform nodes reachable from the outputs, in order.
    public internal(set) var uniformNodes: [Int32] = []
    /// Register of each next-state value, then of the spike.
    public internal(set) var outputs: [Int32] = []
    /// Register of each state variable's load and of the input's load (-1 when unused).
    public internal(set) var stateLoads: [Int32] = []
    public internal(set) var inputLoad: Int32 = -1
    /// Loads of the parameters (-1 when unused).
    public internal(set) var parameterLoads: [Int32] = []
    /// The lane program: the varying instructions over dense registers (live varying nodes and the uniform nodes
    /// they read), so a block's register file is small.
    var lane = LaneProgram()

    /// Number of nodes (registers).
    public var count: Int { ops.count }
}

/// Instructions over dense registers for the lane path (see `Program.evaluateLanes`).
struct LaneProgram: Sendable {
    struct Instruction: Sendable { var op: Op; var d: Int32; var x: Int32; var y: Int32; var z: Int32; var flag: Float }
    var instructions: [Instruction] = []
    /// Number of dense registers.
    var registers = 0
    /// (dense register, node) of each uniform value the instructions or outputs read.
    var uniforms: [(Int32, Int32)] = []
    /// Dense registers of the state loads (-1 when unused), the input, and the outputs.
    var stateLoads: [Int32] = []
    var input: Int32 = -1
    var outputs: [Int32] = []
    /// The instructions for SpikeCKernels' AVX2 loop (`sk_eq_run`), or nil when one of them is not in its subset.
    var native: [sk_eq_instr]?
    /// (dense register, uniform index) of uniform values that are outputs (the native path writes only these).
    var outputUniforms: [(Int32, Int32)] = []

    /// The C code of each operation the kernel runs.
    static let nativeCodes: [Op: Int32] = [
        .add: Int32(SK_EQ_ADD), .sub: Int32(SK_EQ_SUB), .mul: Int32(SK_EQ_MUL), .div: Int32(SK_EQ_DIV), .neg: Int32(SK_EQ_NEG),
        .min: Int32(SK_EQ_MIN), .max: Int32(SK_EQ_MAX), .sqrt: Int32(SK_EQ_SQRT), .abs: Int32(SK_EQ_ABS),
        .floor: Int32(SK_EQ_FLOOR), .ceil: Int32(SK_EQ_CEIL), .trunc: Int32(SK_EQ_TRUNC), .lt: Int32(SK_EQ_LT),
        .le: Int32(SK_EQ_LE), .gt: Int32(SK_EQ_GT), .ge: Int32(SK_EQ_GE), .eq: Int32(SK_EQ_EQ), .ne: Int32(SK_EQ_NE),
        .and: Int32(SK_EQ_AND), .or: Int32(SK_EQ_OR), .not: Int32(SK_EQ_NOT), .select: Int32(SK_EQ_SELECT), .fire: Int32(SK_EQ_FIRE),
    ]
}

/// Builds a `Program` with common subexpressions merged (hash-consing on operation and operands).
final class GraphBuilder {
    var program = Program()
    struct Key: Hashable { let op: Op; let a: Int32; let b: Int32; let c: Int32; let payload: UInt32 }
    var memo: [Key: Int32] = [:]

    func node(_ op: Op, _ a: Int32 = -1, _ b: Int32 = -1, _ c: Int32 = -1, payload: Float = 0) -> Int32 {
        var (a, b) = (a, b)
        if [.add, .mul, .min, .max, .eq, .ne, .and, .or].contains(op), a > b { swap(&a, &b) }
        let key = Key(op: op, a: a, b: b, c: c, payload: payload.bitPattern)
        if let n = memo[key] { return n }
        let n = Int32(program.ops.count)
        program.ops.append(op); program.a.append(a); program.b.append(b); program.c.append(c); program.payload.append(payload)
        let u: Bool
        switch op {
        case .parameter, .derived, .constant: u = true
        case .state, .input: u = false
        default: u = [a, b, c].allSatisfy { $0 < 0 || program.uniform[Int($0)] }
        }
        program.uniform.append(u)
        memo[key] = n
        return n
    }
    func constant(_ v: Double) -> Int32 { node(.constant, payload: Float(v)) }
    func add(_ x: Int32, _ y: Int32) -> Int32 { node(.add, x, y) }
    func sub(_ x: Int32, _ y: Int32) -> Int32 { node(.sub, x, y) }
    func mul(_ x: Int32, _ y: Int32) -> Int32 { node(.mul, x, y) }
    func div(_ x: Int32, _ y: Int32) -> Int32 { node(.div, x, y) }

    /// Emits a symbolic expression with names bound to registers.
    func emit(_ s: Sym, _ env: [String: Int32]) throws -> Int32 {
        switch s {
        case .c(let v): return constant(v)
        case .v(let n):
            guard let r = env[n] else { throw EquationError("internal: no register for '\(n)'") }
            return r
        case .f(let op, let args):
            let r = try args.map { try emit($0, env) }
            return node(op, r[0], r.count > 1 ? r[1] : -1, r.count > 2 ? r[2] : -1)
        }
    }

    /// Finishes: marks the nodes reachable from `outputs` and lists the uniform and varying ones.
    func finish(outputs: [Int32], stateLoads: [Int32], inputLoad: Int32, parameterLoads: [Int32]) -> Program {
        var p = program
        p.outputs = outputs; p.stateLoads = stateLoads; p.inputLoad = inputLoad; p.parameterLoads = parameterLoads
        var live = [Bool](repeating: false, count: p.count)
        for o in outputs { live[Int(o)] = true }
        for i in stride(from: p.count - 1, through: 0, by: -1) where live[i] {
            for x in [p.a[i], p.b[i], p.c[i]] where x >= 0 { live[Int(x)] = true }
        }
        for i in 0..<p.count where live[i] {
            if p.uniform[i] { p.uniformNodes.append(Int32(i)) }
            else if p.ops[i] != .state && p.ops[i] != .input { p.varying.append(Int32(i)) }
        }
        // Dense registers for the lane path.
        var dense = [Int32](repeating: -1, count: p.count)
        var lane = LaneProgram()
        func reg(_ n: Int32) -> Int32 {
            if n < 0 { return 0 }
            if dense[Int(n)] < 0 {
                dense[Int(n)] = Int32(lane.registers); lane.registers += 1
                if p.uniform[Int(n)] { lane.uniforms.append((dense[Int(n)], n)) }
            }
            return dense[Int(n)]
        }
        lane.stateLoads = stateLoads.map { live[Int($0)] ? reg($0) : -1 }
        lane.input = inputLoad >= 0 && live[Int(inputLoad)] ? reg(inputLoad) : -1
        for n in p.varying {
            let i = Int(n)
            let x = reg(p.a[i]), y = reg(p.b[i]), z = reg(p.c[i])
            lane.instructions.append(.init(op: p.ops[i], d: reg(n), x: x, y: y, z: z, flag: p.payload[i]))
        }
        lane.outputs = outputs.map { reg($0) }
        // The native loop reads states in place and the results are copied out afterwards, so an output may be its
        // own variable's load (unchanged) but not another variable's load.
        let crossed = lane.outputs.dropLast().enumerated().contains { k, o in lane.stateLoads.enumerated().contains { $0.offset != k && $0.element == o } }
        if !crossed, lane.instructions.allSatisfy({ LaneProgram.nativeCodes[$0.op] != nil }) {
            // Operands that are uniform read the broadcast table directly: -(index in `uniforms` + 1).
            var uniformIndex = [Int32](repeating: -1, count: lane.registers)
            for (k, (dreg, _)) in lane.uniforms.enumerated() { uniformIndex[Int(dreg)] = Int32(k) }
            // State loads read the state blocks in place: SK_EQ_STATE + k.
            var stateIndex = [Int32](repeating: -1, count: lane.registers)
            for (k, l) in lane.stateLoads.enumerated() where l >= 0 { stateIndex[Int(l)] = Int32(k) }
            func operand(_ r: Int32) -> Int32 {
                if uniformIndex[Int(r)] >= 0 { return -(uniformIndex[Int(r)] + 1) }
                if stateIndex[Int(r)] >= 0 { return Int32(SK_EQ_STATE) + stateIndex[Int(r)] }
                return r
            }
            lane.native = lane.instructions.map { q in
                sk_eq_instr(op: LaneProgram.nativeCodes[q.op]!, d: q.d, x: operand(q.x), y: operand(q.y), z: operand(q.z), flag: q.flag)
            }
            lane.outputUniforms = lane.uniforms.enumerated().filter { lane.outputs.contains($0.element.0) }.map { ($0.element.0, Int32($0.offset)) }
        }
        p.lane = lane
        return p
    }
}

extension Program {
    /// One scalar operation (the same arithmetic as the lane version, so lanes equal the scalar path).
    @inlinable @inline(__always)
    static func apply(_ op: Op, _ x: Float, _ y: Float, _ z: Float, flag: Float, surrogate: Surrogate) -> Float {
        switch op {
        case .add: return x + y
        case .sub: return x - y
        case .mul: return x * y
        case .div: return x / y
        case .neg: return -x
        case .pow: return Foundation.pow(x, y)
        case .mod: return x - y * (x / y).rounded(.down)
        case .min: return Swift.min(x, y)
        case .max: return Swift.max(x, y)
        case .exp: return Foundation.exp(x)
        case .log: return Foundation.log(x)
        case .log10: return Foundation.log10(x)
        case .sqrt: return x.squareRoot()
        case .sin: return Foundation.sin(x)
        case .cos: return Foundation.cos(x)
        case .tan: return Foundation.tan(x)
        case .tanh: return Foundation.tanh(x)
        case .sinh: return Foundation.sinh(x)
        case .cosh: return Foundation.cosh(x)
        case .abs: return Swift.abs(x)
        case .floor: return x.rounded(.down)
        case .ceil: return x.rounded(.up)
        case .trunc: return x.rounded(.towardZero)
        case .sign: return x > 0 ? 1 : (x < 0 ? -1 : 0)
        case .exprel: return x == 0 ? 1 : Foundation.expm1(x) / x
        case .lt: return x < y ? 1 : 0
        case .le: return x <= y ? 1 : 0
        case .gt: return x > y ? 1 : 0
        case .ge: return x >= y ? 1 : 0
        case .eq: return x == y ? 1 : 0
        case .ne: return x != y ? 1 : 0
        case .and: return x != 0 && y != 0 ? 1 : 0
        case .or: return x != 0 || y != 0 ? 1 : 0
        case .not: return x != 0 ? 0 : 1
        case .select: return x != 0 ? y : z
        case .fire:
            if surrogate.smoothForward { return surrogate.primitive(x) }
            return flag != 0 ? (x >= 0 ? 1 : 0) : (x > 0 ? 1 : 0)
        case .state, .input, .parameter, .derived, .constant: return 0
        }
    }

    /// Evaluates the uniform nodes into `r` (registers of all nodes) from parameters and derived constants.
    func evaluateUniform(_ r: UnsafeMutablePointer<Float>, parameters: UnsafePointer<Float>, derived: UnsafePointer<Float>,
                         surrogate: Surrogate) {
        for n32 in uniformNodes {
            let n = Int(n32)
            switch ops[n] {
            case .constant: r[n] = payload[n]
            case .parameter: r[n] = parameters[Int(payload[n])]
            case .derived: r[n] = derived[Int(payload[n])]
            default:
                r[n] = Program.apply(ops[n], r[Int(max(a[n], 0))], r[Int(max(b[n], 0))], r[Int(max(c[n], 0))], flag: payload[n], surrogate: surrogate)
            }
        }
    }

    /// Runs the varying nodes on registers `r` whose loads and uniform nodes are set.
    @inline(__always)
    func evaluateVarying(_ r: UnsafeMutablePointer<Float>, surrogate: Surrogate) {
        ops.withUnsafeBufferPointer { ops in
        a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
        c.withUnsafeBufferPointer { c in
        payload.withUnsafeBufferPointer { pl in
            for n32 in varying {
                let n = Int(n32)
                r[n] = Program.apply(ops[n], r[Int(max(a[n], 0))], r[Int(max(b[n], 0))], r[Int(max(c[n], 0))], flag: pl[n], surrogate: surrogate)
            }
        }}}}}
    }

    /// Reverse mode over every node (uniform ones included, so parameter gradients flow through them):
    /// `g` holds the seeded adjoints and receives the adjoint of every register.
    func backpropagate(_ r: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, surrogate: Surrogate) {
        for n in stride(from: count - 1, through: 0, by: -1) {
            let gn = g[n]
            if gn == 0 { continue }
            let ia = Int(a[n]), ib = Int(b[n]), ic = Int(c[n])
            let out = r[n]
            switch ops[n] {
            case .state, .input, .parameter, .derived, .constant: break
            case .add: g[ia] += gn; g[ib] += gn
            case .sub: g[ia] += gn; g[ib] -= gn
            case .mul: g[ia] += gn * r[ib]; g[ib] += gn * r[ia]
            case .div: g[ia] += gn / r[ib]; g[ib] -= gn * out / r[ib]
            case .neg: g[ia] -= gn
            case .pow:
                g[ia] += gn * r[ib] * Foundation.pow(r[ia], r[ib] - 1)
                if r[ia] > 0 { g[ib] += gn * out * Foundation.log(r[ia]) }
            case .mod: g[ia] += gn; g[ib] -= gn * (r[ia] / r[ib]).rounded(.down)
            case .min: if r[ia] <= r[ib] { g[ia] += gn } else { g[ib] += gn }
            case .max: if r[ia] >= r[ib] { g[ia] += gn } else { g[ib] += gn }
            case .exp: g[ia] += gn * out
            case .log: g[ia] += gn / r[ia]
            case .log10: g[ia] += gn / (r[ia] * Float(Foundation.log(10.0)))
            case .sqrt: g[ia] += gn / (2 * out)
            case .sin: g[ia] += gn * Foundation.cos(r[ia])
            case .cos: g[ia] -= gn * Foundation.sin(r[ia])
            case .tan: g[ia] += gn * (1 + out * out)
            case .tanh: g[ia] += gn * (1 - out * out)
            case .sinh: g[ia] += gn * Foundation.cosh(r[ia])
            case .cosh: g[ia] += gn * Foundation.sinh(r[ia])
            case .abs: g[ia] += r[ia] > 0 ? gn : (r[ia] < 0 ? -gn : 0)
            case .exprel:
                let u = r[ia]
                if u == 0 { g[ia] += gn * 0.5 } else { let e = Foundation.exp(u); g[ia] += gn * (u * e - e + 1) / (u * u) }
            case .select: if r[ia] != 0 { g[ib] += gn } else { g[ic] += gn }
            case .fire: g[ia] += gn * surrogate.derivative(r[ia])
            case .floor, .ceil, .trunc, .sign, .lt, .le, .gt, .ge, .eq, .ne, .and, .or, .not: break
            }
        }
    }
}

// MARK: - Lanes

extension Program {
    /// Runs the varying nodes over `width` blocks of eight lanes: register n of block j at `r[n * width + j]`.
    /// One dispatch per instruction per call, then a tight loop over the blocks.
    func evaluateLanes(_ r: UnsafeMutablePointer<SIMD8<Float>>, width w: Int, surrogate: Surrogate) {
        let zero = SIMD8<Float>(repeating: 0), one = SIMD8<Float>(repeating: 1)
        @inline(__always) func mask(_ m: SIMDMask<SIMD8<Int32>>) -> SIMD8<Float> { zero.replacing(with: one, where: m) }
        lane.instructions.withUnsafeBufferPointer { ins in
        for k in ins.indices {
            let q = ins[k]
            let d = r + Int(q.d) * w, x = r + Int(q.x) * w, y = r + Int(q.y) * w, z = r + Int(q.z) * w
            switch q.op {
            case .add: for j in 0..<w { d[j] = x[j] + y[j] }
            case .sub: for j in 0..<w { d[j] = x[j] - y[j] }
            case .mul: for j in 0..<w { d[j] = x[j] * y[j] }
            case .div: for j in 0..<w { d[j] = x[j] / y[j] }
            case .neg: for j in 0..<w { d[j] = -x[j] }
            case .min: for j in 0..<w { d[j] = x[j].replacing(with: y[j], where: y[j] .< x[j]) }
            case .max: for j in 0..<w { d[j] = x[j].replacing(with: y[j], where: y[j] .>= x[j]) }   // Swift.max: y >= x ? y : x
            case .sqrt: for j in 0..<w { d[j] = x[j].squareRoot() }
            case .abs: for j in 0..<w { d[j] = x[j].replacing(with: -x[j], where: x[j] .< 0) }
            case .floor: for j in 0..<w { d[j] = x[j].rounded(.down) }
            case .ceil: for j in 0..<w { d[j] = x[j].rounded(.up) }
            case .trunc: for j in 0..<w { d[j] = x[j].rounded(.towardZero) }
            case .lt: for j in 0..<w { d[j] = mask(x[j] .< y[j]) }
            case .le: for j in 0..<w { d[j] = mask(x[j] .<= y[j]) }
            case .gt: for j in 0..<w { d[j] = mask(x[j] .> y[j]) }
            case .ge: for j in 0..<w { d[j] = mask(x[j] .>= y[j]) }
            case .eq: for j in 0..<w { d[j] = mask(x[j] .== y[j]) }
            case .ne: for j in 0..<w { d[j] = mask(x[j] .!= y[j]) }
            case .and: for j in 0..<w { d[j] = mask((x[j] .!= zero) .& (y[j] .!= zero)) }
            case .or: for j in 0..<w { d[j] = mask((x[j] .!= zero) .| (y[j] .!= zero)) }
            case .not: for j in 0..<w { d[j] = mask(x[j] .== zero) }
            case .select: for j in 0..<w { d[j] = z[j].replacing(with: y[j], where: x[j] .!= zero) }
            case .fire where !surrogate.smoothForward:
                if q.flag != 0 { for j in 0..<w { d[j] = mask(x[j] .>= zero) } } else { for j in 0..<w { d[j] = mask(x[j] .> zero) } }
            default:
                // Transcendental functions: lane by lane through the scalar definition (same bits).
                let op = q.op, flag = q.flag
                for j in 0..<w {
                    var o = SIMD8<Float>()
                    for l in 0..<8 { o[l] = Program.apply(op, x[j][l], y[j][l], z[j][l], flag: flag, surrogate: surrogate) }
                    d[j] = o
                }
            }
        }
        }
    }
}
