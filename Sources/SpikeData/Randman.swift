import Foundation
import SpikeCore

/// A smooth random manifold ("Randman") of manifold dimension `D` embedded in `E` dimensions, after
/// Zenke & Vogels (2021), "The remarkable robustness of surrogate gradient learning for instilling
/// complex function in spiking neural networks", Neural Computation 33(4); reference code
/// `fzenke/randman` (`NumpyRandman`/`TorchRandman`).
///
/// Definitions (all in `Double`):
/// - frequency cutoff `f_cutoff = min(ceil(prec^(-1/alpha)), maxFCutoff)`, defaults `prec = 1e-3`,
///   `maxFCutoff = 1000` (so `alpha = 2` gives 32, `alpha = 1` gives 1000);
/// - spectrum `s[i] = 1 / (i + 1)^alpha` for `i` in `0..<f_cutoff`;
/// - coefficients `theta[e, d, p, i]`, `p` in `0..<3`, uniform in `[0, 1)`, drawn from the manifold's
///   own `SeededRandom(seed:)` in row-major order of the shape `[E, D, 3, f_cutoff]`; without bias
///   (the default, as the reference's `use_bias=False`) the constant term `theta[e, d, 0, 0]` is then
///   set to 0;
/// - the 1-d function of unit `e`, manifold axis `d`:
///   `g_{e,d}(x) = sum_i theta[e,d,0,i] * s[i] * sin(2 pi (i * x * theta[e,d,1,i] + theta[e,d,2,i]))`;
/// - the embedding of a point `x` in `[0, 1)^D`: `f_e(x) = prod_d g_{e,d}(x_d)`.
///
/// Deviations from the reference:
/// - the coefficients come from `SeededRandom` (xoshiro256**), not NumPy/PyTorch, so the numbers differ
///   from Python's for the same seed (the distributions are the same);
/// - the spectrum is the NumPy version's `1/(i+1)^alpha`; the PyTorch version (the reference's default
///   backend) uses `1/((i+1)^alpha + 1)` (its `beta = 0`), which only rescales the terms slightly;
/// - evaluation is in `Double` (the PyTorch version defaults to `float32`).
public struct Randman: Sendable, Equatable {
    /// Default precision `prec` of the frequency cutoff (reference: `prec=1e-3`).
    public static let defaultPrecision: Double = 1e-3
    /// Default upper bound on the frequency cutoff (reference: `max_f_cutoff=1000`).
    public static let defaultMaxFCutoff: Int = 1000
    /// Number of coefficients per frequency of a 1-d function: amplitude, frequency, phase.
    public static let parametersPerFrequency = 3

    /// Embedding dimension `E` (the number of units of a spiking data set).
    public let embeddingDim: Int
    /// Manifold (intrinsic) dimension `D`.
    public let manifoldDim: Int
    /// Smoothness exponent `alpha` of the power spectrum `1/(i+1)^alpha`; larger is smoother.
    public let alpha: Double
    /// Whether the constant terms `theta[e, d, 0, 0]` were kept (reference `use_bias`; default `false`).
    public let useBias: Bool
    /// Number of frequencies `f_cutoff` of every 1-d function.
    public let fCutoff: Int
    /// `s[i] = 1/(i+1)^alpha`, `fCutoff` values.
    public let spectrum: [Double]
    /// The coefficients `theta`, row-major of shape `[embeddingDim, manifoldDim, 3, fCutoff]`.
    public let parameters: [Double]

    /// A manifold with coefficients drawn uniformly in `[0, 1)` from `SeededRandom(seed: seed)`.
    ///
    /// - Parameters:
    ///   - embeddingDim: `E`, at least 1.
    ///   - manifoldDim: `D`, at least 1.
    ///   - alpha: spectrum exponent, finite and > 0 (default 2).
    ///   - seed: the seed of the coefficients.
    ///   - useBias: keep the constant terms `theta[e, d, 0, 0]` (default `false`, as the reference).
    ///   - precision: `prec` in `(0, 1)` of the cutoff formula (default `1e-3`).
    ///   - maxFCutoff: upper bound of the cutoff, at least 1 (default 1000).
    /// - Throws: `DatasetError.invalidParameter` (context `"randman"`) naming the first bad argument.
    public init(embeddingDim: Int, manifoldDim: Int, alpha: Double = 2, seed: UInt64, useBias: Bool = false,
                precision: Double = Randman.defaultPrecision, maxFCutoff: Int = Randman.defaultMaxFCutoff) throws {
        try Self.check(embeddingDim: embeddingDim, manifoldDim: manifoldDim, alpha: alpha,
                       precision: precision, maxFCutoff: maxFCutoff)
        let f = Self.fCutoff(alpha: alpha, precision: precision, maxFCutoff: maxFCutoff)
        var rng = SeededRandom(seed: seed)
        let n = embeddingDim * manifoldDim * Self.parametersPerFrequency * f
        var theta = [Double](repeating: 0, count: n)
        for k in 0..<n { theta[k] = rng.nextDouble() }
        if !useBias {
            for ed in 0..<(embeddingDim * manifoldDim) { theta[ed * Self.parametersPerFrequency * f] = 0 }
        }
        self.embeddingDim = embeddingDim
        self.manifoldDim = manifoldDim
        self.alpha = alpha
        self.useBias = useBias
        self.fCutoff = f
        self.spectrum = Self.spectrum(alpha: alpha, count: f)
        self.parameters = theta
    }

    /// A manifold with given coefficients `parameters` (row-major `[embeddingDim, manifoldDim, 3, fCutoff]`,
    /// where `fCutoff = parameters.count / (embeddingDim * manifoldDim * 3)`), used as they are (no term is
    /// zeroed). Useful to evaluate a known function.
    /// - Throws: `DatasetError.invalidParameter` for bad dimensions or `alpha`, or a count of `parameters`
    ///   that is not a positive multiple of `embeddingDim * manifoldDim * 3`.
    public init(embeddingDim: Int, manifoldDim: Int, alpha: Double, parameters: [Double]) throws {
        try Self.check(embeddingDim: embeddingDim, manifoldDim: manifoldDim, alpha: alpha,
                       precision: Self.defaultPrecision, maxFCutoff: Self.defaultMaxFCutoff)
        let per = embeddingDim * manifoldDim * Self.parametersPerFrequency
        guard parameters.count >= per, parameters.count % per == 0 else {
            throw DatasetError.invalidParameter(
                context: "randman", parameter: "parameters",
                requirement: "count must be a positive multiple of \(per) (embeddingDim * manifoldDim * 3)",
                got: "\(parameters.count)")
        }
        self.embeddingDim = embeddingDim
        self.manifoldDim = manifoldDim
        self.alpha = alpha
        self.useBias = true
        self.fCutoff = parameters.count / per
        self.spectrum = Self.spectrum(alpha: alpha, count: fCutoff)
        self.parameters = parameters
    }

    private static func check(embeddingDim: Int, manifoldDim: Int, alpha: Double,
                              precision: Double, maxFCutoff: Int) throws {
        func bad(_ p: String, _ r: String, _ v: String) -> DatasetError {
            .invalidParameter(context: "randman", parameter: p, requirement: r, got: v)
        }
        guard embeddingDim >= 1 else { throw bad("embeddingDim", "must be at least 1", "\(embeddingDim)") }
        guard manifoldDim >= 1 else { throw bad("manifoldDim", "must be at least 1", "\(manifoldDim)") }
        guard alpha.isFinite, alpha > 0 else { throw bad("alpha", "must be finite and > 0", "\(alpha)") }
        guard precision > 0, precision < 1 else { throw bad("precision", "must be in (0, 1)", "\(precision)") }
        guard maxFCutoff >= 1 else { throw bad("maxFCutoff", "must be at least 1", "\(maxFCutoff)") }
        let (total, o1) = embeddingDim.multipliedReportingOverflow(by: manifoldDim * parametersPerFrequency)
        let (_, o2) = total.multipliedReportingOverflow(by: maxFCutoff)
        guard !o1, !o2 else { throw bad("embeddingDim", "is too large for manifoldDim \(manifoldDim)", "\(embeddingDim)") }
    }

    /// `f_cutoff = min(ceil(precision^(-1/alpha)), maxFCutoff)`, at least 1 (reference:
    /// `int(np.min((np.ceil(np.power(prec, -1/alpha)), max_f_cutoff)))`). `alpha = 2` gives 32.
    /// `alpha` must be > 0.
    public static func fCutoff(alpha: Double, precision: Double = defaultPrecision,
                               maxFCutoff: Int = defaultMaxFCutoff) -> Int {
        precondition(alpha > 0, "Randman.fCutoff: alpha must be > 0, got \(alpha)")
        let f = min(pow(precision, -1 / alpha).rounded(.up), Double(maxFCutoff))
        return max(1, Int(f))
    }

    /// The power spectrum `s[i] = 1/(i+1)^alpha` for `i` in `0..<count`.
    public static func spectrum(alpha: Double, count: Int) -> [Double] {
        (0..<max(0, count)).map { 1 / pow(Double($0 + 1), alpha) }
    }

    /// The random 1-d function
    /// `g(x) = sum_i amplitudes[i] * spectrum[i] * sin(2 pi (i * x * frequencies[i] + phases[i]))`
    /// (reference `eval_random_function_1d` with `theta = [amplitudes, frequencies, phases]`), summed in
    /// order of `i`. All four arrays must have the same count.
    public static func randomFunction1D(_ x: Double, amplitudes: [Double], frequencies: [Double],
                                        phases: [Double], spectrum: [Double]) -> Double {
        let n = spectrum.count
        precondition(amplitudes.count == n && frequencies.count == n && phases.count == n,
                     "Randman.randomFunction1D: \(amplitudes.count) amplitudes, \(frequencies.count) frequencies, "
                     + "\(phases.count) phases for \(n) spectrum values")
        var sum = 0.0
        for i in 0..<n {
            sum += amplitudes[i] * spectrum[i] * sin(2 * Double.pi * (Double(i) * x * frequencies[i] + phases[i]))
        }
        return sum
    }

    /// The coefficients of the 1-d function of unit `unit` along manifold axis `axis`.
    public func theta(unit: Int, axis: Int) -> (amplitudes: [Double], frequencies: [Double], phases: [Double]) {
        precondition(unit >= 0 && unit < embeddingDim && axis >= 0 && axis < manifoldDim,
                     "Randman.theta: unit \(unit), axis \(axis) out of range [\(embeddingDim), \(manifoldDim)]")
        let base = (unit * manifoldDim + axis) * Self.parametersPerFrequency * fCutoff
        let row = { (p: Int) in Array(parameters[(base + p * fCutoff)..<(base + (p + 1) * fCutoff)]) }
        return (row(0), row(1), row(2))
    }

    /// The embedding `f(x)` (`embeddingDim` values) of one point `x` with `manifoldDim` coordinates
    /// (reference `eval_manifold` for one row): `f_e(x) = prod_d g_{e,d}(x_d)`.
    public func evaluate(_ point: [Double]) -> [Double] {
        precondition(point.count == manifoldDim,
                     "Randman.evaluate: point has \(point.count) coordinates, manifold dimension is \(manifoldDim)")
        var out = [Double](repeating: 0, count: embeddingDim)
        point.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in evaluate(point: p, into: o) }
        }
        return out
    }

    /// `evaluate` without allocation: `point` has `manifoldDim` values, `out` receives `embeddingDim`.
    func evaluate(point: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
        let f = fCutoff
        let twoPi = 2 * Double.pi
        parameters.withUnsafeBufferPointer { theta in
            spectrum.withUnsafeBufferPointer { s in
                for e in 0..<embeddingDim {
                    var product = 1.0
                    for d in 0..<manifoldDim {
                        let x = point[d]
                        let base = (e * manifoldDim + d) * Self.parametersPerFrequency * f
                        var sum = 0.0
                        for i in 0..<f {
                            let arg = twoPi * (Double(i) * x * theta[base + f + i] + theta[base + 2 * f + i])
                            sum += theta[base + i] * s[i] * sin(arg)
                        }
                        product *= sum
                    }
                    out[e] = product
                }
            }
        }
    }
}
