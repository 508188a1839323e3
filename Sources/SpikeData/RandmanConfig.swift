import SpikeCore

/// Settings of the spiking Randman classification data set (`SpikeDataset.randman(_:)`), after the
/// `make_spiking_dataset` of Zenke & Vogels (2021) with one spike per unit and `step_frac = 1`.
///
/// Defaults: `classes = 10`, `units = 100`, `steps = 50`, `manifoldDim = 1`, `alpha = 2`,
/// `samplesPerClass = 200`, `seed = 42`. Decoding from JSON fills missing keys with these defaults.
public struct RandmanConfig: Sendable, Codable, Equatable {
    /// Number of classes, one manifold each (at least 2; default 10).
    public var classes: Int
    /// Number of input units = embedding dimension `E` of every manifold (at least 1; default 100).
    public var units: Int
    /// Number of time steps `T`; unit spike times lie in `0..<steps` (at least 1; default 50).
    public var steps: Int
    /// Manifold dimension `D` (at least 1; default 1).
    public var manifoldDim: Int
    /// Smoothness exponent of the spectrum `1/(i+1)^alpha` (finite, > 0; default 2).
    public var alpha: Double
    /// Samples drawn from each class's manifold (at least 1; default 200).
    public var samplesPerClass: Int
    /// Seed of everything: the manifolds' seeds, the sample points and the final shuffle (default 42).
    public var seed: UInt64

    /// A configuration; every argument has the documented default.
    public init(classes: Int = 10, units: Int = 100, steps: Int = 50, manifoldDim: Int = 1, alpha: Double = 2,
                samplesPerClass: Int = 200, seed: UInt64 = 42) {
        self.classes = classes
        self.units = units
        self.steps = steps
        self.manifoldDim = manifoldDim
        self.alpha = alpha
        self.samplesPerClass = samplesPerClass
        self.seed = seed
    }

    /// Total number of samples, `classes * samplesPerClass`.
    public var sampleCount: Int { classes * samplesPerClass }

    /// Checks every setting; throws `DatasetError.invalidParameter` (context `"randman"`) for the first one out
    /// of range, e.g. `"randman: classes must be at least 2, got 1"`.
    ///
    /// Requirements: `classes >= 2`; `units >= 1`; `1 <= steps <= Int32.max`; `manifoldDim >= 1`;
    /// `alpha` finite and > 0 with `f_cutoff(alpha) >= 2` (a larger `alpha` leaves only the constant term,
    /// i.e. constant manifolds); `samplesPerClass >= 1`; and `classes * samplesPerClass * units` and
    /// `units * manifoldDim * 3 * f_cutoff` without overflow.
    public func validate() throws {
        func bad(_ p: String, _ r: String, _ v: Any) -> DatasetError {
            .invalidParameter(context: "randman", parameter: p, requirement: r, got: "\(v)")
        }
        guard classes >= 2 else { throw bad("classes", "must be at least 2", classes) }
        guard units >= 1 else { throw bad("units", "must be at least 1", units) }
        guard steps >= 1 else { throw bad("steps", "must be at least 1", steps) }
        guard steps <= Int(Int32.max) else { throw bad("steps", "must be at most \(Int32.max)", steps) }
        guard manifoldDim >= 1 else { throw bad("manifoldDim", "must be at least 1", manifoldDim) }
        guard alpha.isFinite, alpha > 0 else { throw bad("alpha", "must be finite and > 0", alpha) }
        guard Randman.fCutoff(alpha: alpha) >= 2 else {
            throw bad("alpha", "is too large (f_cutoff would be 1: constant manifolds)", alpha)
        }
        guard samplesPerClass >= 1 else { throw bad("samplesPerClass", "must be at least 1", samplesPerClass) }
        let (samples, o1) = classes.multipliedReportingOverflow(by: samplesPerClass)
        let (_, o2) = samples.multipliedReportingOverflow(by: units)
        guard !o1, !o2 else {
            throw bad("samplesPerClass", "is too large (classes * samplesPerClass * units overflows)", samplesPerClass)
        }
        let (perUnit, o3) = manifoldDim.multipliedReportingOverflow(by: Randman.parametersPerFrequency * Randman.fCutoff(alpha: alpha))
        let (_, o4) = perUnit.multipliedReportingOverflow(by: units)
        guard !o3, !o4 else { throw bad("manifoldDim", "is too large (manifold coefficients overflow)", manifoldDim) }
    }

    /// The bytes `SpikeDataset.randman` allocates for this configuration, estimated before anything is
    /// generated (nil when the estimate overflows): per sample and unit a spike step, a value and their
    /// per-sample copies (16 bytes), per sample a manifold point (8 bytes per dimension).
    public var estimatedBytes: Int? {
        MemoryBudget.sum([MemoryBudget.product([classes, samplesPerClass, units, 16]),
                          MemoryBudget.product([classes, samplesPerClass, manifoldDim, 8])])
    }

    private enum CodingKeys: String, CodingKey {
        case classes, units, steps, manifoldDim, alpha, samplesPerClass, seed
    }

    /// Decodes a configuration; missing keys take the defaults (no validation: call `validate()`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = RandmanConfig()
        classes = try c.decodeIfPresent(Int.self, forKey: .classes) ?? d.classes
        units = try c.decodeIfPresent(Int.self, forKey: .units) ?? d.units
        steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? d.steps
        manifoldDim = try c.decodeIfPresent(Int.self, forKey: .manifoldDim) ?? d.manifoldDim
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha) ?? d.alpha
        samplesPerClass = try c.decodeIfPresent(Int.self, forKey: .samplesPerClass) ?? d.samplesPerClass
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
    }
}
