/// Numerical gradient checking: compares the tape's gradients with central finite differences.
public enum GradCheck {
    /// The outcome of a check: the largest absolute and relative differences seen.
    public struct Result: CustomStringConvertible, Sendable {
        public var maxAbsError: Float
        public var maxRelError: Float
        /// Whether every element passed `|analytic - numeric| <= atol + rtol * |numeric|`.
        public var passed: Bool
        public var description: String { "GradCheck(maxAbs: \(maxAbsError), maxRel: \(maxRelError), passed: \(passed))" }
    }

    /// Checks d(sum(R * f(inputs)))/d(inputs) against central differences with step `eps`, where R is a fixed
    /// random weighting (seeded) so that every output element matters. Computations are float32, so use
    /// `eps` around 1e-2 to 1e-3 and tolerances around 1e-2.
    public static func check(_ inputs: [Tensor], eps: Float = 1e-2, atol: Float = 1e-2, rtol: Float = 1e-2, seed: UInt64 = 7,
                             _ f: ([Variable]) -> Variable) -> Result {
        var rng = SeededRandom(seed: seed)
        let probe = f(inputs.map { Variable($0) }).value
        let r = Tensor.uniform(probe.shape, low: 0.5, high: 1.5, rng: &rng)
        func loss(_ xs: [Tensor]) -> Double {
            let y = Tape.withoutGradients { f(xs.map { Variable($0) }).value }
            var s = 0.0
            for (a, b) in zip(y.scalars, r.scalars) { s += Double(a) * Double(b) }
            return s
        }
        let vars = inputs.map { Variable($0, requiresGrad: true) }
        let y = f(vars)
        y.backward(seed: r)
        var res = Result(maxAbsError: 0, maxRelError: 0, passed: true)
        for (k, x) in inputs.enumerated() {
            let analytic = vars[k].grad ?? Tensor.zeros(x.shape)
            for i in 0..<x.count {
                var xp = inputs, xm = inputs
                xp[k].scalars[i] += eps; xm[k].scalars[i] -= eps
                let numeric = Float((loss(xp) - loss(xm)) / Double(2 * eps))
                let a = analytic.scalars[i]
                let err = abs(a - numeric)
                res.maxAbsError = max(res.maxAbsError, err)
                res.maxRelError = max(res.maxRelError, err / max(abs(numeric), 1e-6))
                if err > atol + rtol * abs(numeric) { res.passed = false }
            }
        }
        return res
    }
}
