import Foundation
import SpikeKit

/// The built-in examples of `spike simulate --example NAME`, written as network files (what `--print` shows),
/// each the network of a `NetworkExamples` function of SpikeSim with the same draws (the tests check that the
/// file and the function give the same spikes bit for bit).
public enum NetworkExampleFiles {
    /// Names of the examples.
    public static let names = ["cuba"]

    /// The settings each example takes (`--set NAME=VALUE`) with their defaults.
    public static let settings: [String: [(name: String, defaultValue: String, help: String)]] = [
        "cuba": [("neurons", "4000", "number of neurons, 80 % excitatory (>= 5)"),
                 ("p", "0.02", "connection probability"),
                 ("duration", "1000", "biological time in ms"),
                 ("seed", "1", "seed of connectivity and initial membranes")],
    ]

    /// The network file of example `name` with `settings` (unknown names and bad values are errors).
    public static func text(_ name: String, settings given: [String: String]) throws -> String {
        guard let known = settings[name] else {
            throw CLIError("unknown example '\(name)' (known: \(names.joined(separator: ", ")))")
        }
        let o = try OptionValues("example \(name)", given, allowed: known.map(\.name))
        func number(_ key: String) throws -> Double {
            let text = given[key] ?? known.first { $0.name == key }!.defaultValue
            guard let v = Double(text), v.isFinite else { throw CLIError("example \(name): \(key) must be a number, got '\(text)'") }
            return v
        }
        func integer(_ key: String) throws -> Int { try o.int(key) ?? Int(known.first { $0.name == key }!.defaultValue)! }
        switch name {
        default:
            let n = try integer("neurons"), p = try number("p"), seed = try integer("seed")
            guard n >= 5 else { throw CLIError("example cuba: neurons must be >= 5, got \(n)") }
            guard p >= 0, p <= 1 else { throw CLIError("example cuba: p must be in [0, 1], got \(p)") }
            guard seed >= 0 else { throw CLIError("example cuba: seed must be >= 0, got \(seed)") }
            return cuba(neurons: n, p: p, duration: try number("duration"), seed: seed)
        }
    }

    /// `v` as JSON text: integers without a fraction (`1000`, not `1000.0`).
    static func jsonNumber(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
    }

    /// `NetworkExamples.cuba` as a file: Vogels & Abbott (2005) as in Brian2's examples/CUBA.py.
    static func cuba(neurons: Int, p: Double, duration: Double, seed: Int) -> String {
        let ne = neurons * 4 / 5, ni = neurons - ne
        let we: Float = 60 * 0.27 / 10, wi: Float = -20 * 4.5 / 10
        func projection(_ name: String, _ source: String, _ target: String, _ variable: String, _ w: Float) -> String {
            """
                {"name": "\(name)", "source": "\(source)", "target": "\(target)", "variable": "\(variable)",
                 "connect": {"rule": "random", "p": \(p)}, "weight": \(w)}
            """
        }
        return """
        {
          "description": "CUBA (Vogels & Abbott 2005; Brian2 examples/CUBA.py): \(neurons) LIF neurons with current-based exponential synapses, 80 % excitatory, random connectivity p = \(p), no delays. Expect asynchronous irregular firing: a mean rate of about 5-6 Hz (4000 neurons, p 0.02), CV of the inter-spike intervals near 1, and a raster without stripes.",
          "dt": 0.1,
          "duration": \(jsonNumber(duration)),
          "seed": \(seed),
          "groups": [
            {"name": "E", "model": "va_cuba", "size": \(ne),
             "parameters": {"taum": 20, "taue": 5, "taui": 10, "v_threshold": -50, "v_reset": -60, "v_rest": -49, "refractory": 5},
             "initial": {"v": {"distribution": "uniform", "low": -60, "high": -50}}},
            {"name": "I", "model": "va_cuba", "size": \(ni),
             "parameters": {"taum": 20, "taue": 5, "taui": 10, "v_threshold": -50, "v_reset": -60, "v_rest": -49, "refractory": 5},
             "initial": {"v": {"distribution": "uniform", "low": -60, "high": -50}}}
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
}
