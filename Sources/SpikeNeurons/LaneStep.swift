/// A model whose step can also run on eight neurons at once, in SIMD lanes, for the simulator's state
/// update (SpikeSim's `NeuronGroup`): the same equations as `step`, written with `SIMD8<Float>` operations in
/// the same order, so each lane equals `step` bit for bit (tests check this for every conforming model).
///
/// The state of the eight neurons is structure-of-arrays: `s[k]` holds state variable k of the eight lanes.
public protocol LaneSteppable: NeuronModel {
    /// Whether `stepLanes` may replace `step` for this value of the model (false e.g. with a smooth-forward
    /// surrogate, which only `step` implements).
    var canStepLanes: Bool { get }
    /// One step of eight neurons: inputs `x`, states `s[0 ..< State.count]` updated in place; returns the outputs.
    func stepLanes(_ x: SIMD8<Float>, _ s: UnsafeMutablePointer<SIMD8<Float>>) -> SIMD8<Float>
    /// Whether `stepBlocks` over many blocks is faster than `stepLanes` block by block (models compiled at
    /// run time, whose per-call dispatch is amortised over blocks). Default false.
    var prefersBlocks: Bool { get }
    /// Steps `blocks` blocks of eight neurons: inputs `x[j]`, the states of block j at `states + j * stride`
    /// (variable k at `states[j * stride + k]`), the outputs written to `spikes[j]`. Default: `stepLanes` per block.
    func stepBlocks(_ blocks: Int, x: UnsafePointer<SIMD8<Float>>, states: UnsafeMutablePointer<SIMD8<Float>>, stride: Int,
                    spikes: UnsafeMutablePointer<SIMD8<Float>>)
}

extension LaneSteppable {
    public var prefersBlocks: Bool { false }
    public func stepBlocks(_ blocks: Int, x: UnsafePointer<SIMD8<Float>>, states: UnsafeMutablePointer<SIMD8<Float>>, stride: Int,
                           spikes: UnsafeMutablePointer<SIMD8<Float>>) {
        for j in 0..<blocks { spikes[j] = stepLanes(x[j], states + j * stride) }
    }
}

/// The refractory counter of eight lanes after a step (see `brian2NextRefractory`): `R - 1` where `fire`,
/// else `max(ref - 1, 0)`.
@inlinable @inline(__always)
func brian2NextRefractoryLanes(_ ref: SIMD8<Float>, fire: SIMDMask<SIMD8<Int32>>, steps: Float) -> SIMD8<Float> {
    let down = (ref - 1).replacing(with: 0, where: ref - 1 .< 0)
    return down.replacing(with: max(steps - 1, 0), where: fire)
}

extension Brian2CUBA: LaneSteppable {
    public var canStepLanes: Bool { !surrogate.smoothForward }

    @inlinable @inline(__always)
    public func stepLanes(_ x: SIMD8<Float>, _ s: UnsafeMutablePointer<SIMD8<Float>>) -> SIMD8<Float> {
        let v = s[0], ge = s[1], gi = s[2], ref = s[3]
        let held = ref .> 0
        let vi = rest + (v - rest) * dm + ge * ke + gi * ki + x * (1 - dm)
        let vd = vi.replacing(with: v, where: held)
        let fire = (vd - threshold .> 0) .& .!held
        s[0] = vd.replacing(with: reset, where: fire)
        s[1] = ge * de
        s[2] = gi * di
        s[3] = brian2NextRefractoryLanes(ref, fire: fire, steps: refSteps)
        return SIMD8<Float>(repeating: 0).replacing(with: 1, where: fire)
    }
}

extension Brian2COBA: LaneSteppable {
    public var canStepLanes: Bool { !surrogate.smoothForward }

    @inlinable @inline(__always)
    public func stepLanes(_ x: SIMD8<Float>, _ s: UnsafeMutablePointer<SIMD8<Float>>) -> SIMD8<Float> {
        let v = s[0], ge = s[1], gi = s[2], ref = s[3]
        let held = ref .> 0
        let drive = ge * (excitatoryReversal - v) + gi * (inhibitoryReversal - v) - (v - rest) + bias + x
        let vd = (v + dt * drive / tauMembrane).replacing(with: v, where: held)
        let fire = (vd - threshold .> 0) .& .!held
        s[0] = vd.replacing(with: reset, where: fire)
        s[1] = ge - dt * ge / tauExcitatory
        s[2] = gi - dt * gi / tauInhibitory
        s[3] = brian2NextRefractoryLanes(ref, fire: fire, steps: brian2RefractorySteps(self.refractory, dt))
        return SIMD8<Float>(repeating: 0).replacing(with: 1, where: fire)
    }
}

extension Brian2DeltaLIF: LaneSteppable {
    public var canStepLanes: Bool { !surrogate.smoothForward }

    @inlinable @inline(__always)
    public func stepLanes(_ x: SIMD8<Float>, _ s: UnsafeMutablePointer<SIMD8<Float>>) -> SIMD8<Float> {
        let v = s[0], ref = s[1]
        let held = ref .> 0
        let vd = (rest + (v - rest) * decay + x).replacing(with: v, where: held)
        let fire = (vd - threshold .> 0) .& .!held
        s[0] = vd.replacing(with: reset, where: fire)
        s[1] = brian2NextRefractoryLanes(ref, fire: fire, steps: brian2RefractorySteps(refractory, dt))
        return SIMD8<Float>(repeating: 0).replacing(with: 1, where: fire)
    }
}
