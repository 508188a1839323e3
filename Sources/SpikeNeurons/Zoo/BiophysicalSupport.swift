import Foundation

// Shared pieces of the biophysical family (Izhikevich 2003, aEIF, Hodgkin-Huxley, GLIF5).

/// The spike of the biophysical models: `Θ(x)` with strict `>` (Norse's `heaviside` is `x > 0`; SPAIC's
/// `threshold` operator is `torch.gt(V, Vth)`), or the surrogate's smooth primitive with `smoothForward`
/// (gradient checks). `x` is the membrane minus the threshold.
@inlinable @inline(__always)
func biophysicalSpike(_ x: Float, _ surrogate: Surrogate) -> Float {
    if surrogate.smoothForward { return surrogate.primitive(x) }
    return x > 0 ? 1 : 0
}

/// `g(x) = x / (exp(x) - 1)` and its derivative `g'(x)`, accurate through the removable singularity at
/// `x = 0` (where Hodgkin & Huxley's `alpha_m` and `alpha_n` are 0/0): a Taylor series for |x| < 0.1
/// (`g = 1 - x/2 + x²/12 - x⁴/720 + x⁶/30240`, error < 1e-14), `expm1` elsewhere, and the asymptote
/// `x e^-x` for x > 30 (where `expm1(x)²` would overflow in float32).
@inlinable @inline(__always)
func biophysicalExprel(_ x: Float) -> (g: Float, dg: Float) {
    if Swift.abs(x) < 0.1 {
        let x2 = x * x
        let g = 1 - x / 2 + x2 / 12 - x2 * x2 / 720 + x2 * x2 * x2 / 30240
        let dg = -0.5 + x / 6 - x2 * x / 180 + x2 * x2 * x / 5040
        return (g, dg)
    }
    if x > 30 {
        let e = Foundation.exp(-x)
        return (x * e, (1 - x) * e)
    }
    let em1 = Foundation.expm1(x)
    return (x / em1, 1 / em1 - x * (em1 + 1) / (em1 * em1))
}
