import SpikeNeurons

/// Models of Brian2's examples written as equation strings.
public enum EquationExamples {
    /// The CUBA neuron of Brian2's examples/CUBA.py (Vogels & Abbott 2005), with the membrane and the synaptic
    /// variables as numbers in mV (`: 1`) so that it replaces `va_cuba` in SpikeSim's CUBA network unchanged:
    ///
    ///     dv/dt  = (ge+gi-(v-El))/taum : 1 (unless refractory)
    ///     dge/dt = -ge/taue : 1
    ///     dgi/dt = -gi/taui : 1
    ///     threshold v > Vt, reset v = Vr, refractory 5 ms, method exact
    ///
    /// taum 20 ms, taue 5 ms, taui 10 ms, Vt -50, Vr -60, El -49 (mV); initial v = Vr; `dt` in ms.
    public static func cuba(dt: Float = 0.1) throws -> EquationModel {
        try EquationModel(equations: cubaEquationsInMillivolts, threshold: "v > Vt", reset: "v = Vr", refractory: "5*ms",
                          method: "exact",
                          parameters: ["taum": "20*ms", "taue": "5*ms", "taui": "10*ms", "Vt": "-50", "Vr": "-60", "El": "-49"],
                          initial: ["v": "-60"], dt: "\(dt)*ms")
    }

    /// The equations of `cuba`.
    public static let cubaEquationsInMillivolts = """
        dv/dt  = (ge+gi-(v-El))/taum : 1 (unless refractory)
        dge/dt = -ge/taue : 1
        dgi/dt = -gi/taui : 1
        """
}
