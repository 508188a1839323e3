import SpikeCore
import SpikeNeurons

/// Updates parameters from their accumulated gradients.
public protocol Optimizer: AnyObject {
    /// The parameters updated.
    var parameters: [Variable] { get }
    /// Learning rate.
    var learningRate: Float { get set }
    /// One update from the current gradients (parameters without a gradient are left unchanged).
    func step()
}

extension Optimizer {
    /// Clears every parameter's gradient.
    public func zeroGrad() { for p in parameters { p.grad = nil } }
}

/// Stochastic gradient descent as PyTorch's `torch.optim.SGD`:
///
///     g = grad + weight_decay * p
///     buf = momentum * buf + (1 - dampening) * g     (buf = g at the first step)
///     g = g + momentum * buf  (Nesterov)   or   g = buf   (momentum > 0)
///     p = p - lr * g
public final class SGD: Optimizer {
    public let parameters: [Variable]
    public var learningRate: Float
    public let momentum: Float, dampening: Float, weightDecay: Float, nesterov: Bool
    var buffers: [Tensor?]

    public init(_ parameters: [Variable], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                weightDecay: Float = 0, nesterov: Bool = false) {
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov needs momentum > 0 and no dampening")
        self.parameters = parameters; self.learningRate = learningRate; self.momentum = momentum
        self.dampening = dampening; self.weightDecay = weightDecay; self.nesterov = nesterov
        buffers = Array(repeating: nil, count: parameters.count)
    }

    public func step() {
        for (k, p) in parameters.enumerated() {
            guard var g = p.grad else { continue }
            if weightDecay != 0 { g = g + p.value * weightDecay }
            if momentum != 0 {
                if let b = buffers[k] { buffers[k] = b * momentum + g * (1 - dampening) } else { buffers[k] = g }
                g = nesterov ? g + buffers[k]! * momentum : buffers[k]!
            }
            p.value = p.value - g * learningRate
        }
    }
}

/// Adam (Kingma & Ba 2015) as PyTorch's `torch.optim.Adam`, with L2 `weightDecay` added to the gradient;
/// `decoupled` gives AdamW (Loshchilov & Hutter 2019): `p = p (1 - lr wd)` before the Adam step.
///
///     m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
///     p = p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
/// Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0 (Adam) or 0.01 (`AdamW`).
public class Adam: Optimizer {
    public let parameters: [Variable]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float, decoupled: Bool
    var m: [[Float]], v: [[Float]]
    /// Updates made to each parameter (PyTorch's per-parameter `state['step']`): a parameter without a
    /// gradient at some call is not advanced, so its bias correction stays its own.
    var steps: [Int]
    /// Number of `step()` calls.
    public private(set) var stepCount = 0

    public init(_ parameters: [Variable], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, decoupled: Bool = false) {
        self.parameters = parameters; self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2
        self.epsilon = epsilon; self.weightDecay = weightDecay; self.decoupled = decoupled
        m = parameters.map { [Float](repeating: 0, count: $0.value.count) }
        v = m
        steps = Array(repeating: 0, count: parameters.count)
    }

    /// Elements per parallel chunk of the update.
    static let chunk = 1 << 15

    public func step() {
        stepCount += 1
        for (k, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            steps[k] += 1
            let bc1 = 1 - Float(Double(beta1).power(steps[k])), bc2 = 1 - Float(Double(beta2).power(steps[k]))
            let stepSize = learningRate / bc1, bc2Root = bc2.squareRoot()
            let (b1, b2, eps, wd, lr) = (beta1, beta2, epsilon, weightDecay, learningRate)
            let decoupled = self.decoupled
            p.value.scalars.withUnsafeMutableBufferPointer { w in
                g.scalars.withUnsafeBufferPointer { gp in
                    m[k].withUnsafeMutableBufferPointer { mp in
                        v[k].withUnsafeMutableBufferPointer { vp in
                            // Elementwise, so fixed chunks in parallel give the serial loop's bits.
                            let ptrs = UncheckedSendable((w.baseAddress!, gp.baseAddress!, mp.baseAddress!, vp.baseAddress!))
                            let count = w.count, chunks = count < 2 * Adam.chunk ? 1 : (count + Adam.chunk - 1) / Adam.chunk
                            let size = chunks == 1 ? count : Adam.chunk
                            Parallel.forEach(chunks: chunks) { c in
                                let (w, gp, mp, vp) = ptrs.value
                                for i in (c * size)..<Swift.min(count, (c + 1) * size) {
                                    var gi = gp[i]
                                    if decoupled { w[i] *= 1 - lr * wd } else if wd != 0 { gi += wd * w[i] }
                                    mp[i] = b1 * mp[i] + (1 - b1) * gi
                                    vp[i] = b2 * vp[i] + (1 - b2) * gi * gi
                                    w[i] -= stepSize * mp[i] / (vp[i].squareRoot() / bc2Root + eps)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// AdamW: Adam with decoupled weight decay (default 0.01), as PyTorch's `torch.optim.AdamW`.
public final class AdamW: Adam {
    public init(_ parameters: [Variable], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        super.init(parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                   weightDecay: weightDecay, decoupled: true)
    }
}

extension Double {
    func power(_ n: Int) -> Double { var r = 1.0; for _ in 0..<n { r *= self }; return r }
}

/// Scales all gradients so that their global L2 norm is at most `maxNorm` (PyTorch's `clip_grad_norm_`:
/// factor `maxNorm / (norm + 1e-6)` when below 1). Returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Variable], maxNorm: Float) -> Float {
    var sq = 0.0
    for p in parameters { if let g = p.grad { for x in g.scalars { sq += Double(x) * Double(x) } } }
    let norm = Float(sq.squareRoot())
    let coef = maxNorm / (norm + 1e-6)
    if coef < 1 { for p in parameters { if let g = p.grad { p.grad = g * coef } } }
    return norm
}

/// An optimizer whose state (moments, momentum buffers, step counts) can be saved and restored, so that a run
/// resumed from a checkpoint continues with the same bits as an uninterrupted one. Names follow PyTorch's
/// `optimizer.state_dict()["state"]`: per parameter index `k`, `k.exp_avg`, `k.exp_avg_sq`, `k.step` (Adam,
/// AdamW) or `k.momentum_buffer` (SGD).
public protocol StatefulOptimizer: Optimizer {
    /// The state as named tensors (absent entries: never set).
    var stateTensors: [(String, Tensor)] { get }
    /// Restores `stateTensors` of an optimizer over parameters of the same shapes, in the same order.
    /// - Throws: `ParameterError` naming the first entry that is missing or of the wrong shape.
    func loadState(_ state: [String: Tensor]) throws
}

extension SGD: StatefulOptimizer {
    /// `k.momentum_buffer` for each parameter that has one.
    public var stateTensors: [(String, Tensor)] {
        buffers.enumerated().compactMap { k, b in b.map { ("\(k).momentum_buffer", $0) } }
    }
    /// Restores the momentum buffers (a parameter without one starts afresh).
    public func loadState(_ state: [String: Tensor]) throws {
        for (k, p) in parameters.enumerated() {
            guard let b = state["\(k).momentum_buffer"] else { buffers[k] = nil; continue }
            guard b.shape == p.shape else { throw ParameterError("optimizer state '\(k).momentum_buffer' has shape \(b.shape), the parameter \(p.shape)") }
            buffers[k] = b
        }
    }
}

extension Adam: StatefulOptimizer {
    /// `step_count`, then per parameter `k.exp_avg`, `k.exp_avg_sq` (the parameter's shape) and `k.step`.
    public var stateTensors: [(String, Tensor)] {
        var out: [(String, Tensor)] = [("step_count", Tensor(Float(stepCount)))]
        for (k, p) in parameters.enumerated() {
            out += [("\(k).exp_avg", Tensor(shape: p.shape, scalars: m[k])), ("\(k).exp_avg_sq", Tensor(shape: p.shape, scalars: v[k])),
                    ("\(k).step", Tensor(Float(steps[k])))]
        }
        return out
    }
    /// Restores the moments and step counts; nothing changes unless every entry is valid.
    public func loadState(_ state: [String: Tensor]) throws {
        func get(_ key: String, _ shape: [Int]) throws -> Tensor {
            guard let t = state[key] else { throw ParameterError("optimizer state lacks '\(key)'") }
            guard t.shape == shape else { throw ParameterError("optimizer state '\(key)' has shape \(t.shape), expected \(shape)") }
            return t
        }
        func count(_ key: String) throws -> Int {
            let x = try get(key, []).scalar
            guard x >= 0, x < 16_777_216, x == x.rounded() else { throw ParameterError("optimizer state '\(key)' is \(x), not a step count") }
            return Int(x)
        }
        var newM = m, newV = v, newSteps = steps
        for (k, p) in parameters.enumerated() {
            newM[k] = try get("\(k).exp_avg", p.shape).scalars
            newV[k] = try get("\(k).exp_avg_sq", p.shape).scalars
            newSteps[k] = try count("\(k).step")
        }
        let total = try count("step_count")
        m = newM; v = newV; steps = newSteps; stepCount = total
    }
}
