import Foundation
import SpikeNeurons

/// Homeostasis by adaptive thresholds (Diehl & Cook 2015, "Unsupervised learning of digit recognition using
/// spike-timing-dependent plasticity"): each spike raises the neuron's threshold by `theta_plus`, and the raise
/// `theta` relaxes with `tau_theta`, so a neuron that fires much becomes harder to fire (in Diehl & Cook's network,
/// where lateral inhibition makes the excitatory neurons compete, this keeps any one neuron from winning every
/// input).
///
/// It is not a rule on synapses: the zoo already has it as a neuron model, `diehl_cook` (`SPAICDiehlCook`,
/// SPAIC's `LIFSTDPEXModel`), with state `v`, `theta`, `refrac_count`:
///
///     theta~ = decay_th theta,   spike when V~ > v_th + theta~,   theta <- theta~ + th_inc at a spike
///
/// A network uses it as any group (`network.addGroup("exc", size: 400, model: "diehl_cook")`) and reads `theta`
/// as a state variable (`group.state("theta")`, a `StateMonitor` of `theta`, checkpoints). Its leak and threshold
/// relaxation are per-step factors, as in SPAIC; `Homeostasis.diehlCookNeuron` makes one from the paper's time
/// constants in ms at the network's step.
public enum Homeostasis {
    /// SPAIC's Diehl & Cook neuron with its decays from time constants at step `dt` (ms):
    /// `decay_v = exp(-dt / tau_m)`, `decay_th = exp(-dt / tau_theta)`, `reset_refrac = round(refractory / dt)`.
    /// Defaults are SPAIC's (which at dt = 1 ms are tau_m = 100 ms and tau_theta = 1e7 ms, as Diehl & Cook 2015):
    /// v_th -52 mV, v_reset -60 mV, v_rest -65 mV, theta_plus (`th_inc`) 0.05 mV, no refractory period (Diehl &
    /// Cook used 5 ms). Throws a `SimulationError` for `dt` or a time constant <= 0, a negative `theta_plus`
    /// or refractory period.
    public static func diehlCookNeuron(dt: Float, tauMembrane: Float = 100, tauTheta: Float = 1e7, thetaPlus: Float = 0.05,
                                       threshold: Float = -52, reset: Float = -60, rest: Float = -65,
                                       refractory: Float = 0) throws -> SPAICDiehlCook {
        let rule = "homeostasis"
        try PlasticityCheck.tau(rule, "dt", dt)
        try PlasticityCheck.tau(rule, "tau_m", tauMembrane)
        try PlasticityCheck.tau(rule, "tau_theta", tauTheta)
        guard thetaPlus.isFinite, thetaPlus >= 0 else { throw SimulationError("\(rule): theta_plus must be >= 0 mV, got \(thetaPlus)") }
        guard refractory.isFinite, refractory >= 0 else { throw SimulationError("\(rule): refractory must be >= 0 ms, got \(refractory)") }
        for (name, v) in [("v_th", threshold), ("v_reset", reset), ("v_rest", rest)] where !v.isFinite {
            throw SimulationError("\(rule): \(name) must be finite, got \(v)")
        }
        return SPAICDiehlCook(threshold: threshold, vReset: reset, vRest: rest, thInc: thetaPlus,
                              decayTh: Float(Foundation.exp(-Double(dt) / Double(tauTheta))),
                              decayV: Float(Foundation.exp(-Double(dt) / Double(tauMembrane))),
                              resetRefrac: (refractory / dt).rounded())
    }
}
