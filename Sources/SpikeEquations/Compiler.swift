import Foundation
import SpikeNeurons

/// Integration methods, as Brian2 defines them (brian2/stateupdaters).
public enum IntegrationMethod: String, Sendable, CaseIterable {
    /// `x' = x + dt f(x)` (brian2 `euler`).
    case euler
    /// Midpoint: `k = dt f(x); x' = x + dt f(x + k/2)` (brian2 `rk2`).
    case rk2
    /// Classical Runge-Kutta (brian2 `rk4`).
    case rk4
    /// Stochastic Heun (brian2 `heun`): without noise it is `x' = x + dt f(x)`, as Brian2's scheme reduces to.
    case heun
    /// Conditionally linear `dx/dt = A x + B` (A, B free of x): `x' = (x + B/A) e^{A dt} - B/A`, `x + dt B` when
    /// A is 0 (brian2 `exponential_euler`).
    case exponentialEuler = "exponential_euler"
    /// Linear systems with constant coefficients `dX/dt = M X + c`: `X' = e^{M dt} X + (∫0^dt e^{Ms} ds) c`
    /// through the matrix exponential (brian2 `exact`/`linear`, which solves the same system symbolically).
    case exact
}

/// A model in Brian2's language: equations, threshold, reset, refractoriness, method and the values of its
/// constants. The units of every value are SI base units internally (volt, second, amp, ...).
public struct EquationModelDescription: Sendable, Equatable {
    /// The equations, one per line.
    public var equations: String
    /// The threshold condition (e.g. `v > -50*mV`), or nil for no spikes.
    public var threshold: String?
    /// Reset statements (`v = vr; w += b`).
    public var reset: String?
    /// Refractory period: a time (`5*ms`, a parameter name) or a condition (`v > -40*mV`); nil for none.
    public var refractory: String?
    /// Integration method name (`euler`, `rk2`, `rk4`, `heun`, `exponential_euler`, `exact`, `linear`) or nil for
    /// Brian2's automatic choice (exact if possible, else euler).
    public var method: String?
    /// Values of the constants and parameters (`tau: "10*ms"`).
    public var parameters: [String: String]
    /// The name the input drives: a parameter replaced by the input at each step, or a state variable incremented by it.
    public var input: String?
    /// Initial values of state variables (default 0, as Brian2).
    public var initial: [String: String]
    /// Integration step (default 0.1 ms, Brian2's `defaultclock.dt`).
    public var dt: String
    /// Surrogate of the threshold's gradient and the scale of its argument (`1*mV`: the surrogate sees the
    /// threshold margin in millivolts).
    public var surrogate: Surrogate
    public var surrogateScale: String?

    public init(equations: String, threshold: String? = nil, reset: String? = nil, refractory: String? = nil,
                method: String? = nil, parameters: [String: String] = [:], input: String? = nil,
                initial: [String: String] = [:], dt: String = "0.1*ms", surrogate: Surrogate = .atan, surrogateScale: String? = nil) {
        self.equations = equations; self.threshold = threshold; self.reset = reset; self.refractory = refractory
        self.method = method; self.parameters = parameters; self.input = input; self.initial = initial; self.dt = dt
        self.surrogate = surrogate; self.surrogateScale = surrogateScale
    }
}

/// A model compiled from its description: the names, the program of one step, and how to derive the
/// constants of the exact method and the refractory steps from the parameters.
public final class CompiledEquations: Sendable {
    /// State variables: the differential equations' variables in order, then `_refractory` (steps left, for a
    /// refractory time) or `_not_refractory` (for a refractory condition) when the model is refractory.
    public let stateNames: [String]
    /// Their dimensions (the hidden refractory variable is dimensionless).
    public let stateDimensions: [Dimension]
    /// Parameters: those declared in the equations, then the constants named in `parameters`, then `dt`.
    public let parameterNames: [String]
    public let parameterDimensions: [Dimension]
    /// Default parameter values (SI).
    public let defaults: [Double]
    /// Initial state (SI).
    public let initialState: [Double]
    /// Parameters whose gradient the model gives: all but those in the exact method's matrix and the refractory time.
    public let learnable: [String]
    /// The method used (after the automatic choice).
    public let method: IntegrationMethod
    /// The step program.
    public let program: Program
    /// Whether the model has a threshold.
    public let isSpiking: Bool
    public let surrogate: Surrogate
    /// Input: the name and whether it increments a state variable.
    public let inputName: String?
    /// Exact method: coefficients of the matrix, `M[i][j]` over the exact variables (indices in `stateNames`).
    let exactMatrix: [[Sym]]
    /// Refractory time in seconds as an expression of the parameters (nil unless a time).
    let refractoryTime: Sym?
    /// Number of derived constants: n^2 entries of e^{M dt}, n^2 of the integral, 1 for the refractory steps.
    let derivedCount: Int
    /// Seconds spent compiling.
    public let compileSeconds: Double

    init(stateNames: [String], stateDimensions: [Dimension], parameterNames: [String], parameterDimensions: [Dimension],
         defaults: [Double], initialState: [Double], learnable: [String], method: IntegrationMethod, program: Program,
         isSpiking: Bool, surrogate: Surrogate, inputName: String?, exactMatrix: [[Sym]], refractoryTime: Sym?, derivedCount: Int,
         compileSeconds: Double) {
        self.stateNames = stateNames; self.stateDimensions = stateDimensions; self.parameterNames = parameterNames
        self.parameterDimensions = parameterDimensions; self.defaults = defaults; self.initialState = initialState
        self.learnable = learnable; self.method = method; self.program = program; self.isSpiking = isSpiking
        self.surrogate = surrogate; self.inputName = inputName; self.exactMatrix = exactMatrix
        self.refractoryTime = refractoryTime; self.derivedCount = derivedCount; self.compileSeconds = compileSeconds
    }

    /// Runs `body` with the program and its lane program (no copies of their arrays per call).
    @inline(__always)
    func withLaneProgram<R>(_ body: (Program, LaneProgram) -> R) -> R { body(program, program.lane) }

    /// The derived constants for parameter values `p` (SI, in `parameterNames` order).
    func derive(_ p: [Double]) -> [Float] {
        var env: [String: Double] = [:]
        for (k, n) in parameterNames.enumerated() { env[n] = p[k] }
        var out = [Float](repeating: 0, count: derivedCount)
        let n = exactMatrix.count
        if n > 0 {
            let dt = env["dt"] ?? 0
            // The augmented matrix [[M, I], [0, 0]] dt: its exponential holds e^{M dt} and ∫0^dt e^{Ms} ds.
            var a = [Double](repeating: 0, count: 4 * n * n)
            for i in 0..<n {
                for j in 0..<n { a[i * 2 * n + j] = ((try? exactMatrix[i][j].evaluate(env)) ?? .nan) * dt }
                a[i * 2 * n + n + i] = dt
            }
            let e = matrixExponential(a, 2 * n)
            for i in 0..<n {
                for j in 0..<n {
                    out[i * n + j] = Float(e[i * 2 * n + j])
                    out[n * n + i * n + j] = Float(e[i * 2 * n + n + j])
                }
            }
        }
        if let r = refractoryTime {
            let dt = env["dt"] ?? 1
            out[derivedCount - 1] = Float((((try? r.evaluate(env)) ?? 0) / dt).rounded())
        }
        return out
    }
}

/// `e^A` of a square matrix (row-major, `n x n`) by scaling and squaring with a Taylor series, in double precision.
func matrixExponential(_ a: [Double], _ n: Int) -> [Double] {
    var norm = 0.0
    for i in 0..<n { var s = 0.0; for j in 0..<n { s += Swift.abs(a[i * n + j]) }; norm = Swift.max(norm, s) }
    var squarings = 0
    if norm.isFinite, norm > 0.25 { squarings = Int(Foundation.ceil(Foundation.log2(norm / 0.25))) }
    let scale = Foundation.pow(2.0, Double(-squarings))
    let x = a.map { $0 * scale }
    func mul(_ p: [Double], _ q: [Double]) -> [Double] {
        var r = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for k in 0..<n where p[i * n + k] != 0 { for j in 0..<n { r[i * n + j] += p[i * n + k] * q[k * n + j] } } }
        return r
    }
    var result = [Double](repeating: 0, count: n * n)
    for i in 0..<n { result[i * n + i] = 1 }
    var term = result
    for k in 1...24 {
        term = mul(term, x).map { $0 / Double(k) }
        for i in 0..<(n * n) { result[i] += term[i] }
    }
    for _ in 0..<squarings { result = mul(result, result) }
    return result
}

/// Compiles a model description (see `EquationModelDescription`): parses and checks every part, chooses and
/// applies the integration method and builds the step program. Throws `EquationError` naming the place.
public func compileEquations(_ d: EquationModelDescription) throws -> CompiledEquations {
    let start = DispatchTime.now().uptimeNanoseconds
    let lines = try parseEquations(d.equations)
    guard lines.contains(where: { $0.kind == .differential }) else { throw EquationError("equations: no differential equation (dx/dt = ...)") }
    let valueChecker = Checker(names: [:], place: "")
    func quantity(_ text: String, _ place: String) throws -> Quantity {
        let c = Checker(names: valueChecker.names, place: place)
        let (s, dim, _) = try c.check(try parseExpression(text, place: place))
        guard let v = s.constant else { throw EquationError("\(place): '\(text)' is not a constant value") }
        return Quantity(v, dim)
    }
    let dtQ = try quantity(d.dt, "dt")
    guard dtQ.dimension == .second, dtQ.value > 0, dtQ.value.isFinite else { throw EquationError("dt: must be a positive time (e.g. 0.1*ms), got '\(d.dt)'") }

    let states: [EquationLine] = lines.filter { $0.kind == .differential }
    let subs = Dictionary(uniqueKeysWithValues: lines.filter { $0.kind == .subexpression }.map { ($0.name, $0) })
    var declared = lines.filter { $0.kind == .parameter }
    var names: [String: NameInfo] = [:]
    for s in states { names[s.name] = NameInfo(sym: .v(s.name), dimension: s.dimension, isBoolean: false) }

    // The input.
    var inputIncrements = false
    var inputDimension = Dimension.one
    if let input = d.input {
        if let s = states.first(where: { $0.name == input }) {
            inputIncrements = true; inputDimension = s.dimension
        } else if let k = declared.firstIndex(where: { $0.name == input }) {
            inputDimension = declared[k].dimension
            names[input] = NameInfo(sym: .v("_input"), dimension: inputDimension, isBoolean: false)
            declared.remove(at: k)
        } else {
            throw EquationError("input: '\(input)' is neither a state variable nor a parameter declared in the equations ('\(input) : unit')")
        }
    }

    // Parameters: declared ones, then constants from `parameters` in sorted order, then dt.
    var pNames: [String] = [], pDims: [Dimension] = [], pValues: [Double] = []
    var given = d.parameters
    for p in declared {
        var v = 0.0
        if let text = given.removeValue(forKey: p.name) {
            let q = try quantity(text, "parameter \(p.name)")
            guard q.dimension == p.dimension || q.value == 0 else {
                throw EquationError("parameter \(p.name): value '\(text)' has unit \(q.dimension), the equations declare \(p.dimension)")
            }
            v = q.value
        }
        pNames.append(p.name); pDims.append(p.dimension); pValues.append(v)
    }
    var used: Set<String> = []
    for l in lines { if let e = l.expression { collectNames(e, &used) } }
    for (text, place) in [(d.threshold, "threshold"), (d.refractory, "refractory")] {
        if let t = text { collectNames(try parseExpression(t, place: place), &used) }
    }
    if let r = d.reset { for st in try parseStatements(r, place: "reset") { collectNames(st.expression, &used) } }
    if let sc = d.surrogateScale { collectNames(try parseExpression(sc, place: "surrogate scale"), &used) }
    for name in given.keys.sorted() {
        guard isIdentifier(name) else { throw EquationError("parameters: '\(name)' is not a valid name") }
        if names[name] != nil || subs[name] != nil || name == "dt" {
            throw EquationError("parameters: '\(name)' is a variable of the equations, not a constant (give initial values under 'initial')")
        }
        let q = try quantity(given[name]!, "parameter \(name)")
        pNames.append(name); pDims.append(q.dimension); pValues.append(q.value)
    }
    pNames.append("dt"); pDims.append(.second); pValues.append(dtQ.value)
    for (k, n) in pNames.enumerated() { names[n] = NameInfo(sym: .v(n), dimension: pDims[k], isBoolean: false) }

    // Subexpressions, inlined in dependency order (cycles are errors).
    var resolving: Set<String> = []
    func resolve(_ name: String) throws {
        guard names[name] == nil, let line = subs[name] else { return }
        guard !resolving.contains(name) else { throw EquationError("equation '\(line.text)': '\(name)' depends on itself") }
        resolving.insert(name)
        var used: Set<String> = []
        collectNames(line.expression!, &used)
        for u in used { try resolve(u) }
        let (s, dim, b) = try Checker(names: names, place: "equation '\(line.text)'").check(line.expression!)
        guard dim == line.dimension || s.constant == 0 else {
            throw EquationError("equation '\(line.text)': inconsistent unit: the right-hand side has unit \(dim), declared \(line.dimension)")
        }
        names[name] = NameInfo(sym: s, dimension: line.dimension, isBoolean: b)
        resolving.remove(name)
    }
    for s in subs.keys.sorted() { try resolve(s) }
    func resolveAll(_ e: Expr) throws { var u: Set<String> = []; collectNames(e, &u); for n in u { try resolve(n) } }

    // Right-hand sides.
    var rhs: [Sym] = []
    for s in states {
        try resolveAll(s.expression!)
        let (f, dim, b) = try Checker(names: names, place: "equation '\(s.text)'").check(s.expression!)
        guard !b else { throw EquationError("equation '\(s.text)': the right-hand side is a condition") }
        guard dim == s.dimension / .second || f.constant == 0 else {
            throw EquationError("equation '\(s.text)': inconsistent unit: the right-hand side has unit \(dim), expected \(s.dimension / .second)")
        }
        rhs.append(f)
    }
    let stateNames = states.map(\.name)

    // Threshold, refractoriness, reset.
    var thresholdSym: Sym?
    if let t = d.threshold {
        let e = try parseExpression(t, place: "threshold")
        try resolveAll(e)
        let (s, _, b) = try Checker(names: names, place: "threshold '\(t)'").check(e)
        guard b else { throw EquationError("threshold '\(t)': must be a condition (e.g. v > vt)") }
        thresholdSym = s
    }
    var refractoryTime: Sym?, refractoryCondition: Sym?
    if let r = d.refractory {
        guard thresholdSym != nil else { throw EquationError("refractory: needs a threshold") }
        let e = try parseExpression(r, place: "refractory")
        try resolveAll(e)
        let (s, dim, b) = try Checker(names: names, place: "refractory '\(r)'").check(e)
        if b { refractoryCondition = s } else {
            guard dim == .second else { throw EquationError("refractory '\(r)': must be a time or a condition, got unit \(dim)") }
            guard s.names.allSatisfy({ pNames.contains($0) }) else {
                throw EquationError("refractory '\(r)': a refractory time may use parameters only")
            }
            refractoryTime = s
        }
    }
    var resets: [(index: Int, op: String, sym: Sym)] = []
    if let r = d.reset {
        guard thresholdSym != nil else { throw EquationError("reset: needs a threshold") }
        for st in try parseStatements(r, place: "reset") {
            guard let k = stateNames.firstIndex(of: st.variable) else {
                if names[st.variable] != nil { throw EquationError("\(st.place): '\(st.variable)' is not a state variable (only state variables can be reset)") }
                throw EquationError("\(st.place): undefined name '\(st.variable)'")
            }
            try resolveAll(st.expression)
            let (s, dim, b) = try Checker(names: names, place: st.place).check(st.expression)
            guard !b else { throw EquationError("\(st.place): assigns a condition") }
            let expected = st.op == "*=" || st.op == "/=" ? Dimension.one : states[k].dimension
            guard dim == expected || s.constant == 0 else {
                throw EquationError("\(st.place): inconsistent unit: \(dim) for '\(st.variable)' (\(expected))")
            }
            resets.append((k, st.op, s))
        }
    }

    for name in d.parameters.keys.sorted() where !used.contains(name) {
        throw EquationError("parameters: '\(name)' is not used by the equations, threshold, reset or refractory period")
    }

    // Hidden refractory state.
    var allStateNames = stateNames, allDims = states.map(\.dimension)
    if refractoryTime != nil { allStateNames.append("_refractory"); allDims.append(.one) }
    if refractoryCondition != nil { allStateNames.append("_not_refractory"); allDims.append(.one) }
    guard allStateNames.count <= EquationModel.stateCapacity else {
        throw EquationError("equations: \(allStateNames.count) state variables, at most \(EquationModel.stateCapacity) are supported")
    }
    guard pNames.count <= EquationModel.parameterCapacity else {
        throw EquationError("parameters: \(pNames.count) parameters, at most \(EquationModel.parameterCapacity) are supported")
    }

    // Initial values.
    var initial = [Double](repeating: 0, count: allStateNames.count)
    if refractoryCondition != nil { initial[allStateNames.count - 1] = 1 }
    for (name, text) in d.initial {
        guard let k = stateNames.firstIndex(of: name) else { throw EquationError("initial: '\(name)' is not a state variable") }
        let q = try quantity(text, "initial \(name)")
        guard q.dimension == states[k].dimension || q.value == 0 else {
            throw EquationError("initial \(name): '\(text)' has unit \(q.dimension), expected \(states[k].dimension)")
        }
        initial[k] = q.value
    }

    // The method.
    let isLinear = linearSystem(rhs, stateNames, parameters: Set(pNames))
    var method: IntegrationMethod
    if let m = d.method {
        guard let mm = m == "linear" ? .exact : IntegrationMethod(rawValue: m) else {
            throw EquationError("method: unknown '\(m)' (known: \(IntegrationMethod.allCases.map(\.rawValue).joined(separator: ", ")), linear)")
        }
        method = mm
        if method == .exact, isLinear == nil {
            throw EquationError("method exact: the equations are not linear with constant coefficients (use exponential_euler, rk4 or euler)")
        }
    } else {
        method = isLinear != nil ? .exact : .euler
    }
    if method == .exponentialEuler {
        for (i, f) in rhs.enumerated() where f.derivative(stateNames[i]).names.contains(stateNames[i]) {
            throw EquationError("method exponential_euler: equation '\(states[i].text)' is not conditionally linear in \(stateNames[i])")
        }
    }

    // Build the program.
    let g = GraphBuilder()
    let S = allStateNames.count
    let stateLoads = (0..<S).map { g.node(.state, payload: Float($0)) }
    let inputLoad = d.input != nil ? g.node(.input) : Int32(-1)
    let paramLoads = (0..<pNames.count).map { g.node(.parameter, payload: Float($0)) }
    var env: [String: Int32] = [:]
    for (k, n) in pNames.enumerated() { env[n] = paramLoads[k] }
    for k in 0..<stateNames.count { env[stateNames[k]] = stateLoads[k] }
    if d.input != nil {
        if inputIncrements { env[d.input!] = g.add(env[d.input!]!, inputLoad) } else { env["_input"] = inputLoad }
    }
    // Refractoriness at the start of the step.
    var held: Int32 = -1, notRefractory: Int32 = -1
    if refractoryTime != nil {
        held = g.node(.gt, stateLoads[S - 1], g.constant(0))
    } else if let cond = refractoryCondition {
        // Brian2: not_refractory = not_refractory or not (condition)
        notRefractory = g.node(.or, stateLoads[S - 1], g.node(.not, try g.emit(cond, env)))
        held = g.node(.not, notRefractory)
    }
    let dt = env["dt"]!
    func f(_ e: [String: Int32]) throws -> [Int32] { try rhs.map { try g.emit($0, e) } }
    func shifted(_ k: [Int32], _ factor: Double) -> [String: Int32] {
        var e = env
        for (i, n) in stateNames.enumerated() { e[n] = g.add(env[n]!, factor == 1 ? k[i] : g.div(k[i], g.constant(1 / factor))) }
        return e
    }
    var updated: [Int32] = []
    let x = stateNames.map { env[$0]! }
    var exactMatrix: [[Sym]] = []
    var derivedCount = 0
    switch method {
    case .euler, .heun:
        updated = try zip(x, f(env)).map { g.add($0, g.mul(dt, $1)) }
    case .rk2:
        let k = try f(env).map { g.mul(dt, $0) }
        updated = try zip(x, f(shifted(k, 0.5))).map { g.add($0, g.mul(dt, $1)) }
    case .rk4:
        let k1 = try f(env).map { g.mul(dt, $0) }
        let k2 = try f(shifted(k1, 0.5)).map { g.mul(dt, $0) }
        let k3 = try f(shifted(k2, 0.5)).map { g.mul(dt, $0) }
        let k4 = try f(shifted(k3, 1)).map { g.mul(dt, $0) }
        let two = g.constant(2), six = g.constant(6)
        updated = (0..<x.count).map { i in
            g.add(x[i], g.div(g.add(g.add(g.add(k1[i], g.mul(two, k2[i])), g.mul(two, k3[i])), k4[i]), six))
        }
    case .exponentialEuler:
        for (i, fi) in rhs.enumerated() {
            let name = stateNames[i]
            let A = fi.derivative(name), B = fi.substitute([name: .zero])
            if A.constant == 0 {
                updated.append(g.add(x[i], g.mul(dt, try g.emit(B, env))))
            } else if B.constant == 0 {
                updated.append(g.mul(x[i], g.node(.exp, g.mul(try g.emit(A, env), dt))))
            } else {
                let ba = try g.emit(B / A, env)
                let e = g.node(.exp, g.mul(try g.emit(A, env), dt))
                updated.append(g.sub(g.mul(g.add(x[i], ba), e), ba))
            }
        }
    case .exact:
        let (m, c) = isLinear!
        exactMatrix = m
        let n = stateNames.count
        derivedCount = 2 * n * n
        // Structural reachability: entry (i, j) of e^{M dt} can be non-zero only if j reaches i through M.
        var reach = (0..<n).map { i in (0..<n).map { j in i == j || m[i][j].constant != 0 } }
        for k in 0..<n { for i in 0..<n where reach[i][k] { for j in 0..<n where reach[k][j] { reach[i][j] = true } } }
        let cRegs = try c.map { $0.constant == 0 ? Int32(-1) : try g.emit($0, env) }
        for i in 0..<n {
            var acc: Int32 = -1
            func plus(_ t: Int32) { acc = acc < 0 ? t : g.add(acc, t) }
            for j in 0..<n where reach[i][j] { plus(g.mul(g.node(.derived, payload: Float(i * n + j)), x[j])) }
            for j in 0..<n where reach[i][j] && cRegs[j] >= 0 { plus(g.mul(g.node(.derived, payload: Float(n * n + i * n + j)), cRegs[j])) }
            updated.append(acc < 0 ? g.constant(0) : acc)
        }
    }
    if refractoryTime != nil { derivedCount += 1 }
    for (i, s) in states.enumerated() where s.flags.contains("unless refractory") && held >= 0 {
        updated[i] = g.node(.select, held, x[i], updated[i])
    }
    var after = env
    for (i, n) in stateNames.enumerated() { after[n] = updated[i] }
    // Threshold (through the surrogate when it is a comparison), then the reset statements in order.
    var spike: Int32 = g.constant(0)
    if let t = thresholdSym {
        var scale = 1.0
        if let sc = d.surrogateScale { scale = try quantity(sc, "surrogate scale").value }
        if case .f(let op, let args) = t, [.gt, .ge, .lt, .le].contains(op) {
            let l = try g.emit(args[0], after), r = try g.emit(args[1], after)
            var u = op == .gt || op == .ge ? g.sub(l, r) : g.sub(r, l)
            if scale != 1 { u = g.div(u, g.constant(scale)) }
            spike = g.node(.fire, u, payload: op == .ge || op == .le ? 1 : 0)
        } else {
            spike = try g.emit(t, after)
        }
        if held >= 0 { spike = g.node(.select, held, g.constant(0), spike) }
        let oneMinus = g.sub(g.constant(1), spike)
        for r in resets {
            let name = stateNames[r.index], cur = after[name]!
            let e = try g.emit(r.sym, after)
            switch r.op {
            case "=": after[name] = g.add(g.mul(oneMinus, cur), g.mul(spike, e))
            case "+=": after[name] = g.add(cur, g.mul(spike, e))
            case "-=": after[name] = g.sub(cur, g.mul(spike, e))
            case "*=": after[name] = g.add(g.mul(oneMinus, cur), g.mul(spike, g.mul(cur, e)))
            default: after[name] = g.add(g.mul(oneMinus, cur), g.mul(spike, g.div(cur, e)))
            }
        }
    }
    var outputs = stateNames.map { after[$0]! }
    let fired = g.node(.gt, spike, g.constant(0))
    if refractoryTime != nil {
        // Brian2's counter: R - 1 steps after a spike, else one less down to 0 (no gradient).
        let steps = g.node(.derived, payload: Float(derivedCount - 1))
        let down = g.node(.max, g.sub(stateLoads[S - 1], g.constant(1)), g.constant(0))
        outputs.append(g.node(.select, fired, g.node(.max, g.sub(steps, g.constant(1)), g.constant(0)), down))
    } else if refractoryCondition != nil {
        outputs.append(g.node(.select, fired, g.constant(0), notRefractory))
    }
    outputs.append(spike)
    let program = g.finish(outputs: outputs, stateLoads: stateLoads, inputLoad: inputLoad,
                           parameterLoads: paramLoads)

    // Learnable: parameters outside the exact matrix and the refractory time.
    var fixed: Set<String> = []
    for row in exactMatrix { for e in row { fixed.formUnion(e.names) } }
    if let r = refractoryTime { fixed.formUnion(r.names) }
    fixed.insert("dt")
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return CompiledEquations(stateNames: allStateNames, stateDimensions: allDims, parameterNames: pNames, parameterDimensions: pDims,
                             defaults: pValues, initialState: initial, learnable: pNames.filter { !fixed.contains($0) },
                             method: method, program: program, isSpiking: thresholdSym != nil, surrogate: d.surrogate,
                             inputName: d.input, exactMatrix: exactMatrix, refractoryTime: refractoryTime,
                             derivedCount: derivedCount, compileSeconds: seconds)
}

func collectNames(_ e: Expr, _ set: inout Set<String>) {
    switch e {
    case .number: break
    case .name(let n, _): set.insert(n)
    case .unary(_, let a, _): collectNames(a, &set)
    case .binary(_, let a, let b, _): collectNames(a, &set); collectNames(b, &set)
    case .call(_, let args, _): for a in args { collectNames(a, &set) }
    }
}

/// `dX/dt = M X + c` with M depending on parameters only (not on the states or the input): M and c, else nil.
func linearSystem(_ rhs: [Sym], _ states: [String], parameters: Set<String>) -> (m: [[Sym]], c: [Sym])? {
    var m: [[Sym]] = []
    let zero = Dictionary(uniqueKeysWithValues: states.map { ($0, Sym.zero) })
    for f in rhs {
        var row: [Sym] = []
        for x in states {
            let d = f.derivative(x)
            guard d.names.isSubset(of: parameters) else { return nil }
            row.append(d)
        }
        // Comparisons, floor and similar have zero derivative but are not linear: reject them.
        if containsNonlinearStep(f, states) { return nil }
        m.append(row)
    }
    return (m, rhs.map { $0.substitute(zero) })
}

func containsNonlinearStep(_ s: Sym, _ states: [String]) -> Bool {
    guard case .f(let op, let args) = s else { return false }
    switch op {
    case .floor, .ceil, .trunc, .sign, .lt, .le, .gt, .ge, .eq, .ne, .and, .or, .not, .select, .mod, .min, .max, .abs:
        if !s.names.isDisjoint(with: states) { return true }
    default: break
    }
    return args.contains { containsNonlinearStep($0, states) }
}
