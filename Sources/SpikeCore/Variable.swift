/// Reverse-mode automatic differentiation.
///
/// A `Variable` is a node of the tape: a value, the variables it was computed from, and the hand-written
/// vector-Jacobian product (VJP) of the operation that made it. Every operation appends to the tape while
/// gradient recording is on and one of its inputs requires a gradient; `backward()` on a scalar result
/// walks the tape in reverse order of recording, applies each VJP once, and accumulates the gradients of
/// leaf variables (parameters) into their `grad`. Intermediate gradients are dropped after use.
/// No `_Differentiation` module is involved: each op's VJP is written out next to its forward.
public final class Variable: @unchecked Sendable {
    /// The current value. Every assignment or in-place change advances `version`.
    public var value: Tensor { didSet { version &+= 1 } }
    /// Advanced by every change of `value` (caches derived from the value, such as a Linear layer's
    /// transposed weight panels, compare it).
    public private(set) var version = 0
    /// The accumulated gradient of the last `backward()` calls (leaves only); nil before any.
    public var grad: Tensor?
    /// Whether gradients flow to (or through) this variable.
    public let requiresGrad: Bool
    /// Position on the tape (recording order), used to order the backward pass.
    let tapeIndex: Int
    let parents: [Variable]
    let vjp: ((Tensor) -> [Tensor?])?

    /// A leaf variable: a parameter (`requiresGrad: true`) or a constant input.
    public init(_ value: Tensor, requiresGrad: Bool = false) {
        self.value = value
        self.requiresGrad = requiresGrad
        self.parents = []
        self.vjp = nil
        self.tapeIndex = Tape.nextIndex()
    }

    init(value: Tensor, parents: [Variable], vjp: ((Tensor) -> [Tensor?])?, requiresGrad: Bool) {
        self.value = value
        self.parents = parents
        self.vjp = vjp
        self.requiresGrad = requiresGrad
        self.tapeIndex = Tape.nextIndex()
    }

    /// Records an operation with value `value`, computed from `parents`, whose VJP maps the gradient of the
    /// result to one gradient per parent (nil where a parent gets none). Used by every differentiable op,
    /// including the fused kernels of other modules.
    public static func record(_ value: Tensor, parents: [Variable], vjp: @escaping (Tensor) -> [Tensor?]) -> Variable {
        let needs = Tape.isRecording && parents.contains { $0.requiresGrad }
        return Variable(value: value, parents: needs ? parents : [], vjp: needs ? vjp : nil, requiresGrad: needs)
    }

    /// Shape of the value.
    public var shape: [Int] { value.shape }

    /// Back-propagates from this scalar: d(self)/d(leaf) is added to every leaf's `grad`.
    public func backward() {
        precondition(value.count == 1, "backward: needs a scalar loss, got shape \(shape)")
        backward(seed: Tensor(shape: value.shape, scalars: [1]))
    }

    /// Back-propagates `seed` (the gradient of some scalar with respect to this variable).
    public func backward(seed: Tensor) {
        precondition(seed.shape == shape, "backward: seed shape \(seed.shape) differs from \(shape)")
        guard requiresGrad else { return }
        // Collect the nodes reachable through recorded operations.
        var nodes: [Variable] = []
        var seen = Set<ObjectIdentifier>()
        var stack: [Variable] = [self]
        while let v = stack.popLast() {
            if !seen.insert(ObjectIdentifier(v)).inserted { continue }
            nodes.append(v)
            for p in v.parents where p.requiresGrad { stack.append(p) }
        }
        // Reverse recording order is a valid reverse topological order.
        nodes.sort { $0.tapeIndex > $1.tapeIndex }
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        for v in nodes {
            guard let g = grads.removeValue(forKey: ObjectIdentifier(v)) else { continue }
            guard let vjp = v.vjp else {
                if v.grad == nil { v.grad = g } else { v.grad! += g }
                continue
            }
            let pg = vjp(g)
            for (p, gp) in zip(v.parents, pg) where p.requiresGrad {
                guard let gp else { continue }
                precondition(gp.shape == p.shape, "VJP returned gradient of shape \(gp.shape) for input \(p.shape)")
                let id = ObjectIdentifier(p)
                if grads[id] == nil { grads[id] = gp } else { grads[id]! += gp }
            }
        }
    }

    /// Sets `grad` to nil.
    public func zeroGrad() { grad = nil }

    /// Bytes of float32 values held by the recorded graph that ends here: this value and every value reachable
    /// through recorded operations (4 bytes per scalar, each node once). The activations a backward pass from
    /// here keeps alive; used to estimate a training batch's memory from one sample. Leaves (parameters,
    /// inputs) are included.
    public var recordedGraphBytes: Int {
        var seen = Set<ObjectIdentifier>(), stack: [Variable] = [self], total = 0
        while let v = stack.popLast() {
            if !seen.insert(ObjectIdentifier(v)).inserted { continue }
            total += 4 * v.value.count
            stack.append(contentsOf: v.parents)
        }
        return total
    }
}

/// Recording state of the tape.
public enum Tape {
    nonisolated(unsafe) static var counter = 0
    nonisolated(unsafe) static var noGradDepth = 0

    static func nextIndex() -> Int { counter += 1; return counter }

    /// Whether operations are being recorded (false inside `withoutGradients`).
    public static var isRecording: Bool { noGradDepth == 0 }

    /// Runs `body` without recording any operation (inference mode): no VJP closures, no saved inputs.
    public static func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
        noGradDepth += 1
        defer { noGradDepth -= 1 }
        return try body()
    }
}
