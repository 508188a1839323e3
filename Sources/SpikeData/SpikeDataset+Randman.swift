import SpikeCore

extension SpikeDataset {
    /// The standardisation epsilon of the reference `standardize(x, eps=1e-7)`.
    public static let randmanEpsilon: Double = 1e-7

    /// The spiking Randman classification data set (Zenke & Vogels 2021, `make_spiking_dataset` of the
    /// reference code `fzenke/randman`, with `nb_spikes = 1`, `step_frac = 1`, `shuffle = True`).
    ///
    /// Procedure, all in `Double`, with one generator `rng = SeededRandom(seed: config.seed)`:
    /// 1. one manifold seed per class, `rng.next()` for `k` in `0..<classes` (reference: `randman_seeds`);
    /// 2. for each class `k` in order, `samplesPerClass` points `x` uniform in `[0, 1)^D` (row-major,
    ///    `rng.nextDouble()`);
    /// 3. class `k`'s manifold: `Randman(embeddingDim: units, manifoldDim: D, alpha: alpha,
    ///    seed: seeds[k])` (no bias, `prec = 1e-3`, `max_f_cutoff = 1000`), evaluated at its points: `y[n, e]`;
    /// 4. standardisation per unit over the class's samples: `y' = (y - min_n y) / (max_n y - min_n y + 1e-7)`
    ///    (so `y'` lies in `[0, 1)`: the minimum maps to 0, the maximum to just below 1);
    /// 5. spike time `y' * steps` (reference: `data[:, :, 0] *= nb_steps`), binned to the step
    ///    `min(Int(y' * steps), steps - 1)` (deviation: the reference returns continuous times and leaves
    ///    binning to the user; we floor them to a step index). Every unit spikes exactly once per sample;
    /// 6. label `k`; finally all samples are shuffled with `rng` (Fisher-Yates, `SeededRandom.shuffle`).
    ///
    /// The result depends only on `config` (bit for bit, whatever the thread count). Because of our own
    /// generator the numbers differ from the Python reference for the same seed; the distributions match.
    /// See `Randman` for the manifold's equations and its deviations from the reference.
    ///
    /// - Throws: the `DatasetError` of `config.validate()`.
    public static func randman(_ config: RandmanConfig) throws -> SpikeDataset {
        try config.validate()
        try MemoryBudget.check(bytes: config.estimatedBytes, what: "randman data set (\(config.classes) classes x \(config.samplesPerClass) samples x \(config.units) units)")
        let classes = config.classes, units = config.units, steps = config.steps
        let dim = config.manifoldDim, perClass = config.samplesPerClass

        var rng = SeededRandom(seed: config.seed)
        let manifoldSeeds = (0..<classes).map { _ in rng.next() }
        var points = [Double](repeating: 0, count: classes * perClass * dim)
        for k in 0..<points.count { points[k] = rng.nextDouble() }
        let manifolds = try manifoldSeeds.map {
            try Randman(embeddingDim: units, manifoldDim: dim, alpha: config.alpha, seed: $0)
        }

        // Spike steps, class-major as generated: sample n = k * perClass + j.
        var flat = [Int32](repeating: SpikeDataset.noSpike, count: classes * perClass * units)
        var flatValues = [Float](repeating: 0, count: classes * perClass * units)
        points.withUnsafeBufferPointer { pts in
            flat.withUnsafeMutableBufferPointer { out in
              flatValues.withUnsafeMutableBufferPointer { valuesOut in
                let box = UncheckedSendable(out), valuesBox = UncheckedSendable(valuesOut)
                Parallel.forEach(chunks: classes) { k in
                    let out = box.value, valuesOut = valuesBox.value
                    let manifold = manifolds[k]
                    var y = [Double](repeating: 0, count: perClass * units)
                    y.withUnsafeMutableBufferPointer { yb in
                        for j in 0..<perClass {
                            let n = k * perClass + j
                            let p = UnsafeBufferPointer(rebasing: pts[(n * dim)..<((n + 1) * dim)])
                            manifold.evaluate(point: p, into: UnsafeMutableBufferPointer(rebasing: yb[(j * units)..<((j + 1) * units)]))
                        }
                        for e in 0..<units {
                            var lo = Double.infinity, hi = -Double.infinity
                            for j in 0..<perClass {
                                let v = yb[j * units + e]
                                lo = min(lo, v); hi = max(hi, v)
                            }
                            let scale = hi - lo + randmanEpsilon
                            for j in 0..<perClass {
                                let standardised = (yb[j * units + e] - lo) / scale
                                let step = min(Int(standardised * Double(steps)), steps - 1)
                                out[(k * perClass + j) * units + e] = Int32(step)
                                valuesOut[(k * perClass + j) * units + e] = Float(standardised)
                            }
                        }
                    }
                }
              }
            }
        }

        var order = Array(0..<(classes * perClass))
        rng.shuffle(&order)
        let spikeSteps = order.map { n in Array(flat[(n * units)..<((n + 1) * units)]) }
        let labels = order.map { $0 / perClass }
        let values = order.map { n in Array(flatValues[(n * units)..<((n + 1) * units)]) }
        return SpikeDataset(unchecked: spikeSteps, labels: labels, steps: steps, units: units, classes: classes, values: values)
    }
}
