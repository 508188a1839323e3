import Foundation

/// The four synapse types of a Dynap-SE neuron (arcana's `DPINeuron`): the index of each in a
/// `SIMD4<Float>` synaptic input is its raw value order (ampa 0, nmda 1, gabaa 2, gabab 3).
public enum DPISynapse: String, Sendable, CaseIterable, Equatable {
    /// Fast excitatory synapse: its current adds to the soma input `Iin`.
    case ampa
    /// Slow excitatory synapse, voltage gated: adds `Inmda / (1 + Inmda_thr / Imem)` to `Iin`.
    case nmda
    /// Shunting inhibitory synapse: enters the soma as `-alpha Igabaa - Igabaa Imem / Itau_mem`.
    case gabaa
    /// Subtractive inhibitory synapse: its current is subtracted from `Iin`.
    case gabab

    /// Position in the `(ampa, nmda, gabaa, gabab)` input vector.
    @inlinable public var index: Int {
        switch self {
        case .ampa: return 0
        case .nmda: return 1
        case .gabaa: return 2
        case .gabab: return 3
        }
    }
}

/// The Dynap-SE DPI (differential-pair integrator) neuron of arcana (`arcana.model.DPINeuron`, ferqui/ARCANA,
/// the DynapSEtorch package), with its four DPI synapses (AMPA, NMDA, GABAa, GABAb). The membrane is the DPI
/// soma of Chicca et al. 2014 (Proc. IEEE 102(9)) and the synapses DPI circuits (Bartolozzi & Indiveri 2007), as
/// in rockpool's `DynapSim` (synsense/rockpool, `rockpool/devices/dynapse/dynapsim.py`) and teili's `dpi_neuron`
/// (Brian2); where they differ we follow arcana (see below). Names: arcana's `Igain_mem` is the gain that teili
/// calls `Ith`, and arcana's `Ith` is the firing threshold (`Ispkthr` in rockpool and teili). Forward Euler with
/// step `dt` (s); per step, in arcana's order:
///
///     tau_X   = Ut C_X / (kappa Itau_X)                                   (every DPI circuit X)
///     Isyn_k1 = Isyn_k + (Igain_k / Itau_k) Iw_k n_k                      (n_k: weight count arriving at synapse k)
///     Isyn_k' = max(I0, Isyn_k1 - Isyn_k dt / tau_k)                       (decay from the value before the jump)
///     Iin     = max(I0, [Idc + Iampa1 + Inmda1 / (1 + Inmda_thr / Imem) - Igabab1] · [refractory <= 0])
///     Ifb     = I0^(1/(kappa+1)) Imem^(kappa/(kappa+1)) / (1 + exp(-Ipfb_norm (Imem - Ipfb_th)))
///     f       = Ifb / Itau_mem · (Imem + Igain_mem)
///     dImem   = [alpha (Iin - Itau_mem - Iahp - Igabaa1) - beta Imem - Igabaa1 Imem / Itau_mem + f]
///               / (tau_mem (1 + Igain_mem / Imem)),   alpha = Igain_mem / Itau_mem, beta = 1 + I0 / Itau_mem, Iahp = I0
///     Imem1   = max(I0, Imem + dImem dt)
///     S       = Θ(Imem1 - Ith)                 (fires on Imem >= Ith, arcana's `V >= 0`)
///     Imem'   = Imem1 (1 - S) + I0 S
///     refractory' = max(refractory - dt, 0) (1 - S) + t_ref S
///
/// Every bias current (`Itau_*`, `Igain_*`, `Iw_*`, `Inmda_thr`, `Idc`) is used clamped at `I0`, as arcana does
/// after applying mismatch. GABAa is shunting, GABAb subtractive (arcana). Without the AHP block (arcana uses
/// `Iahp = I0`). rockpool's `DynapSim` differs in the synaptic jump (`Ith Iw / Itau (1 - exp(-t_pulse/tau))`, a
/// pulse-width model) and, with teili, in the positive feedback (a sigmoid `Ia_gain / (1 + exp(-(Imem -+ Ia_th)/Ia_norm))`);
/// their membrane equation is the same DPI form.
///
/// **Units.** Parameters (the vector, the registry, `NeuronParameterTable`) are SI, with arcana's names and
/// values: currents in A, capacitances in F, `Ipfb_norm` in 1/A, `refractory` and `dt` in s. The arithmetic runs
/// in picoamperes (currents x 1e12, capacitances in pF, so that `C/I` stays in seconds): this keeps states and
/// gradients near 1 in float32 instead of 1e-12. States: `v` (V), the membrane voltage `(Ut/kappa) ln(Imem/I0)`
/// (`I2V` of `Imem`, 0 at rest, derived each step, never read back), `Imem`, `Iampa`, `Inmda`, `Igabaa`,
/// `Igabab` (pA), `refractory` (s left). Initial state: every current `I0`, `refractory` 0.
///
/// **Input.** The per-element input `x` is the weighted spike count arriving at one synapse (`synapse`, default
/// AMPA) in this step, `x = Σ_i round(W_i) s_i` (see `DPIWeights`); the soma also gets `Idc`. The four-synapse
/// step `step(_ input: SIMD4<Float>, _:)` (with its VJPs) is public, so that a Dynap-SE layer with four weight
/// matrices can be built on it; the scalar `step` is that step with `x` at one synapse.
///
/// **Gradients.** Backward uses `surrogate` for dS/dImem on the normalised argument `(Imem1 - Ith)/Ith`
/// (default fast sigmoid, slope 10, arcana's `fast_sigmoid` scale). arcana applies it to `Imem - Ith` in amperes,
/// where its derivative is ~1 per ampere (1e-12 per pA) and relies on gradient hooks (x1e10, x1e-12) to rescale;
/// we normalise instead. The backward pass is the exact gradient of the forward (clamps pass gradient where the
/// clamped value is >= the floor, as `torch.clamp_min`). arcana also detaches the NMDA, GABAa and positive-feedback
/// terms of dImem; `detach = true` reproduces that. Parameter gradients are per SI unit (per ampere, farad,
/// 1/A) and are given for the parameters in `train` (arcana's `train_*` flags; default: all learnable).
/// arcana learns `alpha = Igain/Itau` and `beta = 1 + I0/Itau` instead of the biases; we learn the biases.
///
/// Constants (arcana's class attributes): `I0` 0.5e-13 A (rockpool uses 5e-13), `Ut` 25 mV,
/// `kappa` (0.75 + 0.66)/2 = 0.705; `C_mem` 3 pF, synapse capacitances 2 pF; `dt` 1 ms.
public struct DPI: NeuronModel {
    /// `v` (V), `Imem`, `Iampa`, `Inmda`, `Igabaa`, `Igabab` (pA), `refractory` (s), in `stateNames` order.
    public typealias State = FloatVector<7>
    /// The 26 numeric parameters of `names` (SI units).
    public typealias Parameters = FloatVector<26>
    /// "dpi".
    public static var id: String { "dpi" }
    /// `v` (V), `Imem`, `Iampa`, `Inmda`, `Igabaa`, `Igabab` (pA), `refractory` (s).
    public static var stateNames: [String] { ["v", "Imem", "Iampa", "Inmda", "Igabaa", "Igabab", "refractory"] }
    /// The output is the spike.
    public static var isSpiking: Bool { true }

    /// arcana's dark current `I0` (A).
    public static let defaultI0: Float = 0.5e-13
    /// Thermal voltage `Ut` (V).
    public static let defaultUt: Float = 25e-3
    /// Subthreshold slope factor, arcana's `(0.75 + 0.66) / 2`.
    public static let defaultKappa: Float = (0.75 + 0.66) / 2

    /// The numeric parameters (SI units, arcana's names): soma biases, synapse biases, capacitances, `dt`.
    public static let names: [String] = [
        "Itau_mem", "Igain_mem", "Ipfb_th", "Ipfb_norm", "Ith", "Idc", "refractory",
        "Itau_ampa", "Igain_ampa", "Iw_ampa",
        "Itau_nmda", "Igain_nmda", "Iw_nmda", "Inmda_thr",
        "Itau_gabaa", "Igain_gabaa", "Iw_gabaa",
        "Itau_gabab", "Igain_gabab", "Iw_gabab",
        "C_mem", "C_ampa", "C_nmda", "C_gabaa", "C_gabab", "dt",
    ]
    /// arcana's defaults, in the order of `names`.
    public static let defaults: [Float] = [
        5e-12, 20e-12, 500e-12, 1.470e9, 2000e-12, 1e-12, 0,
        20e-12, 80e-12, 80e-12,
        20e-12, 80e-12, 80e-12, 5e-13,
        20e-12, 80e-12, 80e-12,
        20e-12, 80e-12, 80e-12,
        3e-12, 2e-12, 2e-12, 2e-12, 2e-12, 1e-3,
    ]
    /// `names`.
    public static var parameterNames: [String] { names }
    /// Every parameter but `refractory` and `dt` has a gradient.
    public static var learnableParameterNames: [String] { names.filter { $0 != "refractory" && $0 != "dt" } }

    // Indices into the parameter vector.
    @usableFromInline static let kItauMem = 0, kIgainMem = 1, kIpfbTh = 2, kIpfbNorm = 3, kIth = 4, kIdc = 5, kRef = 6
    @usableFromInline static let kItauSyn = SIMD4<Int>(7, 10, 14, 17), kIgainSyn = SIMD4<Int>(8, 11, 15, 18)
    @usableFromInline static let kIwSyn = SIMD4<Int>(9, 12, 16, 19), kCSyn = SIMD4<Int>(21, 22, 23, 24)
    @usableFromInline static let kInmdaThr = 13, kCMem = 20, kDt = 25

    /// Allowed values of the vector (static, so without `I0`): currents > 0 (`Idc` >= 0), `Ipfb_norm` > 0,
    /// capacitances > 0, `refractory` >= 0, `dt` > 0. A bias below `I0` is used as `I0` (arcana's clamp);
    /// `validate()` rejects it for a single model.
    public static func parameterDomainError(_ k: Int, _ value: Float) -> String? {
        guard value.isFinite else { return "finite" }
        switch k {
        case kIdc, kRef: return value >= 0 ? nil : ">= 0"
        default: return value > 0 ? nil : "> 0"
        }
    }

    /// The numeric parameters in SI units (order `names`). Setting them recomputes the derived constants.
    public var parameters: FloatVector<26> { didSet { updateDerived() } }
    /// Dark current `I0` (A): floor of every current, the reset value and the unit of `I2V`.
    public var I0: Float { didSet { updateDerived() } }
    /// Thermal voltage `Ut` (V).
    public var Ut: Float { didSet { updateDerived() } }
    /// Subthreshold slope factor `kappa` (arcana's single `KAPPA`, the mean of n- and p-type).
    public var kappa: Float { didSet { updateDerived() } }
    /// The synapse that the scalar input `x` drives.
    public var synapse: DPISynapse
    /// Surrogate of dS/dImem, applied to `(Imem - Ith)/Ith`.
    public var surrogate: Surrogate
    /// Stop the gradient through the NMDA, GABAa and positive-feedback terms of dImem, as arcana does.
    public var detach: Bool
    /// Bit k set: parameter k (`names[k]`) receives a gradient in `parameterVJP`.
    public var trainMask: UInt32

    // Derived constants, in pA, pF, s, 1/pA.
    @usableFromInline var i0: Float = 0, utk: Float = 0, expo: Float = 0, c0: Float = 0
    @usableFromInline var itau: Float = 0, igain: Float = 0, alpha: Float = 0, beta: Float = 0, tau: Float = 0, cmem: Float = 0
    @usableFromInline var pth: Float = 0, pn: Float = 0, ith: Float = 0, invIth: Float = 0, idc: Float = 0, refP: Float = 0, dt: Float = 0
    @usableFromInline var nthr: Float = 0
    @usableFromInline var itauS = SIMD4<Float>(), igainS = SIMD4<Float>(), iwS = SIMD4<Float>(), cS = SIMD4<Float>()
    @usableFromInline var gS = SIMD4<Float>(), dS = SIMD4<Float>()
    /// 1 where the bias is at or above `I0` (the clamp passes gradient), else 0.
    @usableFromInline var passItau: Float = 1, passIgain: Float = 1, passIdc: Float = 1, passNthr: Float = 1
    @usableFromInline var passTauS = SIMD4<Float>(repeating: 1), passGainS = SIMD4<Float>(repeating: 1), passWS = SIMD4<Float>(repeating: 1)

    /// A DPI neuron with arcana's defaults (SI units; see `names` for the meaning of each bias).
    /// `train`: names of the parameters that get a gradient (default: all of `learnableParameterNames`).
    public init(Itau_mem: Float = 5e-12, Igain_mem: Float = 20e-12, Ipfb_th: Float = 500e-12, Ipfb_norm: Float = 1.470e9,
                Ith: Float = 2000e-12, Idc: Float = 1e-12, refractory: Float = 0,
                Itau_ampa: Float = 20e-12, Igain_ampa: Float = 80e-12, Iw_ampa: Float = 80e-12,
                Itau_nmda: Float = 20e-12, Igain_nmda: Float = 80e-12, Iw_nmda: Float = 80e-12, Inmda_thr: Float = 5e-13,
                Itau_gabaa: Float = 20e-12, Igain_gabaa: Float = 80e-12, Iw_gabaa: Float = 80e-12,
                Itau_gabab: Float = 20e-12, Igain_gabab: Float = 80e-12, Iw_gabab: Float = 80e-12,
                C_mem: Float = 3e-12, C_ampa: Float = 2e-12, C_nmda: Float = 2e-12, C_gabaa: Float = 2e-12, C_gabab: Float = 2e-12,
                dt: Float = 1e-3, I0: Float = DPI.defaultI0, Ut: Float = DPI.defaultUt, kappa: Float = DPI.defaultKappa,
                synapse: DPISynapse = .ampa, surrogate: Surrogate = Surrogate(.fastSigmoid, alpha: 10), detach: Bool = false,
                train: Set<String>? = nil) {
        parameters = FloatVector([Itau_mem, Igain_mem, Ipfb_th, Ipfb_norm, Ith, Idc, refractory,
                                  Itau_ampa, Igain_ampa, Iw_ampa, Itau_nmda, Igain_nmda, Iw_nmda, Inmda_thr,
                                  Itau_gabaa, Igain_gabaa, Iw_gabaa, Itau_gabab, Igain_gabab, Iw_gabab,
                                  C_mem, C_ampa, C_nmda, C_gabaa, C_gabab, dt])
        self.I0 = I0; self.Ut = Ut; self.kappa = kappa
        self.synapse = synapse; self.surrogate = surrogate; self.detach = detach
        trainMask = DPI.mask(train ?? Set(DPI.learnableParameterNames))
        updateDerived()
    }

    /// The bit mask of a set of parameter names (unknown and non-learnable names are ignored; `validate` of the
    /// registry rejects them).
    public static func mask(_ names: Set<String>) -> UInt32 {
        var m: UInt32 = 0
        for (k, n) in DPI.names.enumerated() where names.contains(n) && learnableParameterNames.contains(n) { m |= 1 << UInt32(k) }
        return m
    }

    /// Names of the parameters that receive a gradient (arcana's `train_*` flags).
    public var train: Set<String> {
        get { Set(DPI.names.enumerated().filter { trainMask & (1 << UInt32($0.offset)) != 0 }.map(\.element)) }
        set { trainMask = DPI.mask(newValue) }
    }

    /// The value of parameter `name` (SI).
    public subscript(name: String) -> Float {
        get { parameters[DPI.index(name)] }
        set { parameters[DPI.index(name)] = newValue }
    }

    static func index(_ name: String) -> Int {
        guard let k = names.firstIndex(of: name) else { preconditionFailure("dpi: no parameter '\(name)' (have \(names))") }
        return k
    }

    mutating func updateDerived() {
        let p = parameters
        let pA: Float = 1e12
        i0 = I0 * pA
        utk = Ut / kappa
        expo = kappa / (kappa + 1)
        c0 = Foundation.pow(i0, 1 / (kappa + 1))
        func clamp(_ v: Float) -> (Float, Float) { let x = v * pA; return x >= i0 ? (x, 1) : (i0, 0) }
        (itau, passItau) = clamp(p[DPI.kItauMem])
        (igain, passIgain) = clamp(p[DPI.kIgainMem])
        (idc, passIdc) = clamp(p[DPI.kIdc])
        (nthr, passNthr) = clamp(p[DPI.kInmdaThr])
        alpha = igain / itau
        beta = 1 + i0 / itau
        cmem = p[DPI.kCMem] * pA
        tau = utk * cmem / itau
        pth = p[DPI.kIpfbTh] * pA
        pn = p[DPI.kIpfbNorm] / pA
        ith = p[DPI.kIth] * pA
        invIth = 1 / ith
        refP = p[DPI.kRef]
        dt = p[DPI.kDt]
        for j in 0..<4 {
            (itauS[j], passTauS[j]) = clamp(p[DPI.kItauSyn[j]])
            (igainS[j], passGainS[j]) = clamp(p[DPI.kIgainSyn[j]])
            (iwS[j], passWS[j]) = clamp(p[DPI.kIwSyn[j]])
            cS[j] = p[DPI.kCSyn[j]] * pA
        }
        gS = igainS / itauS * iwS
        dS = dt / (utk * cS / itauS)
    }

    /// Checks the parameters of this model: every bias current (all but `Idc`) >= `I0`, `Idc` >= 0,
    /// `Ipfb_norm` > 0, capacitances > 0, `refractory` >= 0, `dt` > 0, `I0` > 0, `Ut` > 0, `kappa` in (0, 1].
    /// Throws a one-line `ParameterError` naming the parameter and the allowed range.
    public func validate() throws {
        func fail(_ name: String, _ range: String, _ v: Float) -> ParameterError {
            ParameterError("dpi: \(name) must be \(range), got \(v)")
        }
        guard I0.isFinite, I0 > 0 else { throw fail("I0", "> 0 A", I0) }
        guard Ut.isFinite, Ut > 0 else { throw fail("Ut", "> 0 V", Ut) }
        guard kappa.isFinite, kappa > 0, kappa <= 1 else { throw fail("kappa", "in (0, 1]", kappa) }
        for (k, name) in DPI.names.enumerated() {
            let v = parameters[k]
            let range: String?
            switch k {
            case DPI.kIdc: range = v >= 0 ? nil : ">= 0 A"
            case DPI.kRef: range = v >= 0 ? nil : ">= 0 s"
            case DPI.kDt: range = v > 0 ? nil : "> 0 s"
            case DPI.kIpfbNorm: range = v > 0 ? nil : "> 0 1/A"
            case DPI.kCMem, DPI.kCSyn[0], DPI.kCSyn[1], DPI.kCSyn[2], DPI.kCSyn[3]: range = v > 0 ? nil : "> 0 F"
            default: range = v >= I0 ? nil : ">= I0 = \(I0) A (the dark current)"
            }
            if let range { throw fail(name, range, v) }
            guard v.isFinite else { throw fail(name, "finite", v) }
        }
    }

    /// The state before the first step: every current at `I0` (pA), `v` = 0 V, no refractory time left.
    public var initialState: FloatVector<7> {
        var s = FloatVector<7>()
        for k in 1...5 { s[k] = i0 }
        return s
    }

    /// The soma time constant `tau_mem = Ut C_mem / (kappa Itau_mem)` (s).
    public var tauMem: Float { tau }
    /// A synapse's time constant `Ut C_k / (kappa Itau_k)` (s).
    public func tauSynapse(_ k: DPISynapse) -> Float { utk * cS[k.index] / itauS[k.index] }

    /// Subthreshold transistor current to gate voltage, arcana's `DPINeuron.I2V`: `V = (Ut/kappa) ln(I / I0)`
    /// (I and I0 in the same unit, V in volts).
    @inlinable public static func I2V(_ current: Float, I0: Float = defaultI0, Ut: Float = defaultUt, kappa: Float = defaultKappa) -> Float {
        Ut / kappa * Foundation.log(current / I0)
    }

    /// Gate voltage to subthreshold transistor current, arcana's `DPINeuron.V2I`: `I = I0 exp(kappa V / Ut)`.
    @inlinable public static func V2I(_ voltage: Float, I0: Float = defaultI0, Ut: Float = defaultUt, kappa: Float = defaultKappa) -> Float {
        I0 * Foundation.exp(kappa * voltage / Ut)
    }

    // MARK: - One step

    /// The forward intermediates of one step (pA).
    @usableFromInline struct Trace {
        @usableFromInline var m: Float = 0, r: Float = 0
        @usableFromInline var I = SIMD4<Float>(), I1 = SIMD4<Float>(), I2 = SIMD4<Float>()
        @usableFromInline var q: Float = 0, open: Float = 0, iin0: Float = 0, iin: Float = 0, sp: Float = 0, ifb: Float = 0, f: Float = 0
        @usableFromInline var N: Float = 0, D: Float = 0, m1raw: Float = 0, m1: Float = 0, z: Float = 0, s: Float = 0
        @usableFromInline var mNew: Float = 0, rdec: Float = 0
        @inlinable init() {}
    }

    @inlinable @inline(__always) func run(_ n: SIMD4<Float>, _ st: FloatVector<7>) -> Trace {
        var t = Trace()
        let m = st[1], r = st[6]
        t.m = m; t.r = r
        t.I = SIMD4<Float>(st[2], st[3], st[4], st[5])
        t.I1 = t.I + gS * n
        t.I2 = t.I1 - dS * t.I
        t.q = 1 + nthr / m
        let dp = t.I1[1] / t.q
        t.open = r <= 0 ? 1 : 0
        t.iin0 = (idc + t.I1[0] + dp - t.I1[3]) * t.open
        t.iin = Swift.max(t.iin0, i0)
        t.sp = 1 / (1 + Foundation.exp(-pn * (m - pth)))
        t.ifb = c0 * Foundation.exp(expo * Foundation.log(m)) * t.sp
        t.f = t.ifb / itau * (m + igain)
        t.N = alpha * (t.iin - itau - i0 - t.I1[2]) - beta * m - (t.I1[2] / itau) * m + t.f
        t.D = tau * (1 + igain / m)
        t.m1raw = m + t.N / t.D * dt
        t.m1 = Swift.max(t.m1raw, i0)
        t.z = (t.m1 - ith) * invIth
        t.s = surrogate.spike(t.z)
        t.mNew = (1 - t.s) * t.m1 + t.s * i0
        t.rdec = Swift.max(r - dt, 0)
        return t
    }

    /// One step with weight counts `input = (ampa, nmda, gabaa, gabab)` arriving at the four synapses: the
    /// spike and the next state. The scalar `step` is this with `x` at `synapse`.
    @inlinable @inline(__always) public func step(_ input: SIMD4<Float>, _ s: FloatVector<7>) -> (out: Float, next: FloatVector<7>) {
        let t = run(input, s)
        let Inew = t.I2.replacing(with: i0, where: t.I2 .< i0)
        var next = FloatVector<7>()
        next[0] = utk * Foundation.log(t.mNew / i0)
        next[1] = t.mNew
        next[2] = Inew[0]; next[3] = Inew[1]; next[4] = Inew[2]; next[5] = Inew[3]
        next[6] = (1 - t.s) * t.rdec + t.s * refP
        return (t.s, next)
    }

    /// `step(SIMD4(ampa, nmda, gabaA, gabaB), s)`.
    @inlinable public func step(ampa: Float, nmda: Float, gabaA: Float, gabaB: Float, _ s: FloatVector<7>) -> (out: Float, next: FloatVector<7>) {
        step(SIMD4(ampa, nmda, gabaA, gabaB), s)
    }

    /// The input vector of the scalar model: `x` at `synapse`.
    @inlinable @inline(__always) func input(_ x: Float) -> SIMD4<Float> {
        var n = SIMD4<Float>()
        n[synapse.index] = x
        return n
    }

    /// One step with weight count `x` at `synapse` (see the type's documentation).
    @inlinable @inline(__always) public func step(_ x: Float, _ s: FloatVector<7>) -> (out: Float, next: FloatVector<7>) {
        step(input(x), s)
    }

    /// The backward pass of one four-synapse step: gradients of the inputs, of the previous state and (when
    /// `parameters` is set) of the SI parameters, masked by `trainMask`.
    @inlinable @inline(__always)
    func backward(_ n: SIMD4<Float>, _ st: FloatVector<7>, gOut: Float, gNext: FloatVector<7>, parameters wantP: Bool)
        -> (gn: SIMD4<Float>, gPrev: FloatVector<7>, gp: FloatVector<26>) {
        let t = run(n, st)
        let m = t.m
        let keep: Float = detach ? 0 : 1
        // Reset, refractory timer and v.
        let gmNew = gNext[1] + gNext[0] * utk / t.mNew
        let gr = gNext[6]
        let gs = gOut + gmNew * (i0 - t.m1) + gr * (refP - t.rdec)
        let sg = surrogate.derivative(t.z)
        let gm1 = gmNew * (1 - t.s) + gs * sg * invIth
        let gm1raw: Float = t.m1raw >= i0 ? gm1 : 0
        // m1raw = m + (N / D) dt
        let gND = gm1raw * dt
        let gN = gND / t.D
        let gD = -gND * t.N / (t.D * t.D)
        let gIin0: Float = t.iin0 >= i0 ? gN * alpha : 0
        let gsum = gIin0 * t.open
        let ga = t.I1[2]
        var gI1 = SIMD4<Float>(gsum, keep * gsum / t.q, keep * gN * (-alpha - m / itau), -gsum)
        let dIfb = t.ifb * (expo / m + pn * (1 - t.sp))          // d Ifb / d m
        let dfdm = (dIfb * (m + igain) + t.ifb) / itau
        let mn = m + nthr
        var gm = gm1raw
        gm += gN * (-beta - keep * ga / itau + keep * dfdm)
        gm += gD * (-tau * igain / (m * m))
        gm += keep * gsum * t.I1[1] * nthr / (mn * mn)
        // Synapses: I2 = I1 - d I, I' = max(I2, I0).
        let gINew = SIMD4<Float>(gNext[2], gNext[3], gNext[4], gNext[5])
        let gI2 = gINew.replacing(with: 0, where: t.I2 .< i0)
        gI1 += gI2
        var gPrev = FloatVector<7>()
        gPrev[1] = gm
        let gIprev = gI1 - dS * gI2
        gPrev[2] = gIprev[0]; gPrev[3] = gIprev[1]; gPrev[4] = gIprev[2]; gPrev[5] = gIprev[3]
        gPrev[6] = t.r - dt >= 0 ? gr * (1 - t.s) : 0
        var gp = FloatVector<26>()
        if wantP {
            let pA: Float = 1e12
            let bias = t.iin - itau - i0 - ga
            // Soma (pA units, then per ampere).
            let dNdIgain = bias / itau + keep * t.ifb / itau
            let dNdItau = -alpha / itau * bias - alpha + i0 * m / (itau * itau) + keep * ga * m / (itau * itau) - keep * t.f / itau
            gp[DPI.kIgainMem] = (gN * dNdIgain + gD * tau / m) * passIgain * pA
            gp[DPI.kItauMem] = (gN * dNdItau - gD * t.D / itau) * passItau * pA
            let dfdArg = keep * t.f * (1 - t.sp)                   // d f / d (pn (m - pth))
            gp[DPI.kIpfbTh] = gN * dfdArg * (-pn) * pA
            gp[DPI.kIpfbNorm] = gN * dfdArg * (m - pth) / pA
            gp[DPI.kIth] = -gs * sg * t.m1 * invIth * invIth * pA
            gp[DPI.kIdc] = gsum * passIdc * pA
            gp[DPI.kCMem] = gD * t.D / cmem * pA
            gp[DPI.kInmdaThr] = -keep * gsum * t.I1[1] * m / (mn * mn) * passNthr * pA
            // Synapses: g = Igain Iw / Itau, d = dt kappa Itau / (Ut C).
            let gG = gI1 * n
            let gDec = -gI2 * t.I
            let gIgain = gG * iwS / itauS * passGainS * pA
            let gIw = gG * igainS / itauS * passWS * pA
            let gItau = (-gG * gS / itauS + gDec * dS / itauS) * passTauS * pA
            let gC = -gDec * dS / cS * pA
            for j in 0..<4 {
                gp[DPI.kIgainSyn[j]] = gIgain[j]
                gp[DPI.kIwSyn[j]] = gIw[j]
                gp[DPI.kItauSyn[j]] = gItau[j]
                gp[DPI.kCSyn[j]] = gC[j]
            }
            for k in 0..<26 where trainMask & (1 << UInt32(k)) == 0 { gp[k] = 0 }
        }
        return (gI1 * gS, gPrev, gp)
    }

    /// VJP of the four-synapse step: gradients of the four inputs and of the previous state.
    @inlinable public func stepVJP(_ input: SIMD4<Float>, _ s: FloatVector<7>, gOut: Float, gNext: FloatVector<7>)
        -> (gInput: SIMD4<Float>, gPrev: FloatVector<7>) {
        let b = backward(input, s, gOut: gOut, gNext: gNext, parameters: false)
        return (b.gn, b.gPrev)
    }

    /// Gradient of the four-synapse step with respect to the SI parameters (zero outside `train`).
    @inlinable public func parameterVJP(_ input: SIMD4<Float>, _ s: FloatVector<7>, gOut: Float, gNext: FloatVector<7>) -> FloatVector<26> {
        backward(input, s, gOut: gOut, gNext: gNext, parameters: true).gp
    }

    /// VJP of the scalar `step`: the gradient of `x` (the input of `synapse`) and of the previous state.
    @inlinable @inline(__always) public func stepVJP(_ x: Float, _ s: FloatVector<7>, gOut: Float, gNext: FloatVector<7>) -> (gx: Float, gPrev: FloatVector<7>) {
        let b = backward(input(x), s, gOut: gOut, gNext: gNext, parameters: false)
        return (b.gn[synapse.index], b.gPrev)
    }

    /// Gradient of the scalar `step` with respect to the SI parameters (zero outside `train`).
    @inlinable public func parameterVJP(_ x: Float, _ s: FloatVector<7>, gOut: Float, gNext: FloatVector<7>) -> FloatVector<26> {
        backward(input(x), s, gOut: gOut, gNext: gNext, parameters: true).gp
    }
}

extension DPI {
    /// A per-neuron parameter table for `neurons` neurons of `model` with device mismatch on each of `biases`:
    /// every value multiplied by `1 + fraction z`, z standard normal (`NeuronParameterTable.addMismatch`, the
    /// Gaussian relative mismatch of arcana's `add_mismatch`; a draw outside the domain is redrawn, a value that
    /// lands in (0, I0) is used as I0 as arcana clamps it). E.g. 20% on `Itau_mem` gives each neuron its own
    /// `tau_mem = Ut C_mem / (kappa Itau_mem[n])`.
    public static func mismatched(_ model: DPI = DPI(), neurons: Int, fraction: Float, biases: [String] = ["Itau_mem"],
                                  seed: UInt64) throws -> NeuronParameterTable {
        var t = NeuronParameterTable(model, neurons: neurons)
        for b in biases { try t.addMismatch(b, fraction: fraction, seed: seed, model: DPI.self) }
        return t
    }
}

/// Dynap-SE synaptic weights as integer counts (arcana's `round(W)` with a straight-through gradient): the input
/// of a synapse in one step is `x[r, o] = Σ_i round(W[o, i]) s[r, i]` (torch's `linear(X, round(W))`, rounding
/// half to even as `torch.round`), each count carrying `Iw` of current per spike. The backward pass treats the
/// rounding as the identity (straight-through estimator): it is the gradient of `Σ_i W[o, i] s[r, i]`.
public enum DPIWeights {
    /// The integer count of a weight: `round(w)`, half to even.
    @inlinable public static func count(_ w: Float) -> Float { w.rounded(.toNearestOrEven) }

    /// `x[r, o] = Σ_i round(W[o, i]) spikes[r, i]` for `W` `[outputs, inputs]` and `spikes` `[rows, inputs]`
    /// (rows = time x batch), row-major.
    public static func synapticInput(weights w: [Float], spikes s: [Float], rows: Int, inputs: Int, outputs: Int) -> [Float] {
        precondition(w.count == outputs * inputs && s.count == rows * inputs, "DPIWeights.synapticInput: shapes differ")
        let wr = w.map(count)
        var x = [Float](repeating: 0, count: rows * outputs)
        for r in 0..<rows {
            for o in 0..<outputs {
                var acc: Float = 0
                for i in 0..<inputs { acc += wr[o * inputs + i] * s[r * inputs + i] }
                x[r * outputs + o] = acc
            }
        }
        return x
    }

    /// VJP of `synapticInput` with the straight-through rounding: `gW[o, i] = Σ_r g[r, o] s[r, i]`,
    /// `gS[r, i] = Σ_o g[r, o] round(W[o, i])`.
    public static func synapticInputVJP(weights w: [Float], spikes s: [Float], gradOutput g: [Float], rows: Int, inputs: Int,
                                        outputs: Int) -> (gradWeights: [Float], gradSpikes: [Float]) {
        precondition(g.count == rows * outputs, "DPIWeights.synapticInputVJP: gradient has \(g.count) values, expected \(rows * outputs)")
        var gw = [Float](repeating: 0, count: outputs * inputs)
        var gs = [Float](repeating: 0, count: rows * inputs)
        for r in 0..<rows {
            for o in 0..<outputs {
                let go = g[r * outputs + o]
                if go == 0 { continue }
                for i in 0..<inputs {
                    gw[o * inputs + i] += go * s[r * inputs + i]
                    gs[r * inputs + i] += go * count(w[o * inputs + i])
                }
            }
        }
        return (gw, gs)
    }
}
