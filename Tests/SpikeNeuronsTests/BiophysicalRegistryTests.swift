import XCTest
@testable import SpikeNeurons

/// The biophysical models in the registry: reference parameter names, presets, and one-line errors.
final class BiophysicalRegistryTests: XCTestCase {
    func error(_ id: String, _ p: [String: Any]) -> String {
        do { _ = try NeuronRegistry.model(id, parameters: p); return "no error" } catch { return "\(error)" }
    }

    func testRegisteredWithEveryNumericParameterListed() throws {
        for (id, type) in [("izhikevich2003", Izhikevich2003.self as any NeuronModel.Type), ("aeif", AEIF.self),
                           ("hh", HodgkinHuxley.self), ("glif", GLIF5.self)] {
            let e = try NeuronRegistry.entry(id)
            XCTAssertFalse(e.summary.isEmpty)
            let listed = Set(e.parameters.map(\.name))
            XCTAssertTrue(Set(type.parameterNames).isSubset(of: listed), "\(id): \(Set(type.parameterNames).subtracting(listed))")
            XCTAssertTrue(e.parameters.allSatisfy { !$0.help.isEmpty }, id)
            let m = try NeuronRegistry.model(id, parameters: [:])
            XCTAssertEqual(m.id, id)
            XCTAssertTrue(m.isSpiking)
            XCTAssertEqual(m.stateNames.first, "v")
        }
    }

    func testIzhikevichFromNorseNamesAndPresets() throws {
        let m = try NeuronRegistry.izhikevich2003(parameters: ["a": 0.1, "b": "0.25", "c": -60, "d": 2, "v_th": 35, "dt": 0.5,
                                                               "sq": 0.04, "mn": 4.1, "bias": 108, "v0": -60])
        XCTAssertEqual(m, Izhikevich2003(a: 0.1, b: 0.25, c: -60, d: 2, vThreshold: 35, dt: 0.5, mn: 4.1, bias: 108, v0: -60))
        XCTAssertEqual(m.u0, -15)   // b * v0
        let dap = try NeuronRegistry.izhikevich2003(parameters: ["preset": "dap"])
        XCTAssertEqual(dap, Izhikevich2003(preset: .dap))
        XCTAssertEqual([dap.a, dap.b, dap.c, dap.d, dap.dt, dap.v0, dap.u0], [1, 0.2, -60, -21, 0.1, -70, -14])
        // Explicit values override the preset; u0 follows b and v0 unless the preset starts elsewhere.
        let o = try NeuronRegistry.izhikevich2003(parameters: ["preset": "class_1_exc", "d": 4, "v0": -62])
        XCTAssertEqual([o.a, o.b, o.d, o.mn, o.bias, o.v0], [0.02, -0.1, 4, 4.1, 108, -62])
        XCTAssertEqual(o.u0, 6.2, accuracy: 1e-5)
        XCTAssertEqual(try NeuronRegistry.izhikevich2003(parameters: ["preset": "accomodation"]).u0, -16)
        XCTAssertEqual(try NeuronRegistry.izhikevich2003(parameters: ["preset": "accomodation", "u0": -10]).u0, -10)
        for p in Izhikevich2003.Preset.allCases {
            XCTAssertEqual(try NeuronRegistry.izhikevich2003(parameters: ["preset": p.rawValue]), Izhikevich2003(preset: p))
        }
        // Norse 1.1.0's default method "super": SuperSpike with alpha ignored (slope 1), as the other Norse models.
        XCTAssertEqual(m.surrogate, .norseSuperSpike)
        XCTAssertEqual(m.surrogate, Surrogate(.fastSigmoid, alpha: 1))
        XCTAssertEqual(try NeuronRegistry.izhikevich2003(parameters: ["alpha": 20]).surrogate, .norseSuperSpike)
        for name in ["super", "superspike"] {
            XCTAssertEqual(try NeuronRegistry.izhikevich2003(parameters: ["surrogate": name]).surrogate, .norseSuperSpike)
            XCTAssertEqual(try NeuronRegistry.izhikevich2003(parameters: ["method": name]).surrogate, .norseSuperSpike)
        }
        XCTAssertEqual(try NeuronRegistry.izhikevich2003(parameters: ["method": "triangle", "alpha": 0.3]).surrogate, Surrogate(.triangle, alpha: 0.3))
        XCTAssertEqual(try NeuronRegistry.izhikevich2003(parameters: ["surrogate": "fast-sigmoid", "alpha": 20]).surrogate, Surrogate(.fastSigmoid, alpha: 20))
        XCTAssertEqual(try NeuronRegistry.izhikevich2003(parameters: ["surrogate": "atan", "alpha": 2]).surrogate, Surrogate(.atan, alpha: 2))
    }

    func testSPAICModelsFromSPAICNames() throws {
        let a = try NeuronRegistry.aeif(parameters: ["C": 200, "gL": 10, "EL": -70, "v_th": -50, "delta_t": 2, "a": 2,
                                                     "b": 0.0805, "tau_w": 30, "Vspk": 0, "V": -65, "dt": 0.05])
        XCTAssertEqual(a, AEIF(capacitance: 200, gL: 10, eL: -70, vT: -50, deltaT: 2, a: 2, b: 0.0805, tauW: 30, vSpike: 0, v0: -65, dt: 0.05))
        XCTAssertEqual(try NeuronRegistry.aeif(parameters: [:]), AEIF())
        XCTAssertEqual(AEIF().b, 80.5)

        let h = try NeuronRegistry.hh(parameters: ["g_NA": 100, "g_K": 30, "g_L": 0.2, "E_NA": 120, "E_K": -10, "E_L": 10,
                                                   "C": 2, "v_th": 40, "Vreset": 1, "V": 2, "m": 0.5, "n": 0.5, "h": 0.06, "dt": 0.02])
        XCTAssertEqual(h.parameters, FloatVector([100, 30, 0.2, 120, -10, 10, 2, 40, 1, 2, 0.02]))
        XCTAssertEqual(h.initialState, FloatVector([2, 0.5, 0.5, 0.06]))
        XCTAssertEqual(try NeuronRegistry.hh(parameters: [:]), HodgkinHuxley())
        // SPAIC's initial gates (m = n = 0.5, h = 0.06) are far from rest: without input V swings away from 0
        // (to -7.6 mV) before settling, where the steady-state start stays put.
        let spaicGates = try NeuronRegistry.hh(parameters: ["m": 0.5, "n": 0.5, "h": 0.06])
        let v = BioRun.trace(BioRun.constant(spaicGates, [0], steps: 1500), HodgkinHuxley.self, 0, steps: 1500, neurons: 1, neuron: 0)
        XCTAssertEqual(v.min()!, -7.6, accuracy: 0.1)
        XCTAssertEqual(v.max()!, 3.5, accuracy: 0.1)

        let g = try NeuronRegistry.glif(parameters: ["C": 1, "R": 3, "E_L": -0.1, "Theta_inf": 0.9, "f_v": 0.2, "delta_v": 0.01,
                                                     "b_s": 0.03, "delta_Theta_s": 0.1, "k_1": 0.5, "k_2": 0.4, "delta_I1": 0.2,
                                                     "delta_I2": 0.3, "f1": 0.9, "f2": 0.8, "a_v": 0.1, "b_v": 0.2, "V": 0.1, "dt": 1])
        XCTAssertEqual(g.parameters, FloatVector([1, 3, -0.1, 0.9, 0.2, 0.01, 0.03, 0.1, 0.5, 0.4, 0.2, 0.3, 0.9, 0.8, 0.1, 0.2, 0.1, 1]))
        XCTAssertEqual(try NeuronRegistry.glif(parameters: [:]), GLIF5())
        XCTAssertEqual(GLIF5().surrogate, Surrogate(.rectangle, alpha: 1))
    }

    func testUnknownParameterIsNamed() {
        XCTAssertTrue(error("izhikevich2003", ["tau_inv": 250]).hasPrefix("izhikevich2003: unknown parameter 'tau_inv' (known: preset, a, b,"))
        XCTAssertTrue(error("aeif", ["tau_m": 1]).hasPrefix("aeif: unknown parameter 'tau_m' (known: C, gL, EL,"))
        XCTAssertTrue(error("hh", ["alpha_m1": 0.1]).hasPrefix("hh: unknown parameter 'alpha_m1'"))
        XCTAssertTrue(error("glif", ["tau_p": 1]).hasPrefix("glif: unknown parameter 'tau_p'"))
    }

    func testOutOfRangeValuesAreOneLineErrors() {
        XCTAssertEqual(error("izhikevich2003", ["dt": 0]), "izhikevich2003: dt must be > 0, got 0.0")
        XCTAssertEqual(error("aeif", ["C": -1]), "aeif: C must be > 0, got -1.0")
        XCTAssertEqual(error("aeif", ["tau_w": -5]), "aeif: tau_w must be > 0, got -5.0")
        XCTAssertEqual(error("aeif", ["gL": -1]), "aeif: gL must be >= 0, got -1.0")
        XCTAssertEqual(error("aeif", ["delta_t": 0]), "aeif: delta_t must be > 0, got 0.0")
        XCTAssertEqual(error("hh", ["g_K": -1]), "hh: g_K must be >= 0, got -1.0")
        XCTAssertEqual(error("hh", ["C": 0]), "hh: C must be > 0, got 0.0")
        XCTAssertEqual(error("hh", ["dt": -0.01]), "hh: dt must be > 0, got -0.01")
        XCTAssertEqual(error("hh", ["m": 1.5, "n": 0.3, "h": 0.6]), "hh: m must be in [0, 1], got 1.5")
        XCTAssertEqual(error("hh", ["m": 0.5]), "hh: give all of m, n, h or none of them (steady state at V)")
        XCTAssertEqual(error("glif", ["R": 0]), "glif: R must be > 0, got 0.0")
        XCTAssertEqual(error("glif", ["k_1": -0.1]), "glif: k_1 must be >= 0, got -0.1")
        XCTAssertEqual(error("glif", ["dt": 0]), "glif: dt must be > 0, got 0.0")
    }

    func testBadValuesAreRejected() {
        XCTAssertTrue(error("izhikevich2003", ["preset": "fast_spiking"]).hasPrefix("izhikevich2003: unknown preset 'fast_spiking' (known: tonic_spiking,"))
        XCTAssertEqual(error("aeif", ["a": "four"]), "aeif: a must be a number, got 'four'")
        XCTAssertEqual(error("glif", ["C": "inf"]), "glif: C must be a number, got 'inf'")
        XCTAssertTrue(error("hh", ["surrogate": "gauss"]).hasPrefix("unknown surrogate 'gauss'"))
        XCTAssertEqual(error("hh", ["alpha": -1]), "surrogate fast-sigmoid: alpha must be > 0, got -1.0")
    }

    /// Per-neuron values (mismatch, tables) are checked against the same domains.
    func testParameterDomainsForTables() throws {
        var t = NeuronParameterTable(HodgkinHuxley(), neurons: 2)
        t["C"] = [1, -1]
        XCTAssertThrowsError(try t.validate(for: HodgkinHuxley.self)) { XCTAssertEqual("\($0)", "hh: C of neuron 1 must be > 0, got -1.0") }
        var a = NeuronParameterTable(AEIF(), neurons: 2)
        a["tau_w"] = [144, 0]
        XCTAssertThrowsError(try a.validate(for: AEIF.self)) { XCTAssertEqual("\($0)", "aeif: tau_w of neuron 1 must be > 0, got 0.0") }
        var i = NeuronParameterTable(Izhikevich2003(), neurons: 1)
        i["dt"] = [-0.25]
        XCTAssertThrowsError(try i.validate(for: Izhikevich2003.self))
        var g = NeuronParameterTable(GLIF5(), neurons: 1)
        g["b_v"] = [-0.3]
        XCTAssertThrowsError(try g.validate(for: GLIF5.self))
        // Mismatch stays in the domain.
        var w = NeuronParameterTable(GLIF5(), neurons: 300)
        try w.addMismatch("C", fraction: 0.9, seed: 2, model: GLIF5.self)
        XCTAssertTrue(w["C"].allSatisfy { $0 > 0 })
        try w.validate(for: GLIF5.self)
    }
}
