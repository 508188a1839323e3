import Foundation
import SpikeCore
import SpikeNeurons
import SpikeCoding
import SpikeIO
import SpikeSim

/// The built-in examples of `spike simulate --example NAME`, written as network files (what `--print` shows),
/// each the network of a `NetworkExamples` function of SpikeSim with the same draws (the tests check that the
/// file and the function give the same spikes bit for bit).
public enum NetworkExampleFiles {
    /// Names of the examples.
    public static let names = ["cuba", "coba", "brunel", "stdp"]

    /// The settings each example takes (`--set NAME=VALUE`) with their defaults.
    public static let settings: [String: [(name: String, defaultValue: String, help: String)]] = [
        "cuba": [("neurons", "4000", "number of neurons, 80 % excitatory (>= 5)"),
                 ("p", "0.02", "connection probability"),
                 ("duration", "1000", "biological time in ms"),
                 ("seed", "1", "seed of connectivity and initial membranes")],
        "coba": [("neurons", "4000", "number of neurons, 80 % excitatory (>= 5)"),
                 ("p", "0.02", "connection probability"),
                 ("duration", "1000", "biological time in ms"),
                 ("seed", "1", "seed of connectivity and initial membranes")],
        "brunel": [("g", "5", "relative strength of inhibition (inhibitory weight -g J)"),
                   ("nu", "2", "external rate nu_ext / nu_thr"),
                   ("excitatory", "10000", "excitatory neurons N_E (N_I = N_E / 4; >= 4)"),
                   ("epsilon", "0.1", "connection probability: C_E = epsilon N_E, C_I = epsilon N_I inputs per neuron"),
                   ("duration", "300", "biological time in ms"),
                   ("seed", "1", "seed of connectivity and external input")],
        "stdp": [("inputs", "1000", "Poisson inputs onto the one neuron (>= 2)"),
                 ("correlated", "0.5", "fraction of the inputs (the first ones) that are correlated"),
                 ("correlation", "0.1", "pairwise correlation coefficient of the correlated inputs"),
                 ("rate", "15", "rate of every input in Hz"),
                 ("gmax", "0.005", "largest weight (in units of the leak conductance)"),
                 ("potentiation", "0.01", "A_plus / gmax (A_minus = 1.05 A_plus)"),
                 ("duration", "20000", "biological time in ms (the learning takes tens of seconds)"),
                 ("seed", "1", "seed of the inputs and initial weights")],
    ]

    /// The network file of example `name` with `settings` (unknown names and bad values are errors).
    public static func text(_ name: String, settings given: [String: String]) throws -> String {
        guard let known = settings[name] else {
            throw NetworkFileError("unknown example '\(name)' (known: \(names.joined(separator: ", ")))")
        }
        let o = try OptionValues("example \(name)", given, allowed: known.map(\.name))
        func number(_ key: String) throws -> Double {
            let text = given[key] ?? known.first { $0.name == key }!.defaultValue
            guard let v = Double(text), v.isFinite else { throw NetworkFileError("example \(name): \(key) must be a number, got '\(text)'") }
            return v
        }
        func integer(_ key: String) throws -> Int { try o.int(key) ?? Int(known.first { $0.name == key }!.defaultValue)! }
        /// A size (neurons, inputs): at most Int32.max, as a group of a network file.
        func size(_ key: String) throws -> Int {
            let n = try integer(key)
            guard n <= Int(Int32.max) else { throw NetworkFileError("example \(name): \(key) must be at most \(Int32.max), got \(n)") }
            return n
        }
        func float(_ key: String) throws -> Float {
            let text = given[key] ?? known.first { $0.name == key }!.defaultValue
            guard let v = Float(text), v.isFinite else { throw NetworkFileError("example \(name): \(key) must be a number, got '\(text)'") }
            return v
        }
        let seed = try integer("seed"), duration = try number("duration")
        guard seed >= 0 else { throw NetworkFileError("example \(name): seed must be >= 0, got \(seed)") }
        guard duration >= 0 else { throw NetworkFileError("example \(name): duration must be >= 0 ms, got \(duration)") }
        switch name {
        case "stdp":
            let n = try size("inputs"), fraction = try number("correlated"), c = try float("correlation")
            let rate = try float("rate"), gmax = try float("gmax"), potentiation = try float("potentiation")
            guard n >= 2 else { throw NetworkFileError("example stdp: inputs must be >= 2, got \(n)") }
            // The file lists one correlation per input (up to 16 bytes of text each).
            try MemoryBudget.checkProduct([n, 16], elementSize: 1, what: "example stdp: the network file of \(n) inputs")
            guard fraction >= 0, fraction <= 1 else { throw NetworkFileError("example stdp: correlated must be in [0, 1], got \(fraction)") }
            guard c >= 0, c <= 1 else { throw NetworkFileError("example stdp: correlation must be in [0, 1], got \(c)") }
            guard gmax > 0 else { throw NetworkFileError("example stdp: gmax must be > 0, got \(gmax)") }
            return stdp(inputs: n, correlatedFraction: fraction, correlation: c, rate: rate, gmax: gmax, potentiation: potentiation,
                        duration: duration, seed: seed)
        case "brunel":
            let ne = try size("excitatory"), g = try float("g"), nu = try float("nu"), epsilon = try number("epsilon")
            guard ne >= 4 else { throw NetworkFileError("example brunel: excitatory must be >= 4, got \(ne)") }
            guard g >= 0 else { throw NetworkFileError("example brunel: g must be >= 0, got \(g)") }
            guard nu >= 0 else { throw NetworkFileError("example brunel: nu must be >= 0, got \(nu)") }
            guard epsilon > 0, epsilon <= 1 else { throw NetworkFileError("example brunel: epsilon must be in (0, 1], got \(epsilon)") }
            return brunel(excitatory: ne, g: g, nu: nu, epsilon: epsilon, duration: duration, seed: seed)
        default:
            let n = try size("neurons"), p = try number("p")
            guard n >= 5 else { throw NetworkFileError("example \(name): neurons must be >= 5, got \(n)") }
            guard p >= 0, p <= 1 else { throw NetworkFileError("example \(name): p must be in [0, 1], got \(p)") }
            return name == "cuba" ? cuba(neurons: n, p: p, duration: duration, seed: seed)
                                  : coba(neurons: n, p: p, duration: duration, seed: seed)
        }
    }

    /// `v` as JSON text: integers without a fraction (`1000`, not `1000.0`).
    static func jsonNumber(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
    }

    /// `NetworkExamples.cuba` as a file: Vogels & Abbott (2005) as in Brian2's examples/CUBA.py.
    static func cuba(neurons: Int, p: Double, duration: Double, seed: Int) -> String {
        vogelsAbbott(description: "CUBA (Vogels & Abbott 2005; Brian2 examples/CUBA.py): \(neurons) LIF neurons with current-based exponential synapses, 80 % excitatory, random connectivity p = \(p), no delays. Expect asynchronous irregular firing: irregular single neurons (CV of the inter-spike intervals near 1), a population rate without strong oscillation.",
                     model: "va_cuba",
                     parameters: #"{"taum": 20, "taue": 5, "taui": 10, "v_threshold": -50, "v_reset": -60, "v_rest": -49, "refractory": 5}"#,
                     neurons: neurons, p: p, we: 60 * 0.27 / 10, wi: -20 * 4.5 / 10, duration: duration, seed: seed)
    }

    /// The two populations and four projections of CUBA and COBA, differing in model, parameters and weights.
    static func vogelsAbbott(description: String, model: String, parameters: String, neurons: Int, p: Double,
                             we: Float, wi: Float, duration: Double, seed: Int) -> String {
        let ne = neurons * 4 / 5, ni = neurons - ne
        func projection(_ name: String, _ source: String, _ target: String, _ variable: String, _ w: Float) -> String {
            """
                {"name": "\(name)", "source": "\(source)", "target": "\(target)", "variable": "\(variable)",
                 "connect": {"rule": "random", "p": \(p)}, "weight": \(w)}
            """
        }
        func group(_ name: String, _ size: Int) -> String {
            """
                {"name": "\(name)", "model": "\(model)", "size": \(size),
                 "parameters": \(parameters),
                 "initial": {"v": {"distribution": "uniform", "low": -60, "high": -50}}}
            """
        }
        return """
        {
          "description": "\(description)",
          "dt": 0.1,
          "duration": \(jsonNumber(duration)),
          "seed": \(seed),
          "groups": [
        \(group("E", ne)),
        \(group("I", ni))
          ],
          "synapses": [
        \(projection("EE", "E", "E", "ge", we)),
        \(projection("EI", "E", "I", "ge", we)),
        \(projection("IE", "I", "E", "gi", wi)),
        \(projection("II", "I", "I", "gi", wi))
          ],
          "monitors": [
            {"type": "spikes", "source": "E", "name": "spikes_E"},
            {"type": "spikes", "source": "I", "name": "spikes_I"},
            {"type": "rate", "source": "E", "name": "rate_E"},
            {"type": "rate", "source": "I", "name": "rate_I"}
          ]
        }

        """
    }

    /// `NetworkExamples.coba` as a file: the COBA benchmark of Brette et al. (2007) as its Brian2 scripts run it.
    static func coba(neurons: Int, p: Double, duration: Double, seed: Int) -> String {
        vogelsAbbott(description: "COBA (Vogels & Abbott 2005; Brette et al. 2007 benchmark 1): \(neurons) LIF neurons with conductance-based exponential synapses (conductances in units of the leak), a constant drive of 20 mV, 80 % excitatory, random connectivity p = \(p), no delays. Expect self-sustained asynchronous irregular activity at a higher rate than CUBA's, with the inhibitory population firing faster than the excitatory one.",
                     model: "va_coba",
                     parameters: #"{"taum": 20, "taue": 5, "taui": 10, "v_threshold": -50, "v_reset": -60, "v_rest": -60, "e_exc": 0, "e_inh": -80, "i_bias": 20, "refractory": 5}"#,
                     neurons: neurons, p: p, we: 6.0 / 10, wi: 67.0 / 10, duration: duration, seed: seed)
    }

    /// `NetworkExamples.brunel` as a file: the sparse network of Brunel (2000) as Brian2's example builds it.
    static func brunel(excitatory ne: Int, g: Float, nu: Float, epsilon: Double, duration: Double, seed: Int) -> String {
        let ni = ne / 4
        let J: Float = 0.1, D: Float = 1.5, theta: Float = 20, tau: Float = 20
        let ce = max(1, Int((epsilon * Double(ne)).rounded())), ci = max(1, Int((epsilon * Double(ni)).rounded()))
        let nuThr = theta / (J * Float(ce) * tau) * 1000
        let rate = nu * nuThr, wi = -g * J
        func projection(_ name: String, _ source: String, _ target: String, _ k: Int, _ w: Float) -> String {
            """
                {"name": "\(name)", "source": "\(source)", "target": "\(target)", "variable": "v",
                 "connect": {"rule": "fixed_in_degree", "k": \(k), "self_connections": false}, "weight": \(w), "delay": \(D)}
            """
        }
        func group(_ name: String, _ size: Int) -> String {
            """
                {"name": "\(name)", "model": "lif_delta", "size": \(size),
                 "parameters": {"tau": 20, "v_threshold": 20, "v_reset": 10, "v_rest": 0, "refractory": 2}}
            """
        }
        func external(_ target: String) -> String {
            """
                {"name": "external_\(target)", "type": "poisson_input", "target": "\(target)", "variable": "v",
                 "count": \(ce), "rate": \(rate), "weight": \(J)}
            """
        }
        let state = [(Float(3), Float(2), "synchronous regular (SR): neurons fire almost regularly at high rates, in synchrony"),
                     (6, 4, "synchronous irregular with a fast global oscillation (SI fast, ~180 Hz), irregular single neurons at low rates"),
                     (5, 2, "asynchronous irregular (AI): a flat population rate, irregular single neurons, a few Hz to tens of Hz"),
                     (4.5, 0.9, "synchronous irregular with a slow oscillation (SI slow, ~20 Hz), single neurons at a few Hz")]
            .first { $0.0 == g && $0.1 == nu }.map { " With g = \(g) and nu = \(nu) (Fig. 8): \($0.2)." }
            ?? " The paper's Fig. 8 states: g 3, nu 2 synchronous regular; g 6, nu 4 synchronous irregular fast; g 5, nu 2 asynchronous irregular; g 4.5, nu 0.9 synchronous irregular slow."
        return """
        {
          "description": "Brunel (2000) sparse network as Brian2's example: \(ne) excitatory and \(ni) inhibitory LIF neurons with delta synapses; each neuron receives C_E = \(ce) excitatory and C_I = \(ci) inhibitory synapses (J = 0.1 mV, inhibitory -g J, g = \(g), delay 1.5 ms) and C_E external Poisson inputs at nu_ext = \(nu) nu_thr = \(rate) Hz.\(state)",
          "dt": 0.1,
          "duration": \(jsonNumber(duration)),
          "seed": \(seed),
          "groups": [
        \(group("E", ne)),
        \(group("I", ni))
          ],
          "inputs": [
        \(external("E")),
        \(external("I"))
          ],
          "synapses": [
        \(projection("EE", "E", "E", ce, J)),
        \(projection("EI", "E", "I", ce, J)),
        \(projection("IE", "I", "E", ci, wi)),
        \(projection("II", "I", "I", ci, wi))
          ],
          "monitors": [
            {"type": "spikes", "source": "E", "name": "spikes_E"},
            {"type": "spikes", "source": "I", "name": "spikes_I"},
            {"type": "rate", "source": "E", "name": "rate_E"},
            {"type": "rate", "source": "I", "name": "rate_I"}
          ]
        }

        """
    }

    /// `NetworkExamples.stdp` as a file: one neuron learning the correlations of its inputs (Song, Miller & Abbott
    /// 2000; Brian2's examples/synapses/STDP.py with a correlated half of the inputs).
    static func stdp(inputs: Int, correlatedFraction: Double, correlation: Float, rate: Float, gmax: Float, potentiation: Float,
                     duration: Double, seed: Int) -> String {
        let nc = Int((Double(inputs) * correlatedFraction).rounded())
        let c = (0..<inputs).map { $0 < nc ? "\(correlation)" : "0" }.joined(separator: ", ")
        let a = potentiation * gmax
        return """
        {
          "description": "STDP (Song, Miller & Abbott 2000; Brian2 examples/synapses/STDP.py): one conductance-based LIF neuron driven by \(inputs) Poisson inputs at \(rate) Hz through all-to-all synapses with additive STDP; the first \(nc) inputs share spikes (correlation \(correlation)), the others are independent. Expect the correlated weights to climb to gmax while the uncorrelated ones drift down: with the defaults the mean w/gmax of the correlated inputs goes 0.50 -> 0.80 at 20 s -> 0.98 at 30 s, the uncorrelated 0.49 -> 0.47 at 30 s -> 0.32 at 100 s, and the weight histogram turns bimodal; the neuron fires at 14-36 Hz once the correlated inputs have won.",
          "dt": 0.1,
          "duration": \(jsonNumber(duration)),
          "seed": \(seed),
          "groups": [
            {"name": "neuron", "model": "va_coba", "size": 1,
             "parameters": {"taum": 10, "taue": 5, "v_threshold": -54, "v_reset": -60, "v_rest": -74, "e_exc": 0, "refractory": 0},
             "initial": {"v": -74}}
          ],
          "inputs": [
            {"name": "input", "type": "correlated_poisson", "size": \(inputs), "rate": \(rate),
             "correlation": [\(c)]}
          ],
          "synapses": [
            {"name": "S", "source": "input", "target": "neuron", "variable": "ge", "connect": "all_to_all",
             "weight": {"distribution": "uniform", "low": 0, "high": \(gmax)},
             "plasticity": {"rule": "stdp", "tau_plus": 20, "tau_minus": 20, "a_plus": \(a), "a_minus": \(1.05 * a), "w_min": 0, "w_max": \(gmax)}}
          ],
          "monitors": [
            {"type": "spikes", "source": "neuron", "name": "spikes_neuron"},
            {"type": "weights", "synapses": "S", "every": 1000, "name": "weights_S"}
          ]
        }

        """
    }
}
