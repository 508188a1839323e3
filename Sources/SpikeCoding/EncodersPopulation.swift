import Foundation
import SpikeCore
import SpikeNN

/// Where the centres of a Gaussian population lie.
public enum PopulationCentres: String, Sendable, CaseIterable {
    /// Bohte, Kok & La Poutré 2002 ("Error-backpropagation in temporally encoded networks of spiking neurons",
    /// Neurocomputing 48): for N neurons, `mu_i = min + (2i - 3)/2 * (max - min)/(N - 2)`, i = 1 ... N, i.e.
    /// spacing `d = (max - min)/(N - 2)` from `min - d/2` to `max + d/2` (the range's ends lie between two
    /// centres). Needs N >= 3.
    case bohte
    /// `mu_i = min + i (max - min)/(N - 1)`, i = 0 ... N-1 (Norse's `population_encode` linspace): the first
    /// and last centres on the range's ends. Needs N >= 2.
    case endpoints
}

/// What a population encoder emits.
public enum PopulationOutput: Sendable, Equatable {
    /// The Gaussian responses as currents, the same at every step.
    case currents
    /// One spike per neuron at step `round((T - 1)(1 - r))` (round half to even), stronger responses earlier;
    /// neurons whose response is below `minResponse` do not spike (Bohte et al.: weakly excited neurons stay
    /// silent; SpikingJelly's `discard_late` drops times later than 9/10 of the window, i.e. minResponse 0.1).
    case spikes(minResponse: Float)
}

extension Encode {
    /// The centres and the width of a Gaussian population over [min, max] with `neurons` neurons. The default
    /// width is `sigma = d / gamma` with `gamma = 1.5` and `d` the spacing of the centres (Bohte et al. 2002:
    /// `sigma = (max - min) / (gamma (N - 2))`).
    /// - Throws: `CodingError` for too few neurons (< 3 for `.bohte`, < 2 for `.endpoints`), `min >= max` or a
    ///   non-finite bound, or sigma not positive.
    public static func populationCentres(neurons: Int, min: Float, max: Float, sigma: Float? = nil,
                                         centres: PopulationCentres = .bohte) throws -> (centres: [Float], sigma: Float) {
        let coder = "population"
        let need = centres == .bohte ? 3 : 2
        guard neurons >= need else { throw CodingError("\(coder): needs at least \(need) neurons with \(centres) centres, got \(neurons)") }
        guard min.isFinite, max.isFinite, min < max else { throw CodingError("\(coder): needs finite min < max, got [\(min), \(max)]") }
        if let sigma { try CodingCheck.positive(sigma, "sigma", coder) }
        let range = Double(max) - Double(min)
        let mu: [Float], d: Double
        switch centres {
        case .bohte:
            d = range / Double(neurons - 2)
            mu = (1...neurons).map { Float(Double(min) + Double(2 * $0 - 3) / 2 * d) }
        case .endpoints:
            d = range / Double(neurons - 1)
            mu = (0..<neurons).map { Float(Double(min) + Double($0) * d) }
        }
        return (mu, sigma ?? Float(d / 1.5))
    }

    /// Gaussian receptive-field responses (population coding): each value x becomes N responses
    ///
    ///     r_i(x) = exp(-(x - mu_i)^2 / (2 sigma^2))        in (0, 1], 1 at the centre
    ///
    /// with centres and width from `populationCentres` (default Bohte et al. 2002: N centres spaced
    /// d = (max - min)/(N - 2) from min - d/2, sigma = d / 1.5).
    ///
    /// - Parameters:
    ///   - x: values in [min, max], any shape `S`.
    ///   - neurons: N.
    /// - Returns: `S + [N]`.
    /// - Throws: `CodingError` for a value outside [min, max] or NaN, and as `populationCentres`.
    public static func gaussianResponses(_ x: Tensor, neurons: Int, min: Float = 0, max: Float = 1, sigma: Float? = nil,
                                         centres: PopulationCentres = .bohte) throws -> Tensor {
        let (mu, s) = try populationCentres(neurons: neurons, min: min, max: max, sigma: sigma, centres: centres)
        try CodingCheck.finite(x.scalars, "population")
        if let i = x.scalars.firstIndex(where: { $0 < min || $0 > max }) {
            throw CodingError("population: value \(x.scalars[i]) at index \(i) is outside [\(min), \(max)]")
        }
        let inv = 1 / (2 * s * s)
        var out = [Float](); out.reserveCapacity(x.count * neurons)
        for v in x.scalars { for m in mu { out.append(Foundation.exp(-(v - m) * (v - m) * inv)) } }
        return Tensor(shape: x.shape + [neurons], scalars: out)
    }

    /// Population coding with Gaussian receptive fields over T steps (Bohte et al. 2002): each value in
    /// [min, max] to N neurons with responses `r_i` (see `gaussianResponses`), emitted as
    ///
    /// - `.currents`: `I[t, ..., i] = r_i` at every step;
    /// - `.spikes(minResponse:)` (default, minResponse 0.1): one spike at step `round((T - 1)(1 - r_i))`,
    ///   the neuron whose centre is nearest the value first (at step 0 when the value is on its centre), none
    ///   for responses below minResponse. Bohte et al. code a response of 1 at t = 0 and later times for lower
    ///   responses in the same way (with T - 1 = 9 there).
    ///
    /// Defaults: min 0, max 1, sigma = spacing / 1.5, Bohte centres, spike output with minResponse 0.1.
    ///
    /// - Returns: `[T] + S + [N]`, i.e. `[T, B, ..., N]`.
    /// - Throws: `CodingError` for steps < 1, minResponse outside [0, 1], and as `gaussianResponses`.
    public static func population(_ x: Tensor, steps: Int, neurons: Int, min: Float = 0, max: Float = 1, sigma: Float? = nil,
                                  centres: PopulationCentres = .bohte,
                                  output: PopulationOutput = .spikes(minResponse: 0.1)) throws -> Tensor {
        let coder = "population"
        try CodingCheck.steps(steps, coder)
        try MemoryBudget.checkProduct([steps, x.count, Swift.max(neurons, 1)], elementSize: 4, what: "population: output of \(steps) steps x \(x.count) values x \(neurons) neurons")
        let r = try gaussianResponses(x, neurons: neurons, min: min, max: max, sigma: sigma, centres: centres)
        let n = r.count
        switch output {
        case .currents:
            var out = [Float](); out.reserveCapacity(steps * n)
            for _ in 0..<steps { out += r.scalars }
            return Tensor(shape: timeShape(steps, r.shape), scalars: out)
        case .spikes(let minResponse):
            guard minResponse >= 0, minResponse <= 1 else {
                throw CodingError("\(coder): minResponse must be in [0, 1], got \(minResponse)")
            }
            var out = [Float](repeating: 0, count: steps * n)
            let late = Float(steps - 1)
            for (i, v) in r.scalars.enumerated() where v >= minResponse {
                let k = Int((late * (1 - v)).rounded(.toNearestOrEven))
                out[Swift.min(Swift.max(k, 0), steps - 1) * n + i] = 1
            }
            return Tensor(shape: timeShape(steps, r.shape), scalars: out)
        }
    }
}

/// Population encoder module with Gaussian receptive fields (Bohte et al. 2002): `[B, ...]` values in
/// [min, max] to `[T, B, ..., N]`, either the responses as currents (differentiable: `dr_i/dx = r_i (mu_i - x) /
/// sigma^2`, summed over time and neurons) or one spike per neuron, stronger responses earlier (see
/// `Encode.population`). Defaults: min 0, max 1, sigma = spacing / 1.5, Bohte centres, spikes with minResponse
/// 0.1.
public final class PopulationEncoder: Module {
    /// Number of time steps `T` and neurons per value `N`.
    public let steps: Int, neurons: Int
    /// The encoded range.
    public let min: Float, max: Float
    /// The centres of the receptive fields.
    public let centres: [Float]
    /// The width of every receptive field.
    public let sigma: Float
    /// How the centres were placed.
    public let placement: PopulationCentres
    /// Currents or spikes.
    public let output: PopulationOutput

    /// Traps on invalid options.
    public init(steps: Int, neurons: Int, min: Float = 0, max: Float = 1, sigma: Float? = nil,
                centres: PopulationCentres = .bohte, output: PopulationOutput = .spikes(minResponse: 0.1)) {
        let (mu, s) = Encode.orTrap {
            try CodingCheck.steps(steps, "population")
            return try Encode.populationCentres(neurons: neurons, min: min, max: max, sigma: sigma, centres: centres)
        }
        self.steps = steps; self.neurons = neurons; self.min = min; self.max = max
        self.centres = mu; self.sigma = s; placement = centres; self.output = output
        _ = Encode.orTrap { try encode(Tensor(shape: [0], scalars: [])) }
    }

    /// Encodes `x` (`[B, ...]` to `[T, B, ..., N]`), throwing `CodingError` on values outside [min, max] or NaN.
    public func encode(_ x: Tensor) throws -> Tensor {
        try Encode.population(x, steps: steps, neurons: neurons, min: min, max: max, sigma: sigma, centres: placement, output: output)
    }

    /// `[B, ...]` to `[T, B, ..., N]`, recorded on the tape for `.currents`; traps with the `CodingError` message
    /// on bad input (use `encode` to catch it).
    public func callAsFunction(_ x: Variable) -> Variable {
        let y = Encode.orTrap { try encode(x.value) }
        guard output == .currents else { return Variable(y) }
        let xs = x.value.scalars, mu = centres, s2 = sigma * sigma, N = neurons, T = steps, shape = x.shape
        return Variable.record(y, parents: [x]) { g in
            let inner = xs.count * N
            let gr = Encode.sumOverTime(g.scalars, steps: T, inner: inner, scale: 1)
            var gx = [Float](repeating: 0, count: xs.count)
            for (i, v) in xs.enumerated() {
                var acc: Float = 0
                for k in 0..<N {
                    let d = v - mu[k]
                    acc += gr[i * N + k] * Foundation.exp(-d * d / (2 * s2)) * (-d / s2)
                }
                gx[i] = acc
            }
            return [Tensor(shape: shape, scalars: gx)]
        }
    }
}
