extension NeuronRegistry {
    static let resonateAndFireInfo = [
        ParameterInfo("b", "-1.0", "1/ms", "damping rate, < 0 (learnable)"),
        ParameterInfo("omega", "10.0", "rad/ms", "natural angular frequency, > 0; period 2π/omega (learnable)"),
        ParameterInfo("threshold", "1.0", "a.u.", "firing threshold on y = Im z (the membrane v)"),
        ParameterInfo("x_reset", "0.0", "a.u.", "x = Re z after a spike"),
        ParameterInfo("y_reset", "1.0", "a.u.", "y = Im z after a spike (the paper resets z to i)"),
        ParameterInfo("dt", "0.01", "ms", "time step, > 0"),
        ParameterInfo("surrogate", "sigmoid", "", "surrogate gradient: \(surrogateNames)"),
        ParameterInfo("alpha", "family default", "", "surrogate shape (sigmoid 4, atan 2, fast-sigmoid slope 25, ...)"),
        ParameterInfo("detach_reset", "false", "", "no gradient through the reset"),
    ]

    /// The models of the zoo that follow a paper rather than a framework: the resonate-and-fire neuron.
    static let otherEntries: [NeuronEntry] = [
        NeuronEntry(id: "rf",
                    summary: "resonate-and-fire (Izhikevich 2001): z = x + iy, z' = exp((b + i omega) dt) z + I dt; spike if y >= threshold; z = x_reset + i y_reset",
                    parameters: resonateAndFireInfo, build: { try resonateAndFire(parameters: $0) }),
    ]

    /// Resonate-and-fire parameters: b, omega, threshold, x_reset, y_reset, dt, surrogate, alpha, detach_reset.
    public static func resonateAndFire(parameters p: [String: Any]) throws -> ResonateAndFire {
        let r = Reader("rf", p, resonateAndFireInfo)
        let alpha = try r.optionalNumber("alpha", nil)
        return ResonateAndFire(b: try r.number("b", -1, .below(0)), omega: try r.number("omega", 10, .positive),
                               threshold: try r.number("threshold", 1), xReset: try r.number("x_reset", 0),
                               yReset: try r.number("y_reset", 1), dt: try r.number("dt", 0.01, .positive),
                               surrogate: try surrogate(try r.string("surrogate", "sigmoid")!, alpha: alpha),
                               detachReset: try r.bool("detach_reset", false))
    }
}
