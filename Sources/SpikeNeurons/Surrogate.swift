import Foundation

/// A surrogate gradient for the spike nonlinearity.
///
/// Forward: the Heaviside step `S = Θ(x) = 1 if x >= 0 else 0` with `x = h - v_threshold` (SpikingJelly's
/// convention, `x >= 0` fires). Backward: the derivative `σ'(x)` of a smooth primitive `σ` stands in for
/// Θ's derivative. `primitive(x)` is that smooth function; with `smoothForward` set, neurons use it in the
/// forward pass instead of Θ, which makes the whole model differentiable so that numerical gradient checks
/// can verify the backward pass through time exactly.
///
/// Definitions and defaults follow SpikingJelly (`spikingjelly.activation_based.surrogate`) and snnTorch
/// (`snntorch.surrogate`):
/// - `sigmoid(alpha: 4)`: σ = sigmoid(αx), σ' = α sigmoid(αx)(1 - sigmoid(αx)) (SpikingJelly Sigmoid).
/// - `atan(alpha: 2)`: σ = arctan(π α x / 2)/π + 1/2, σ' = α / (2 (1 + (π α x / 2)^2)) (SpikingJelly ATan).
/// - `fastSigmoid(slope: 25)`: σ' = 1 / (1 + k|x|)^2, σ = x / (1 + k|x|) + 1/2 (snnTorch fast_sigmoid,
///   the SuperSpike pseudo-derivative of Zenke & Ganguli 2018).
/// - `triangle(gamma: 0.3)`: σ' = γ max(0, 1 - |x|) (Bellec et al. 2018's triangular pseudo-derivative,
///   as Norse's LSNN uses it). snnTorch's `triangular` returns ±threshold instead of a triangle; we follow the
///   published triangle.
/// - `erf(alpha: 2)`: σ = erfc(-αx)/2, σ' = α/√π exp(-α²x²) (SpikingJelly Erf).
/// - `piecewiseQuadratic(alpha: 1)`: σ' = α - α²|x| for |x| <= 1/α, else 0 (SpikingJelly PiecewiseQuadratic).
/// - `rectangle(width: 1)`: σ' = 1/a for |x| < a/2, else 0 (Wu et al. 2018, STBP).
/// - `straightThrough`: σ' = 1 (snnTorch straight_through_estimator).
public struct Surrogate: Sendable, Equatable, CustomStringConvertible {
    /// The family of the surrogate.
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case sigmoid, atan, fastSigmoid = "fast-sigmoid", triangle, erf
        case piecewiseQuadratic = "piecewise-quadratic", rectangle, straightThrough = "straight-through"

        /// The default shape parameter (alpha, slope, gamma or width) of the family.
        public var defaultParameter: Float {
            switch self {
            case .sigmoid: return 4
            case .atan: return 2
            case .fastSigmoid: return 25
            case .triangle: return 0.3
            case .erf: return 2
            case .piecewiseQuadratic: return 1
            case .rectangle: return 1
            case .straightThrough: return 1
            }
        }
    }

    /// The family.
    public var kind: Kind
    /// Its shape parameter (alpha for sigmoid/atan/erf/piecewise-quadratic, slope for fast-sigmoid,
    /// gamma for triangle, width for rectangle; unused by straight-through).
    public var alpha: Float
    /// Use the smooth primitive in the forward pass (for gradient checks), not the Heaviside step.
    public var smoothForward: Bool

    /// A surrogate of `kind` with parameter `alpha` (the family's default when nil).
    public init(_ kind: Kind, alpha: Float? = nil, smoothForward: Bool = false) {
        self.kind = kind
        self.alpha = alpha ?? kind.defaultParameter
        self.smoothForward = smoothForward
    }

    public static let sigmoid = Surrogate(.sigmoid)
    public static let atan = Surrogate(.atan)

    public var description: String { "\(kind.rawValue)(\(alpha))" }

    /// The spike for `x = h - threshold`: Θ(x), or σ(x) with `smoothForward`.
    @inlinable @inline(__always) public func spike(_ x: Float) -> Float {
        if smoothForward { return primitive(x) }
        return x >= 0 ? 1 : 0
    }

    /// The smooth function σ whose derivative is the surrogate gradient.
    @inlinable @inline(__always) public func primitive(_ x: Float) -> Float {
        let a = alpha
        switch kind {
        case .sigmoid: return stableSigmoidF(a * x)
        case .atan: return Foundation.atan(Float.pi / 2 * a * x) / Float.pi + 0.5
        case .fastSigmoid: return x / (1 + a * Swift.abs(x)) + 0.5
        case .triangle:
            let c = Swift.max(-1, Swift.min(1, x))
            return a * (c - c * Swift.abs(c) / 2) + 0.5
        case .erf: return Foundation.erfc(-a * x) / 2
        case .piecewiseQuadratic:
            if x < -1 / a { return 0 }
            if x > 1 / a { return 1 }
            return -a * a / 2 * x * Swift.abs(x) + a * x + 0.5
        case .rectangle:
            return Swift.max(0, Swift.min(1, x / a + 0.5))
        case .straightThrough: return x + 0.5
        }
    }

    /// The surrogate derivative σ'(x).
    @inlinable @inline(__always) public func derivative(_ x: Float) -> Float {
        let a = alpha
        switch kind {
        case .sigmoid: let s = stableSigmoidF(a * x); return a * s * (1 - s)
        case .atan: let u = Float.pi / 2 * a * x; return a / (2 * (1 + u * u))
        case .fastSigmoid: let d = 1 + a * Swift.abs(x); return 1 / (d * d)
        case .triangle: return a * Swift.max(0, 1 - Swift.abs(x))
        case .erf: return a / Float.pi.squareRoot() * Foundation.exp(-a * a * x * x)
        case .piecewiseQuadratic: return Swift.abs(x) > 1 / a ? 0 : a - a * a * Swift.abs(x)
        case .rectangle: return Swift.abs(x) < a / 2 ? 1 / a : 0
        case .straightThrough: return 1
        }
    }
}

@inlinable @inline(__always) func stableSigmoidF(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
    let e = Foundation.exp(x); return e / (1 + e)
}
