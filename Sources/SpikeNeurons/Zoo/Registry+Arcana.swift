import Foundation

extension NeuronRegistry {
    /// The numeric parameters of `dpi` (arcana's `DPINeuron` keyword names, SI units) and its settings.
    static let dpiInfo: [ParameterInfo] = {
        let units: [String: (String, String)] = [
            "Itau_mem": ("A", "soma leakage bias; tau_mem = Ut C_mem / (kappa Itau_mem)"),
            "Igain_mem": ("A", "soma gain bias"),
            "Ipfb_th": ("A", "positive-feedback threshold"),
            "Ipfb_norm": ("1/A", "positive-feedback sigmoid slope"),
            "Ith": ("A", "firing threshold: spike when Imem >= Ith"),
            "Idc": ("A", "constant input current (clamped at I0)"),
            "refractory": ("s", "refractory period: soma input blocked after a spike"),
            "Itau_ampa": ("A", "AMPA leakage bias"), "Igain_ampa": ("A", "AMPA gain bias"), "Iw_ampa": ("A", "AMPA weight bias (current per count)"),
            "Itau_nmda": ("A", "NMDA leakage bias"), "Igain_nmda": ("A", "NMDA gain bias"), "Iw_nmda": ("A", "NMDA weight bias"),
            "Inmda_thr": ("A", "NMDA gate: passes Inmda / (1 + Inmda_thr / Imem)"),
            "Itau_gabaa": ("A", "GABAa (shunting) leakage bias"), "Igain_gabaa": ("A", "GABAa gain bias"), "Iw_gabaa": ("A", "GABAa weight bias"),
            "Itau_gabab": ("A", "GABAb (subtractive) leakage bias"), "Igain_gabab": ("A", "GABAb gain bias"), "Iw_gabab": ("A", "GABAb weight bias"),
            "C_mem": ("F", "membrane capacitance"), "C_ampa": ("F", "AMPA capacitance"), "C_nmda": ("F", "NMDA capacitance"),
            "C_gabaa": ("F", "GABAa capacitance"), "C_gabab": ("F", "GABAb capacitance"), "dt": ("s", "Euler time step"),
        ]
        var info = zip(DPI.names, DPI.defaults).map { name, value in
            ParameterInfo(name, "\(value)", units[name]!.0, units[name]!.1)
        }
        info += [
            ParameterInfo("I0", "\(DPI.defaultI0)", "A", "dark current: floor of all currents, reset value (arcana 0.5e-13)"),
            ParameterInfo("Ut", "\(DPI.defaultUt)", "V", "thermal voltage"),
            ParameterInfo("kappa", "\(DPI.defaultKappa)", "", "subthreshold slope factor, (kappa_n + kappa_p)/2"),
            ParameterInfo("synapse", "ampa", "", "synapse the input x (weight count per step) drives: ampa, nmda, gabaa, gabab"),
            ParameterInfo("surrogate", "fast-sigmoid", "", "surrogate gradient on (Imem - Ith)/Ith: \(surrogateNames)"),
            ParameterInfo("alpha", "10", "", "surrogate shape (arcana's fast_sigmoid scale 10)"),
            ParameterInfo("detach", "false", "", "stop gradients through the NMDA, GABAa and positive-feedback terms (as arcana)"),
            ParameterInfo("train", "all", "", "comma-separated parameters that get a gradient, 'all' or 'none'"),
            ParameterInfo("train_Itau_mem", "false", "", "arcana flag; any train_* flag given: train exactly the flagged ones"),
            ParameterInfo("train_Igain_mem", "false", "", "arcana flag (Igain_mem)"),
            ParameterInfo("train_Idc", "false", "", "arcana flag (Idc)"),
            ParameterInfo("train_ampa", "false", "", "arcana flag (Iw_ampa)"),
            ParameterInfo("train_gabab", "false", "", "arcana flag (Iw_gabab)"),
        ]
        return info
    }()

    /// The Arcana models of the zoo.
    static let arcanaEntries: [NeuronEntry] = [
        NeuronEntry(id: "dpi",
                    summary: "Dynap-SE DPI neuron (arcana DPINeuron; rockpool DynapSim): Isyn = max(I0, Isyn(1 - dt/tau_syn) + Igain/Itau Iw x); "
                        + "Imem += dt [alpha(Iin - Itau - I0 - Igabaa) - beta Imem - Igabaa Imem/Itau + f(Imem)] / (tau (1 + Igain/Imem)); "
                        + "spike if Imem >= Ith; reset to I0",
                    parameters: dpiInfo, build: { try dpi(parameters: $0) }),
    ]

    /// arcana `DPINeuron` parameters (SI units, arcana's keyword names) plus the constants `I0`, `Ut`, `kappa`,
    /// the capacitances, `dt`, `synapse`, `surrogate`/`alpha`, `detach` and the train flags.
    public static func dpi(parameters p: [String: Any]) throws -> DPI {
        let r = Reader("dpi", p, dpiInfo)
        var m = DPI()
        var values = m.parameters
        for (k, name) in DPI.names.enumerated() {
            let domain: Reader.Domain = (name == "Idc" || name == "refractory") ? .nonNegative : .positive
            values[k] = try r.number(name, DPI.defaults[k], domain)
        }
        m.parameters = values
        m.I0 = try r.number("I0", DPI.defaultI0, .positive)
        m.Ut = try r.number("Ut", DPI.defaultUt, .positive)
        m.kappa = try r.number("kappa", DPI.defaultKappa, .positive)
        let syn = try r.string("synapse", "ampa")!
        guard let s = DPISynapse(rawValue: syn.lowercased()) else {
            throw ParameterError("dpi: synapse must be one of \(DPISynapse.allCases.map(\.rawValue).joined(separator: ", ")), got '\(syn)'")
        }
        m.synapse = s
        m.surrogate = try surrogate(try r.string("surrogate", "fast-sigmoid")!, alpha: try r.optionalNumber("alpha", 10))
        m.detach = try r.bool("detach", false)
        let flags: [(String, [String])] = [("train_Itau_mem", ["Itau_mem"]), ("train_Igain_mem", ["Igain_mem"]), ("train_Idc", ["Idc"]),
                                           ("train_ampa", ["Iw_ampa"]), ("train_gabab", ["Iw_gabab"])]
        var train: Set<String>
        switch try r.string("train", "all")!.lowercased() {
        case "all": train = Set(DPI.learnableParameterNames)
        case "none", "": train = []
        case let list:
            train = []
            for name in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard let known = DPI.learnableParameterNames.first(where: { $0.lowercased() == name }) else {
                    throw ParameterError("dpi: train: '\(name)' is not a learnable parameter (learnable: \(DPI.learnableParameterNames.joined(separator: ", ")))")
                }
                train.insert(known)
            }
        }
        if flags.contains(where: { p[$0.0] != nil }) {
            train = p["train"] == nil ? [] : train
            for (flag, names) in flags where try r.bool(flag, false) { train.formUnion(names) }
        }
        m.train = train
        try m.validate()
        return m
    }
}
