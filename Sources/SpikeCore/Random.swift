import Foundation

/// A seeded pseudo-random generator: xoshiro256** (Blackman & Vigna 2018), state filled from the seed
/// by SplitMix64. The sequence depends only on the seed, never on the number of threads: parallel code
/// derives one generator per fixed chunk with `split(stream:)`.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    /// A generator whose whole sequence is determined by `seed`.
    public init(seed: UInt64) {
        var sm = seed
        func splitmix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix(&sm); s1 = splitmix(&sm); s2 = splitmix(&sm); s3 = splitmix(&sm)
    }

    /// An independent generator for sub-stream `stream` (e.g. a chunk index), derived from this one's
    /// state without advancing it.
    public func split(stream: UInt64) -> SeededRandom {
        SeededRandom(seed: s0 ^ (s1 &* 0x9E37_79B9_7F4A_7C15) ^ (stream &* 0xD1B5_4A32_D192_ED03) ^ s3)
    }

    /// The generator's whole state (four words), e.g. for a checkpoint; `init(state:)` restores it.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// A generator continuing from a state saved with `state` (four words, not all zero).
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        s0 = state[0]; s1 = state[1]; s2 = state[2]; s3 = state[3]
    }

    @inline(__always) static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits (every float32 value of that grid equally likely).
    public mutating func nextUniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [0, 1) as a Double with 53 random bits.
    public mutating func nextDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Standard normal (mean 0, variance 1) by the Box-Muller transform, in double precision.
    public mutating func nextNormal() -> Float {
        var u1 = nextDouble()
        while u1 <= 0 { u1 = nextDouble() }
        let u2 = nextDouble()
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// A uniformly random integer in `0..<n` (Lemire's unbiased method via the standard library).
    public mutating func nextInt(below n: Int) -> Int { Int.random(in: 0..<n, using: &self) }

    /// Shuffles `array` in place (Fisher-Yates), deterministic for the generator's state.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            array.swapAt(i, j)
        }
    }
}

extension Tensor {
    /// Uniform samples in `[low, high)`.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, rng: inout SeededRandom) -> Tensor {
        let n = shape.reduce(1, *)
        var out = [Float](repeating: 0, count: n)
        for i in 0..<n { out[i] = low + (high - low) * rng.nextUniform() }
        return Tensor(shape: shape, scalars: out)
    }

    /// Normal samples with `mean` and standard deviation `std`.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, rng: inout SeededRandom) -> Tensor {
        let n = shape.reduce(1, *)
        var out = [Float](repeating: 0, count: n)
        for i in 0..<n { out[i] = mean + std * rng.nextNormal() }
        return Tensor(shape: shape, scalars: out)
    }

    /// Bernoulli samples: 1 with probability `p`, else 0.
    public static func bernoulli(_ shape: [Int], p: Float, rng: inout SeededRandom) -> Tensor {
        let n = shape.reduce(1, *)
        var out = [Float](repeating: 0, count: n)
        for i in 0..<n { out[i] = rng.nextUniform() < p ? 1 : 0 }
        return Tensor(shape: shape, scalars: out)
    }
}
