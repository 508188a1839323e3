import SpikeNeurons
import SpikeCore
import SpikeCKernels

/// Pooling over the last two axes of any tensor of rank 3 or more (`[T, B, C, H, W]`, `[N, C, H, W]`): every
/// leading index is one plane, pooled independently (fixed chunks of planes in parallel).
enum Pool2D {
    struct Window { var kh, kw, sh, sw, ph, pw, dh, dw: Int }

    static func outputSize(_ n: Int, kernel: Int, stride: Int, pad: Int, dilation: Int, ceilMode: Bool) -> Int {
        let span = n + 2 * pad - dilation * (kernel - 1) - 1
        var o = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
        // PyTorch: with ceil_mode the last window must start inside the input or the left padding.
        if ceilMode && (o - 1) * stride >= n + pad { o -= 1 }
        return o
    }

    static func planes(_ shape: [Int], _ what: String) -> (planes: Int, h: Int, w: Int) {
        precondition(shape.count >= 3, "\(what): input \(shape) needs at least 3 axes ([C, H, W], [N, C, H, W] or [T, B, C, H, W])")
        return (shape.dropLast(2).reduce(1, *), shape[shape.count - 2], shape[shape.count - 1])
    }

    static let planeChunk = 64

    static func forEachChunk(_ planes: Int, _ body: @escaping (Int, Int) -> Void) {
        let chunks = (planes + planeChunk - 1) / planeChunk
        Parallel.forEach(chunks: chunks) { c in body(c * planeChunk, Swift.min(planes, (c + 1) * planeChunk)) }
    }

    static func maxPool(_ x: Variable, _ win: Window, ceilMode: Bool, _ what: String) -> Variable {
        let (planes, h, w) = planes(x.shape, what)
        let ho = outputSize(h, kernel: win.kh, stride: win.sh, pad: win.ph, dilation: win.dh, ceilMode: ceilMode)
        let wo = outputSize(w, kernel: win.kw, stride: win.sw, pad: win.pw, dilation: win.dw, ceilMode: ceilMode)
        precondition(ho > 0 && wo > 0, "\(what): input \(x.shape) is smaller than the window")
        let outShape = Array(x.shape.dropLast(2)) + [ho, wo]
        let keepArg = Tape.isRecording && x.requiresGrad
        var arg = [Int32](repeating: 0, count: keepArg ? planes * ho * wo : 0)
        let out = [Float](unsafeUninitializedCapacity: planes * ho * wo) { po, count in
            x.value.scalars.withUnsafeBufferPointer { px in arg.withUnsafeMutableBufferPointer { pa in
                let p = UncheckedSendable((px.baseAddress!, po.baseAddress!, keepArg ? pa.baseAddress : nil))
                forEachChunk(planes) { p0, p1 in
                    sk_maxpool2d(p.value.0 + p0 * h * w, p.value.1 + p0 * ho * wo, p.value.2.map { $0 + p0 * ho * wo }, p1 - p0, h, w, ho, wo,
                                 win.kh, win.kw, win.sh, win.sw, win.ph, win.pw, win.dh, win.dw, Conv2D.isa)
                }
            } }
            count = planes * ho * wo
        }
        let shape = x.shape
        return Variable.record(Tensor(shape: outShape, scalars: out), parents: [x]) { g in
            [maxPoolBackward(g.scalars, arg: arg, planes: planes, h: h, w: w, ho: ho, wo: wo, shape: shape)]
        }
    }

    /// The gradient of max pooling: each output gradient `g` `[planes, ho, wo]` goes to its window's maximum
    /// (`arg`, flat within its `[h, w]` plane); a tensor of `shape` (`planes * h * w` elements).
    static func maxPoolBackward(_ g: [Float], arg: [Int32], planes: Int, h: Int, w: Int, ho: Int, wo: Int, shape: [Int]) -> Tensor {
        let gx = [Float](unsafeUninitializedCapacity: planes * h * w) { pg, count in
            g.withUnsafeBufferPointer { pgo in arg.withUnsafeBufferPointer { pa in
                let p = UncheckedSendable((pgo.baseAddress!, pa.baseAddress!, pg.baseAddress!))
                forEachChunk(planes) { p0, p1 in
                    sk_maxpool2d_backward(p.value.0 + p0 * ho * wo, p.value.1 + p0 * ho * wo, p.value.2 + p0 * h * w, p1 - p0, h * w, ho * wo)
                }
            } }
            count = planes * h * w
        }
        return Tensor(shape: shape, scalars: gx)
    }

    /// Average pooling; `scale` != 0: the window sum times `scale` (sum pooling with 1).
    static func avgPool(_ x: Variable, _ win: Window, ceilMode: Bool, countIncludePad: Bool, scale: Float, _ what: String) -> Variable {
        let (planes, h, w) = planes(x.shape, what)
        let ho = outputSize(h, kernel: win.kh, stride: win.sh, pad: win.ph, dilation: 1, ceilMode: ceilMode)
        let wo = outputSize(w, kernel: win.kw, stride: win.sw, pad: win.pw, dilation: 1, ceilMode: ceilMode)
        precondition(ho > 0 && wo > 0, "\(what): input \(x.shape) is smaller than the window")
        let outShape = Array(x.shape.dropLast(2)) + [ho, wo]
        let cp: Int32 = countIncludePad ? 1 : 0
        let out = [Float](unsafeUninitializedCapacity: planes * ho * wo) { po, count in
            x.value.scalars.withUnsafeBufferPointer { px in
                let p = UncheckedSendable((px.baseAddress!, po.baseAddress!))
                forEachChunk(planes) { p0, p1 in
                    sk_avgpool2d(p.value.0 + p0 * h * w, p.value.1 + p0 * ho * wo, p1 - p0, h, w, ho, wo, win.kh, win.kw, win.sh, win.sw,
                                 win.ph, win.pw, cp, scale)
                }
            }
            count = planes * ho * wo
        }
        let shape = x.shape
        return Variable.record(Tensor(shape: outShape, scalars: out), parents: [x]) { g in
            let gx = [Float](unsafeUninitializedCapacity: planes * h * w) { pg, count in
                g.scalars.withUnsafeBufferPointer { pgo in
                    let p = UncheckedSendable((pgo.baseAddress!, pg.baseAddress!))
                    forEachChunk(planes) { p0, p1 in
                        sk_avgpool2d_backward(p.value.0 + p0 * ho * wo, p.value.1 + p0 * h * w, p1 - p0, h, w, ho, wo, win.kh, win.kw,
                                              win.sh, win.sw, win.ph, win.pw, cp, scale)
                    }
                }
                count = planes * h * w
            }
            return [Tensor(shape: shape, scalars: gx)]
        }
    }

    static func validate(_ what: String, kernel: [Int], stride: [Int], padding: [Int], dilation: [Int] = [1, 1]) throws {
        guard kernel.allSatisfy({ $0 > 0 }) else { throw ParameterError("\(what): kernel size must be positive, got \(kernel)") }
        guard stride.allSatisfy({ $0 > 0 }) else { throw ParameterError("\(what): stride must be positive, got \(stride)") }
        guard dilation.allSatisfy({ $0 > 0 }) else { throw ParameterError("\(what): dilation must be positive, got \(dilation)") }
        guard zip(padding, kernel).allSatisfy({ $0 >= 0 && 2 * $0 <= $1 }) else {
            throw ParameterError("\(what): padding \(padding) must be non-negative and at most half the kernel \(kernel)")
        }
    }
}

/// Checks of pooling options given from outside (model files, CLI); the initialisers trap with the same message.
public enum PoolOptions {
    /// Throws a one-line `ParameterError` unless kernel, stride and dilation are positive and the padding is
    /// non-negative and at most half the kernel (PyTorch's rule).
    public static func validate(_ name: String, kernel: [Int], stride: [Int], padding: [Int], dilation: [Int] = [1, 1]) throws {
        try Pool2D.validate(name, kernel: kernel, stride: stride, padding: padding, dilation: dilation)
    }
}

/// 2-D max pooling over the last two axes (`[T, B, C, H, W]`, `[N, C, H, W]`), as PyTorch's `nn.MaxPool2d`:
/// `y[oy, ox] = max over the window at (oy*stride - padding, ox*stride - padding)` (padding counts as -inf).
/// Defaults: stride = kernel, padding 0, dilation 1, floor mode. The gradient goes to the first maximum of each
/// window in row-major order (PyTorch's CPU rule; with spikes most windows tie).
public final class MaxPool2d: Module {
    /// Window, stride, padding, dilation (height, width) and whether output sizes round up.
    public let kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int), ceilMode: Bool

    /// A window of `kernelSize` (height, width); stride defaults to the kernel size.
    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), ceilMode: Bool = false) {
        let s = stride ?? kernelSize
        ConvOptions.check { try PoolOptions.validate("MaxPool2d", kernel: [kernelSize.0, kernelSize.1], stride: [s.0, s.1],
                                                     padding: [padding.0, padding.1], dilation: [dilation.0, dilation.1]) }
        self.kernelSize = kernelSize; self.stride = s; self.padding = padding; self.dilation = dilation; self.ceilMode = ceilMode
    }
    /// A square window (stride defaults to the kernel size).
    public convenience init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1, ceilMode: Bool = false) {
        self.init(kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding),
                  dilation: (dilation, dilation), ceilMode: ceilMode)
    }
    /// Applies the layer (see the type's summary for shapes and equations).
    public func callAsFunction(_ x: Variable) -> Variable {
        Pool2D.maxPool(x, .init(kh: kernelSize.0, kw: kernelSize.1, sh: stride.0, sw: stride.1, ph: padding.0, pw: padding.1,
                                dh: dilation.0, dw: dilation.1), ceilMode: ceilMode, "MaxPool2d")
    }
}

/// 1-D max pooling over the last axis (`[T, B, C, L]`, `[N, C, L]`), as PyTorch's `nn.MaxPool1d` (defaults as `MaxPool2d`).
public final class MaxPool1d: Module {
    /// Window, stride, padding, dilation and whether the output size rounds up.
    public let kernelSize: Int, stride: Int, padding: Int, dilation: Int, ceilMode: Bool
    /// A window of `kernelSize`; stride defaults to the kernel size.
    public init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1, ceilMode: Bool = false) {
        let s = stride ?? kernelSize
        ConvOptions.check { try PoolOptions.validate("MaxPool1d", kernel: [kernelSize], stride: [s], padding: [padding], dilation: [dilation]) }
        self.kernelSize = kernelSize; self.stride = s; self.padding = padding; self.dilation = dilation; self.ceilMode = ceilMode
    }
    /// Applies the layer (see the type's summary for shapes and equations).
    public func callAsFunction(_ x: Variable) -> Variable {
        precondition(x.shape.count >= 2, "MaxPool1d: input \(x.shape) needs at least 2 axes")
        let x4 = x.reshaped(Array(x.shape.dropLast()) + [1, x.shape.last!])
        let y = Pool2D.maxPool(x4, .init(kh: 1, kw: kernelSize, sh: 1, sw: stride, ph: 0, pw: padding, dh: 1, dw: dilation), ceilMode: ceilMode, "MaxPool1d")
        return y.reshaped(Array(x.shape.dropLast()) + [y.shape.last!])
    }
}

/// 2-D average pooling over the last two axes, as PyTorch's `nn.AvgPool2d`: the window mean, the divisor the
/// window clipped to the padded input (`countIncludePad`, the default) or the number of input elements in it.
/// Defaults: stride = kernel, padding 0, floor mode.
public final class AvgPool2d: Module {
    /// Window, stride, padding (height, width), rounding up, and whether padding counts in the divisor.
    public let kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int), ceilMode: Bool, countIncludePad: Bool
    /// A window of `kernelSize` (height, width); stride defaults to the kernel size.
    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0), ceilMode: Bool = false, countIncludePad: Bool = true) {
        let s = stride ?? kernelSize
        ConvOptions.check { try PoolOptions.validate("AvgPool2d", kernel: [kernelSize.0, kernelSize.1], stride: [s.0, s.1], padding: [padding.0, padding.1]) }
        self.kernelSize = kernelSize; self.stride = s; self.padding = padding; self.ceilMode = ceilMode; self.countIncludePad = countIncludePad
    }
    /// A square window; stride defaults to the kernel size.
    public convenience init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false, countIncludePad: Bool = true) {
        self.init(kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding), ceilMode: ceilMode,
                  countIncludePad: countIncludePad)
    }
    /// Applies the layer (see the type's summary for shapes and equations).
    public func callAsFunction(_ x: Variable) -> Variable {
        Pool2D.avgPool(x, .init(kh: kernelSize.0, kw: kernelSize.1, sh: stride.0, sw: stride.1, ph: padding.0, pw: padding.1, dh: 1, dw: 1),
                       ceilMode: ceilMode, countIncludePad: countIncludePad, scale: 0, "AvgPool2d")
    }
}

/// 1-D average pooling over the last axis, as PyTorch's `nn.AvgPool1d` (defaults as `AvgPool2d`).
public final class AvgPool1d: Module {
    /// Window, stride, padding, rounding up, and whether padding counts in the divisor.
    public let kernelSize: Int, stride: Int, padding: Int, ceilMode: Bool, countIncludePad: Bool
    /// A window of `kernelSize`; stride defaults to the kernel size.
    public init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false, countIncludePad: Bool = true) {
        let s = stride ?? kernelSize
        ConvOptions.check { try PoolOptions.validate("AvgPool1d", kernel: [kernelSize], stride: [s], padding: [padding]) }
        self.kernelSize = kernelSize; self.stride = s; self.padding = padding; self.ceilMode = ceilMode; self.countIncludePad = countIncludePad
    }
    /// Applies the layer (see the type's summary for shapes and equations).
    public func callAsFunction(_ x: Variable) -> Variable {
        precondition(x.shape.count >= 2, "AvgPool1d: input \(x.shape) needs at least 2 axes")
        let x4 = x.reshaped(Array(x.shape.dropLast()) + [1, x.shape.last!])
        let y = Pool2D.avgPool(x4, .init(kh: 1, kw: kernelSize, sh: 1, sw: stride, ph: 0, pw: padding, dh: 1, dw: 1), ceilMode: ceilMode,
                               countIncludePad: countIncludePad, scale: 0, "AvgPool1d")
        return y.reshaped(Array(x.shape.dropLast()) + [y.shape.last!])
    }
}

/// 2-D sum pooling over the last two axes: the window sum, i.e. `AvgPool2d` times the window size (PyTorch:
/// `F.avg_pool2d(x, k, s, divisor_override=1)`; Lava-dl's `SumPool`). Defaults: stride = kernel, no padding.
public final class SumPool2d: Module {
    /// Window and stride (height, width).
    public let kernelSize: (Int, Int), stride: (Int, Int)
    /// A window of `kernelSize` (height, width); stride defaults to the kernel size.
    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil) {
        let s = stride ?? kernelSize
        ConvOptions.check { try PoolOptions.validate("SumPool2d", kernel: [kernelSize.0, kernelSize.1], stride: [s.0, s.1], padding: [0, 0]) }
        self.kernelSize = kernelSize; self.stride = s
    }
    /// A square window; stride defaults to the kernel size.
    public convenience init(_ kernelSize: Int, stride: Int? = nil) { self.init(kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }) }
    /// Applies the layer (see the type's summary for shapes and equations).
    public func callAsFunction(_ x: Variable) -> Variable {
        Pool2D.avgPool(x, .init(kh: kernelSize.0, kw: kernelSize.1, sh: stride.0, sw: stride.1, ph: 0, pw: 0, dh: 1, dw: 1),
                       ceilMode: false, countIncludePad: true, scale: 1, "SumPool2d")
    }
}

/// 2-D adaptive average pooling to `outputSize` (height, width), as PyTorch's `nn.AdaptiveAvgPool2d`: output
/// (i, j) is the mean of rows `floor(i*H/Ho) ..< ceil((i+1)*H/Ho)` and the matching columns.
public final class AdaptiveAvgPool2d: Module {
    /// Output height and width.
    public let outputSize: (Int, Int)
    /// Pools to `outputSize` (height, width).
    public init(_ outputSize: (Int, Int)) {
        ConvOptions.check { if outputSize.0 <= 0 || outputSize.1 <= 0 { throw ParameterError("AdaptiveAvgPool2d: output size must be positive, got \(outputSize)") } }
        self.outputSize = outputSize
    }
    /// Pools to a square output.
    public convenience init(_ outputSize: Int) { self.init((outputSize, outputSize)) }

    /// Applies the layer (see the type's summary for shapes and equations).
    public func callAsFunction(_ x: Variable) -> Variable {
        let (planes, h, w) = Pool2D.planes(x.shape, "AdaptiveAvgPool2d")
        let (ho, wo) = outputSize
        func range(_ i: Int, _ n: Int, _ o: Int) -> Range<Int> { (i * n / o)..<(((i + 1) * n + o - 1) / o) }
        var y = [Float](repeating: 0, count: planes * ho * wo)
        let xs = x.value.scalars
        for p in 0..<planes { for i in 0..<ho { for j in 0..<wo {
            let rs = range(i, h, ho), cs = range(j, w, wo)
            var s: Float = 0
            for r in rs { for c in cs { s += xs[(p * h + r) * w + c] } }
            y[(p * ho + i) * wo + j] = s / Float(rs.count * cs.count)
        } } }
        let shape = x.shape
        return Variable.record(Tensor(shape: Array(shape.dropLast(2)) + [ho, wo], scalars: y), parents: [x]) { g in
            var gx = [Float](repeating: 0, count: planes * h * w)
            for p in 0..<planes { for i in 0..<ho { for j in 0..<wo {
                let rs = range(i, h, ho), cs = range(j, w, wo)
                let v = g.scalars[(p * ho + i) * wo + j] / Float(rs.count * cs.count)
                for r in rs { for c in cs { gx[(p * h + r) * w + c] += v } }
            } } }
            return [Tensor(shape: shape, scalars: gx)]
        }
    }
}
