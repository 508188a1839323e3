import Foundation
import SpikeCKernels
import SpikeNeurons

/// A neuron model defined by equations in Brian2's language, compiled once into a step program
/// (see `compileEquations`), and one more `NeuronModel`: it runs in `NeuronKernel` (and so in `SpikingLayer`,
/// `RecurrentSpikingLayer`, `spike neuron`) and, eight lanes at a time, in SpikeSim's neuron groups.
///
/// One step: the input is applied (it replaces a parameter, or increments a state variable); refractoriness is
/// decided (Brian2's counter `timestep(t - lastspike) >= timestep(refractory)`, or `not_refractory or not
/// (condition)`); the equations are integrated with the chosen method, variables marked `(unless refractory)`
/// keeping their value while refractory; the threshold fires `z = Θ(margin)` (a comparison's margin, scaled by
/// the surrogate scale, goes through the surrogate backward; not while refractory); the reset statements run in
/// order as `x = (1 - z) x + z e`. The gradient is the exact VJP of that discrete step (reverse mode over the
/// step program), the threshold's through the surrogate.
///
/// Values are in SI base units (volt, second, amp, siemens, ...). State: at most `stateCapacity` variables
/// (the equations' and a hidden refractory one); parameters: at most `parameterCapacity`.
public struct EquationModel: NeuronModel, LaneSteppable, @unchecked Sendable {
    public typealias State = FloatVector<8>
    public typealias Parameters = FloatVector<32>
    public static let stateCapacity = 8
    public static let parameterCapacity = 32

    public static var id: String { "equations" }
    /// Placeholder names of the capacity (use `instanceStateNames` for a model's names).
    public static var stateNames: [String] { (0..<stateCapacity).map { "s\($0)" } }
    public static var isSpiking: Bool { true }
    public static var parameterNames: [String] { (0..<parameterCapacity).map { "p\($0)" } }

    /// The compiled equations.
    public let compiled: CompiledEquations
    /// The surrogate of the threshold.
    public var surrogate: Surrogate
    var values: Parameters
    var uniforms: [Float] = []
    /// The uniform values the lane program reads, broadcast (in `LaneProgram.uniforms` order).
    var uniformLanes: [SIMD8<Float>] = []
    var initial: State

    /// Compiles `equations` (Brian2 syntax, one per line) with the threshold condition, reset statements,
    /// refractory period (time or condition), method (nil: Brian2's automatic choice) and constant values
    /// (`["tau": "10*ms"]`); see `EquationModelDescription` for the rest.
    public init(equations: String, threshold: String? = nil, reset: String? = nil, refractory: String? = nil,
                method: String? = nil, parameters: [String: String] = [:], input: String? = nil, initial: [String: String] = [:],
                dt: String = "0.1*ms", surrogate: Surrogate = .atan, surrogateScale: String? = nil) throws {
        try self.init(EquationModelDescription(equations: equations, threshold: threshold, reset: reset, refractory: refractory,
                                               method: method, parameters: parameters, input: input, initial: initial, dt: dt,
                                               surrogate: surrogate, surrogateScale: surrogateScale))
    }

    /// Compiles a description.
    public init(_ description: EquationModelDescription) throws {
        self.init(compiled: try compileEquations(description))
    }

    /// A model of compiled equations with their default parameters.
    public init(compiled: CompiledEquations) {
        self.compiled = compiled
        surrogate = compiled.surrogate
        var p = Parameters()
        for (k, v) in compiled.defaults.enumerated() { p[k] = Float(v) }
        values = p
        var s = State()
        for (k, v) in compiled.initialState.enumerated() { s[k] = Float(v) }
        initial = s
        derive()
    }

    mutating func derive() {
        let P = compiled.parameterNames.count
        let derived = compiled.derive((0..<P).map { Double(values[$0]) })
        var u = [Float](repeating: 0, count: compiled.program.count)
        var pv = (0..<P).map { values[$0] }
        if pv.isEmpty { pv = [0] }
        let sur = surrogate
        u.withUnsafeMutableBufferPointer { ub in
            pv.withUnsafeBufferPointer { pp in
                (derived.isEmpty ? [0] : derived).withUnsafeBufferPointer { dp in
                    compiled.program.evaluateUniform(ub.baseAddress!, parameters: pp.baseAddress!, derived: dp.baseAddress!, surrogate: sur)
                }
            }
        }
        uniforms = u
        uniformLanes = compiled.program.lane.uniforms.map { SIMD8<Float>(repeating: u[Int($0.1)]) }
        if uniformLanes.isEmpty { uniformLanes = [.zero] }   // never read; keeps the table's pointer valid
    }

    public var parameters: Parameters {
        get { values }
        set { values = newValue; derive() }
    }

    /// The value of parameter `name` (SI).
    public subscript(parameter name: String) -> Float? {
        compiled.parameterNames.firstIndex(of: name).map { values[$0] }
    }

    /// Sets parameter `name` (SI); throws for unknown names.
    public mutating func set(_ name: String, _ value: Float) throws {
        guard let k = compiled.parameterNames.firstIndex(of: name) else {
            throw EquationError("no parameter '\(name)' (parameters: \(compiled.parameterNames.joined(separator: ", ")))")
        }
        values[k] = value
        derive()
    }

    public var instanceStateNames: [String] { compiled.stateNames }
    public var instanceParameterNames: [String] {
        compiled.parameterNames + (compiled.parameterNames.count..<Self.parameterCapacity).map { "_unused\($0)" }
    }
    public var instanceLearnableParameterNames: [String] { compiled.learnable }
    public var instanceID: String { "equations" }
    public var instanceIsSpiking: Bool { compiled.isSpiking }

    public var initialState: State { initial }

    /// Sets the initial value of a state variable (SI).
    public mutating func setInitial(_ name: String, _ value: Float) throws {
        guard let k = compiled.stateNames.firstIndex(of: name) else { throw EquationError("initial: no state variable '\(name)'") }
        initial[k] = value
    }

    @inline(__always)
    func withRegisters<R>(_ x: Float, _ s: State, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        let p = compiled.program
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: max(p.count, 1)) { buf in
            let r = buf.baseAddress!
            uniforms.withUnsafeBufferPointer { u in r.update(from: u.baseAddress!, count: p.count) }
            for (k, l) in p.stateLoads.enumerated() { r[Int(l)] = s[k] }
            if p.inputLoad >= 0 { r[Int(p.inputLoad)] = x }
            p.evaluateVarying(r, surrogate: surrogate)
            return body(r)
        }
    }

    public func step(_ x: Float, _ s: State) -> (out: Float, next: State) {
        let p = compiled.program
        return withRegisters(x, s) { r in
            var n = State()
            let S = p.outputs.count - 1
            for k in 0..<S { n[k] = r[Int(p.outputs[k])] }
            return (r[Int(p.outputs[S])], n)
        }
    }

    /// Reverse mode over the step program: adjoints of the input, the state and the parameters.
    func vjp(_ x: Float, _ s: State, gOut: Float, gNext: State) -> (gx: Float, gPrev: State, gParam: Parameters) {
        let p = compiled.program
        let sur = surrogate
        return withRegisters(x, s) { r in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: max(p.count, 1)) { gb in
                let g = gb.baseAddress!
                g.initialize(repeating: 0, count: p.count)
                let S = p.outputs.count - 1
                for k in 0..<S { g[Int(p.outputs[k])] += gNext[k] }
                g[Int(p.outputs[S])] += gOut
                p.backpropagate(r, g, surrogate: sur)
                var gs = State(), gp = Parameters()
                for (k, l) in p.stateLoads.enumerated() { gs[k] = g[Int(l)] }
                // The hidden refractory variable is discrete: no gradient.
                if compiled.stateNames.last?.hasPrefix("_") == true { gs[p.stateLoads.count - 1] = 0 }
                for (k, l) in p.parameterLoads.enumerated() where compiled.learnable.contains(compiled.parameterNames[k]) { gp[k] = g[Int(l)] }
                return (p.inputLoad >= 0 ? g[Int(p.inputLoad)] : 0, gs, gp)
            }
        }
    }

    public func stepVJP(_ x: Float, _ s: State, gOut: Float, gNext: State) -> (gx: Float, gPrev: State) {
        let v = vjp(x, s, gOut: gOut, gNext: gNext)
        return (v.gx, v.gPrev)
    }

    public func parameterVJP(_ x: Float, _ s: State, gOut: Float, gNext: State) -> Parameters {
        vjp(x, s, gOut: gOut, gNext: gNext).gParam
    }

    // MARK: lanes

    public var canStepLanes: Bool { !surrogate.smoothForward }
    public var prefersBlocks: Bool { true }

    public func stepLanes(_ x: SIMD8<Float>, _ s: UnsafeMutablePointer<SIMD8<Float>>) -> SIMD8<Float> {
        var out = SIMD8<Float>()
        withUnsafePointer(to: x) { xp in stepBlocks(1, x: xp, states: s, stride: State.count, spikes: &out) }
        return out
    }

    /// Steps `blocks` blocks of eight neurons: inputs `x[j]`, states of block j at `states + j * stride`
    /// (variable k at `states[j * stride + k]`), spikes written to `spikes[j]`. The program runs one instruction
    /// over all blocks at a time.
    public func stepBlocks(_ blocks: Int, x: UnsafePointer<SIMD8<Float>>, states: UnsafeMutablePointer<SIMD8<Float>>, stride: Int,
                           spikes: UnsafeMutablePointer<SIMD8<Float>>) {
        let w = blocks
        compiled.withLaneProgram { p, lane in
            withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: max(lane.registers, 1) * w) { buf in
                let r = buf.baseAddress!
                if lane.input >= 0 { let o = Int(lane.input) * w; for j in 0..<w { r[o + j] = x[j] } }
                let S = lane.outputs.count - 1
                // SpikeCKernels' AVX2 loop (same bits) when the program is in its subset and the CPU has AVX2; it
                // reads uniform operands from the broadcast table, so only uniform outputs are copied.
                var ran: Int32 = 0
                if let native = lane.native, !surrogate.smoothForward {
                    ran = native.withUnsafeBufferPointer { ins in
                        uniformLanes.withUnsafeBufferPointer { u in
                            UnsafeRawPointer(u.baseAddress!).withMemoryRebound(to: Float.self, capacity: u.count * 8) { uf in
                                UnsafeMutableRawPointer(r).withMemoryRebound(to: Float.self, capacity: lane.registers * w * 8) { f in
                                    UnsafeRawPointer(states).withMemoryRebound(to: Float.self, capacity: w * stride * 8) { sf in
                                        sk_eq_run(ins.baseAddress, ins.count, f, uf, sf, stride * 8, w)
                                    }
                                }
                            }
                        }
                    }
                    if ran != 0 {
                        uniformLanes.withUnsafeBufferPointer { u in
                            for (dreg, k) in lane.outputUniforms { let o = Int(dreg) * w; for j in 0..<w { r[o + j] = u[Int(k)] } }
                        }
                        // Outputs: a variable whose next value is its own load is unchanged (never copied in).
                        for k in 0..<S where lane.outputs[k] != lane.stateLoads[k] {
                            let o = Int(lane.outputs[k]) * w; for j in 0..<w { states[j * stride + k] = r[o + j] }
                        }
                    }
                }
                if ran == 0 {
                    for (k, l) in lane.stateLoads.enumerated() where l >= 0 { let o = Int(l) * w; for j in 0..<w { r[o + j] = states[j * stride + k] } }
                    uniformLanes.withUnsafeBufferPointer { u in
                        for (k, (dreg, _)) in lane.uniforms.enumerated() { let v = u[k]; let o = Int(dreg) * w; for j in 0..<w { r[o + j] = v } }
                    }
                    p.evaluateLanes(r, width: w, surrogate: surrogate)
                    for k in 0..<S { let o = Int(lane.outputs[k]) * w; for j in 0..<w { states[j * stride + k] = r[o + j] } }
                }
                let o = Int(lane.outputs[S]) * w
                for j in 0..<w { spikes[j] = r[o + j] }
            }
        }
    }
}
