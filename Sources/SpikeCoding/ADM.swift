import SpikeCore
import SpikeNN

/// The UP and DOWN spike trains of an asynchronous delta modulator (`ADM.encode`).
///
/// `up` and `down` have the shape of the encoded signal (`[T]`, `[T, N]`, `[T, B, N]`, ...), 0 or 1 per
/// element and step. `concatenated` is the single-tensor layout of arcana and of `ADMEncoder`: the last
/// axis doubled, UP channels first then DOWN (`[T, B, N]` -> `[T, B, 2N]`, `[T]` -> `[T, 2]`).
public struct ADMSpikes: Equatable, Sendable {
    /// 1 where the signal rose by a threshold (the reference was raised by `thresholdUp`).
    public var up: Tensor
    /// 1 where the signal fell by a threshold (the reference was lowered by `thresholdDown`).
    public var down: Tensor

    /// UP and DOWN as they come out of `ADM.encode`; the shapes must be equal.
    public init(up: Tensor, down: Tensor) {
        precondition(up.shape == down.shape, "ADMSpikes: up \(up.shape) and down \(down.shape) differ")
        self.up = up
        self.down = down
    }

    /// Number of UP events plus DOWN events.
    public var eventCount: Int { up.scalars.reduce(0) { $0 + Int($1) } + down.scalars.reduce(0) { $0 + Int($1) } }

    /// `[T, ..., 2N]`: the last axis of `up` then that of `down` for each leading index (a `[T]` signal
    /// gives `[T, 2]`: column 0 UP, column 1 DOWN).
    public var concatenated: Tensor {
        let n = up.rank >= 2 ? up.shape.last! : 1
        let rows = up.count / max(n, 1)
        var out = [Float](repeating: 0, count: 2 * up.count)
        for r in 0..<rows {
            for j in 0..<n {
                out[r * 2 * n + j] = up.scalars[r * n + j]
                out[r * 2 * n + n + j] = down.scalars[r * n + j]
            }
        }
        let lead = up.rank >= 2 ? Array(up.shape.dropLast()) : up.shape
        return Tensor(shape: lead + [2 * n], scalars: out)
    }
}

/// Asynchronous delta modulation (ADM): a signal to UP and DOWN spike channels, and back.
///
/// Each element (channel) keeps a reference level `r`, starting at the signal's first sample, and a
/// refractory counter `c` (steps), starting at 0. Step 0 emits nothing. At each later step `t`, in this
/// order (arcana's `ADM.forward`, one step per call):
/// ```
/// if c > 0 { c -= 1 }
/// UP   = (x[t] - (r + thresholdUp)   >= 0) && c == 0;  if UP   { c = refractory; r += thresholdUp }
/// DOWN = ((r - thresholdDown) - x[t] >= 0) && c == 0;  if DOWN { c = refractory; r -= thresholdDown }
/// ```
/// So at most one event per channel and step (the reference moves by at most one threshold per step), the
/// comparison is `>=` (arcana's Heaviside forward `V >= 0`), and after an event at step `t` the channel is
/// silent for steps `t + 1 ... t + refractory - 1`: events are at least `max(refractory, 1)` steps apart,
/// so `refractory` 0 and 1 behave the same. The counter is shared by UP and DOWN.
///
/// The reference after step `t` is exactly `reconstruct(spikes, initialValue: x[0])[t]`
/// (`r_t = x_0 + sum_{s <= t} (UP_s thresholdUp - DOWN_s thresholdDown)`), and while each step's change
/// stays within `-thresholdDown <= x_t - x_{t-1} <= thresholdUp` and `refractory <= 1`, it stays within one
/// threshold of the signal: `r_t - thresholdDown < x_t < r_t + thresholdUp` (up to float32 rounding).
/// Faster changes are tracked at one threshold per step (slope overload, as any delta modulator).
///
/// Units: thresholds are in the units of the signal; `refractory` in steps.
///
/// Reference: arcana (github.com/ferqui/ARCANA, formerly DynapSEtorch), `ADM` in
/// `DynapSEtorch/model.py`: `N`, `threshold_up`, `threshold_down`, `refractory`, `reconstruct(spikes,
/// initial_value)`, output `cat([UP, DOWN], dim=1)`. The rule above is that version's, followed exactly
/// (float32 arithmetic, same order of the UP and DOWN checks). A later revision of `arcana/model.py`
/// instead snaps the reference to the input when the refractory counter reaches 1; with `refractory = 0`
/// that revision never moves the reference (every step past the first threshold fires) and its own
/// `reconstruct` no longer matches the reference, so it is not followed. arcana trains the thresholds
/// through a surrogate gradient; here the encoder is not differentiable (a fixed pre-processing step).
public struct ADM: Equatable, Sendable {
    /// Rise of the signal above the reference that emits UP, in signal units (`> 0`).
    public let thresholdUp: Float
    /// Fall of the signal below the reference that emits DOWN, in signal units (`> 0`).
    public let thresholdDown: Float
    /// Refractory period in steps, counting the event's own step (`>= 0`; default 0).
    public let refractory: Int

    /// An encoder with these thresholds (signal units) and refractory period (steps).
    /// - Throws: `CodingError` unless both thresholds are finite and `> 0` and `refractory >= 0`.
    public init(thresholdUp: Float, thresholdDown: Float, refractory: Int = 0) throws {
        try CodingCheck.positive(thresholdUp, "thresholdUp", "adm")
        try CodingCheck.positive(thresholdDown, "thresholdDown", "adm")
        guard refractory >= 0 else { throw CodingError("adm: refractory must be >= 0 steps, got \(refractory)") }
        self.thresholdUp = thresholdUp
        self.thresholdDown = thresholdDown
        self.refractory = refractory
    }

    /// Encodes `signal` (`[T]`, `[T, N]`, `[T, B, N]` or any `[T, ...]`; time first, every other element an
    /// independent channel) into UP and DOWN trains of the same shape.
    /// - Throws: `CodingError` for a scalar or empty signal, `T < 1`, or a non-finite sample.
    public func encode(_ signal: Tensor) throws -> ADMSpikes {
        let (steps, m) = try Self.checkSignal(signal)
        let x = signal.scalars
        var up = [Float](repeating: 0, count: x.count)
        var down = [Float](repeating: 0, count: x.count)
        var reference = Array(x[0..<m])
        var counter = [Int](repeating: 0, count: m)
        let thrUp = thresholdUp, thrDown = thresholdDown, refractory = refractory
        for t in 1..<steps {
            let row = t * m
            for j in 0..<m {
                var c = counter[j]
                if c > 0 { c -= 1 }
                var r = reference[j]
                let v = x[row + j]
                if c == 0 && v - (r + thrUp) >= 0 {
                    up[row + j] = 1
                    c = refractory
                    r += thrUp
                }
                if c == 0 && (r - thrDown) - v >= 0 {
                    down[row + j] = 1
                    c = refractory
                    r -= thrDown
                }
                reference[j] = r
                counter[j] = c
            }
        }
        return ADMSpikes(up: Tensor(shape: signal.shape, scalars: up), down: Tensor(shape: signal.shape, scalars: down))
    }

    /// The signal rebuilt from this encoder's spikes: see `ADM.reconstruct(up:down:initialValue:thresholdUp:thresholdDown:)`.
    public func reconstruct(_ spikes: ADMSpikes, initialValue: Tensor) throws -> Tensor {
        try Self.reconstruct(up: spikes.up, down: spikes.down, initialValue: initialValue,
                             thresholdUp: thresholdUp, thresholdDown: thresholdDown)
    }

    /// The signal rebuilt from this encoder's spikes, starting from one value for every channel.
    public func reconstruct(_ spikes: ADMSpikes, initialValue: Float) throws -> Tensor {
        try reconstruct(spikes, initialValue: Tensor(initialValue))
    }

    /// Rebuilds a signal from UP and DOWN trains (arcana's `ADM.reconstruct`):
    /// `y_t = initialValue + sum_{s <= t} (up_s thresholdUp - down_s thresholdDown)`, a running sum over
    /// time per channel, so `y` has the shape of `up` and `y_0 = initialValue` for trains from `encode`
    /// (which emits nothing at step 0). arcana's loop starts at step 1 and ignores events at step 0; this
    /// sum counts them, which differs only for trains not made by the encoder.
    ///
    /// - Parameters:
    ///   - up, down: `[T, ...]` of equal shapes (any finite values; 0/1 from `encode`).
    ///   - initialValue: the level before the first event, in signal units: one value (`[]` or `[1]`) for
    ///     every channel, or one per channel (shape `up.shape.dropFirst()`); usually the signal's first sample.
    ///   - thresholdUp, thresholdDown: the encoder's thresholds (`> 0`).
    /// - Throws: `CodingError` for shapes that differ, `T < 1`, a non-finite value or a threshold `<= 0`.
    public static func reconstruct(up: Tensor, down: Tensor, initialValue: Tensor,
                                   thresholdUp: Float, thresholdDown: Float) throws -> Tensor {
        let coder = "adm reconstruct"
        try CodingCheck.positive(thresholdUp, "thresholdUp", coder)
        try CodingCheck.positive(thresholdDown, "thresholdDown", coder)
        guard up.shape == down.shape else {
            throw CodingError("\(coder): up \(up.shape) and down \(down.shape) spikes have different shapes")
        }
        guard up.rank >= 1 else { throw CodingError("\(coder): spikes need a time axis, got a scalar") }
        let steps = up.shape[0]
        try CodingCheck.steps(steps, coder)
        let m = up.count / steps
        try CodingCheck.finite(up.scalars, coder)
        try CodingCheck.finite(down.scalars, coder)
        try CodingCheck.finite(initialValue.scalars, coder)
        let channelShape = Array(up.shape.dropFirst())
        var level: [Float]
        if initialValue.count == 1 {
            level = [Float](repeating: initialValue.scalars[0], count: m)
        } else if initialValue.shape == channelShape {
            level = initialValue.scalars
        } else {
            throw CodingError("\(coder): initial value of shape \(initialValue.shape) fits neither one value nor the channels \(channelShape)")
        }
        var out = [Float](repeating: 0, count: up.count)
        for t in 0..<steps {
            let row = t * m
            for j in 0..<m {
                level[j] = level[j] + thresholdUp * up.scalars[row + j] - thresholdDown * down.scalars[row + j]
                out[row + j] = level[j]
            }
        }
        return Tensor(shape: up.shape, scalars: out)
    }

    /// Rebuilds a signal from the concatenated layout `[T, ..., 2N]` (UP channels then DOWN, as
    /// `ADMSpikes.concatenated` and `ADMEncoder`): returns `[T, ..., N]`. `initialValue` is one value or
    /// one per channel (`[..., N]`). Same sum as `reconstruct(up:down:...)`.
    /// - Throws: `CodingError` for a rank below 2, an odd last axis, or as `reconstruct(up:down:...)`.
    public static func reconstruct(_ spikes: Tensor, initialValue: Tensor,
                                   thresholdUp: Float, thresholdDown: Float) throws -> Tensor {
        let (up, down) = try split(spikes, "adm reconstruct")
        return try reconstruct(up: up, down: down, initialValue: initialValue,
                               thresholdUp: thresholdUp, thresholdDown: thresholdDown)
    }

    /// Splits `[T, ..., 2N]` into UP and DOWN `[T, ..., N]`.
    public static func split(_ spikes: Tensor) throws -> (up: Tensor, down: Tensor) {
        try split(spikes, "adm")
    }

    static func split(_ spikes: Tensor, _ coder: String) throws -> (up: Tensor, down: Tensor) {
        guard spikes.rank >= 2 else {
            throw CodingError("\(coder): concatenated spikes must be [T, ..., 2N], got shape \(spikes.shape)")
        }
        let two = spikes.shape.last!
        guard two % 2 == 0, two > 0 else {
            throw CodingError("\(coder): last axis \(two) of shape \(spikes.shape) must be even (UP then DOWN channels)")
        }
        let n = two / 2, rows = spikes.count / two
        var up = [Float](repeating: 0, count: rows * n), down = up
        for r in 0..<rows {
            for j in 0..<n {
                up[r * n + j] = spikes.scalars[r * two + j]
                down[r * n + j] = spikes.scalars[r * two + n + j]
            }
        }
        let shape = Array(spikes.shape.dropLast()) + [n]
        return (Tensor(shape: shape, scalars: up), Tensor(shape: shape, scalars: down))
    }

    /// Checks a signal and returns `(T, channels per step)`.
    static func checkSignal(_ signal: Tensor) throws -> (Int, Int) {
        guard signal.rank >= 1 else { throw CodingError("adm: signal needs a time axis [T, ...], got a scalar") }
        let steps = signal.shape[0]
        try CodingCheck.steps(steps, "adm")
        guard signal.count > 0 else { throw CodingError("adm: signal of shape \(signal.shape) has no channels") }
        try CodingCheck.finite(signal.scalars, "adm")
        return (steps, signal.count / steps)
    }
}

/// Asynchronous delta modulation as a multi-step module: `[T, B, N]` signal in, `[T, B, 2N]` spikes out,
/// the `N` UP channels then the `N` DOWN channels of each sample (arcana's `ADM` output layout). Any
/// `[T, ...]` works the same way, the last axis doubled (`[T, N]` -> `[T, 2N]`, `[T]` -> `[T, 2]`);
/// flatten image-like inputs first. The rule is `ADM`'s; each call starts afresh (reference = the
/// first sample, refractory counters 0).
///
/// The output is a constant: no gradient flows back to the input or the thresholds. Parameter errors
/// throw at construction; a non-finite input traps in `callAsFunction` with the `CodingError` message
/// (a `Module` cannot throw): call `encode(_:)` to get the error thrown instead.
public final class ADMEncoder: Module {
    /// The modulator (thresholds and refractory period).
    public let adm: ADM

    /// An encoder with thresholds in signal units and a refractory period in steps (see `ADM`).
    /// - Throws: `CodingError` unless both thresholds are finite and `> 0` and `refractory >= 0`.
    public init(thresholdUp: Float, thresholdDown: Float, refractory: Int = 0) throws {
        adm = try ADM(thresholdUp: thresholdUp, thresholdDown: thresholdDown, refractory: refractory)
    }

    /// An encoder around an existing modulator.
    public init(_ adm: ADM) { self.adm = adm }

    /// `[T, B, N]` -> `[T, B, 2N]` (UP then DOWN), throwing a `CodingError` for a bad signal.
    public func encode(_ signal: Tensor) throws -> Tensor {
        try adm.encode(signal).concatenated
    }

    /// `[T, B, N]` -> `[T, B, 2N]`; traps with the `CodingError` message on a bad signal.
    public func callAsFunction(_ x: Variable) -> Variable {
        do {
            return Variable(try encode(x.value))
        } catch {
            preconditionFailure("ADMEncoder: \(error)")
        }
    }

    /// Rebuilds `[T, ..., N]` from this module's `[T, ..., 2N]` output, starting at `initialValue` (one
    /// value, or one per channel `[..., N]`; usually the signal's first step).
    public func reconstruct(_ spikes: Tensor, initialValue: Tensor) throws -> Tensor {
        try ADM.reconstruct(spikes, initialValue: initialValue,
                            thresholdUp: adm.thresholdUp, thresholdDown: adm.thresholdDown)
    }
}
