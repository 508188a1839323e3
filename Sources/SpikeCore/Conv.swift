import Foundation
import SpikeCKernels

/// The geometry of a 2-D convolution (PyTorch's `nn.functional.conv2d`): input `[N, Ci, H, W]`, weight
/// `[Co, Ci/groups, kH, kW]`, output `[N, Co, Ho, Wo]` with
/// `Ho = (H + padTop + padBottom - dilationH * (kH - 1) - 1) / strideH + 1` (and the same for the width).
/// Output position (oy, ox) reads input (oy * strideH - padTop + ky * dilationH, ox * strideW - padLeft + kx * dilationW).
public struct ConvGeometry: Equatable, Sendable {
    /// Input channels, input height and width, output channels.
    public var inChannels: Int, height: Int, width: Int, outChannels: Int
    /// Kernel extent.
    public var kernelHeight: Int, kernelWidth: Int
    /// Stride.
    public var strideH: Int, strideW: Int
    /// Zero padding before and after each spatial axis (PyTorch's "same" pads asymmetrically for even kernels).
    public var padTop: Int, padBottom: Int, padLeft: Int, padRight: Int
    /// Spacing of the kernel taps.
    public var dilationH: Int, dilationW: Int
    /// Channel groups: output channel o sees input channels of group o / (Co/groups) only.
    public var groups: Int

    /// A geometry; traps (a programming error) on sizes that do not form a convolution.
    public init(inChannels: Int, height: Int, width: Int, outChannels: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (top: Int, bottom: Int, left: Int, right: Int) = (0, 0, 0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1) {
        self.inChannels = inChannels; self.height = height; self.width = width; self.outChannels = outChannels
        (kernelHeight, kernelWidth) = kernel; (strideH, strideW) = stride
        (padTop, padBottom, padLeft, padRight) = padding; (dilationH, dilationW) = dilation
        self.groups = groups
        precondition(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
                     "ConvGeometry: channels \(inChannels) -> \(outChannels) not divisible by groups \(groups)")
        precondition(kernelHeight > 0 && kernelWidth > 0 && strideH > 0 && strideW > 0 && dilationH > 0 && dilationW > 0
                     && min(padTop, padBottom, padLeft, padRight) >= 0,
                     "ConvGeometry: kernel \(kernel), stride \(stride), dilation \(dilation) must be positive, padding \(padding) non-negative")
        precondition(outHeight > 0 && outWidth > 0,
                     "ConvGeometry: input \(height)x\(width) is smaller than the dilated kernel \(kernel) (dilation \(dilation)) with padding \(padding)")
    }

    /// Output height.
    public var outHeight: Int { (height + padTop + padBottom - dilationH * (kernelHeight - 1) - 1) / strideH + 1 }
    /// Output width.
    public var outWidth: Int { (width + padLeft + padRight - dilationW * (kernelWidth - 1) - 1) / strideW + 1 }
    /// The weight's shape `[Co, Ci/groups, kH, kW]`.
    public var weightShape: [Int] { [outChannels, inChannels / groups, kernelHeight, kernelWidth] }

    var c: sk_conv_geom {
        sk_conv_geom(ci: inChannels, h: height, w: width, co: outChannels, kh: kernelHeight, kw: kernelWidth, sh: strideH, sw: strideW,
                     ph: padTop, pw: padLeft, dh: dilationH, dw: dilationW, groups: groups, ho: outHeight, wo: outWidth)
    }
}

/// 2-D convolution kernels on `[N, C, H, W]` tensors, with the VJPs' two products.
///
/// Two paths give the same sums up to float rounding (the order of the terms differs):
/// - spike-driven (`sk_conv2d_scatter`): for each nonzero input (c, y, x), the kernel's slice `W[:, c, ky, kx]`
///   is added to every output position it reaches; the weight gradient accumulates only at nonzero inputs, and
///   the input gradient is scattered from the nonzero output gradients (max pooling's gradient leaves at most a
///   quarter of them). The work is proportional to the number of active inputs.
/// - dense (groups 1): im2col rows `[Ho*Wo, Ci*kH*kW]` of each sample and the register-blocked GEMM
///   (`sk_gemm_rows`), for analog frames and high rates.
///
/// The path is chosen per call from the exact density of the operand that drives it (the input for the
/// forward and the weight gradient, the output gradient for the input gradient), against its crossover (`forwardCrossover`, `weightGradientCrossover` or `stationaryWeightGradientCrossover`, `inputGradientCrossover`).
/// Samples are split into fixed chunks (4 for the forward and input gradient, 16 for the weight gradient,
/// whose per-chunk partial sums are added in chunk order), so the bits do not depend on the thread count.
public enum Conv2D {
    /// Which path to run.
    public enum Path: Sendable { case automatic, spikeDriven, dense }

    /// Density of the input below which the spike-driven forward runs (`SPIKEKIT_CONV_CROSSOVER` sets all three
    /// crossovers), measured with `spike bench conv-sweep` (docs/CONV.md).
    nonisolated(unsafe) public static var forwardCrossover: Float = environmentCrossover ?? 0.4
    /// Density of the input below which the spike-driven weight gradient runs.
    nonisolated(unsafe) public static var weightGradientCrossover: Float = environmentCrossover ?? 0.6
    /// Density of the input below which the spike-driven weight gradient runs where its weight-stationary
    /// AVX-512 kernel covers the geometry (stride 1, dilation 1, groups 1, Co <= 32, kW <= 5): above 1, so
    /// always (it measured 2-3x faster than im2col + GEMM even on analog input: docs/CONV.md).
    nonisolated(unsafe) public static var stationaryWeightGradientCrossover: Float = environmentCrossover ?? 2
    /// Density of the output gradient below which the input gradient is scattered from its nonzeros, for fewer
    /// than 16 input channels per group (its vectors are Ci/groups long: 12 channels crossed at 0.1-0.2).
    nonisolated(unsafe) public static var inputGradientCrossover: Float = environmentCrossover ?? 0.1
    /// The same for 16 or more input channels per group (32 channels crossed at 0.3-0.5).
    nonisolated(unsafe) public static var wideInputGradientCrossover: Float = environmentCrossover ?? 0.3
    static var environmentCrossover: Float? {
        ProcessInfo.processInfo.environment["SPIKEKIT_CONV_CROSSOVER"].flatMap { Float($0) }
    }
    /// Forces a path (tests and measurements); `.automatic` chooses by density.
    nonisolated(unsafe) public static var path: Path = .automatic
    /// Instruction set of the spike-driven kernels: 0 the best this CPU has, 1 portable; with AVX-512, 2 runs
    /// the general scatter loops instead of the forward's full-vector rows and the weight gradient's
    /// weight-stationary sums (the same bits; tests and `spike bench conv-sweep --isa` pin them).
    nonisolated(unsafe) public static var isa: Int32 = 0

    static let sampleChunk = 4
    static let gradientSampleChunk = 16

    /// Whether the spike-driven path runs for an operand of `density` against `crossover`.
    public static func spikeDriven(density: Float, groups: Int, crossover: Float) -> Bool {
        switch path {
        case .spikeDriven: return true
        case .dense: return groups != 1
        case .automatic: return groups != 1 || density < crossover
        }
    }

    /// `b` `[k, n]` packed for `sk_gemm_packed_rows` (AVX-512) once per call, or nil where that kernel is absent.
    static func packed(_ b: [Float], k: Int, n: Int) -> UnsafeMutablePointer<Float>? {
        guard sk_gemm_packed_available() != 0 else { return nil }
        let count = sk_packed_size(k, n)
        let p = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64).bindMemory(to: Float.self, capacity: count)
        b.withUnsafeBufferPointer { sk_pack_b($0.baseAddress!, k, n, p) }
        return p
    }

    /// c [m, n] += a [m, k] b [k, n], with b's packed panels where given (the same bits either way).
    @inline(__always) static func gemm(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ packed: UnsafePointer<Float>?,
                                       _ c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int) {
        if let packed { sk_gemm_packed_rows(a, packed, c, 0, m, n, k) } else { sk_gemm_rows(a, b, c, 0, m, n, k) }
    }

    static func checkInput(_ x: Tensor, _ g: ConvGeometry, _ what: String) {
        precondition(x.rank == 4 && x.shape[1] == g.inChannels && x.shape[2] == g.height && x.shape[3] == g.width,
                     "\(what): input \(x.shape) does not match [N, \(g.inChannels), \(g.height), \(g.width)]")
    }

    /// `W` `[Co, Ci/g, kH, kW]` as `[Ci, kH, kW, Co/g]` (the spike-driven forward's rows).
    static func channelLastWeight(_ w: [Float], _ g: ConvGeometry) -> [Float] {
        let (ci, kh, kw, cig, cog) = (g.inChannels, g.kernelHeight, g.kernelWidth, g.inChannels / g.groups, g.outChannels / g.groups)
        var out = [Float](repeating: 0, count: w.count)
        for c in 0..<ci {
            let gi = c / cig, cl = c % cig
            for ky in 0..<kh { for kx in 0..<kw { for j in 0..<cog {
                out[((c * kh + ky) * kw + kx) * cog + j] = w[(((gi * cog + j) * cig + cl) * kh + ky) * kw + kx]
            } } }
        }
        return out
    }

    /// `W` `[Co, Ci/g, kH, kW]` as `[Co, kH, kW, Ci/g]` (the input gradient's rows).
    static func outputMajorWeight(_ w: [Float], _ g: ConvGeometry) -> [Float] {
        let (co, kh, kw, cig) = (g.outChannels, g.kernelHeight, g.kernelWidth, g.inChannels / g.groups)
        var out = [Float](repeating: 0, count: w.count)
        for o in 0..<co { for cl in 0..<cig { for ky in 0..<kh { for kx in 0..<kw {
            out[((o * kh + ky) * kw + kx) * cig + cl] = w[((o * cig + cl) * kh + ky) * kw + kx]
        } } } }
        return out
    }

    /// y = conv2d(x, W) + b: `x` `[N, Ci, H, W]`, `weight` `[Co, Ci/g, kH, kW]`, `bias` `[Co]` or nil;
    /// `[N, Co, Ho, Wo]`. `density` (of x) when already counted.
    public static func forward(_ x: Tensor, weight: Tensor, bias: Tensor?, geometry g: ConvGeometry, density: Float? = nil) -> Tensor {
        checkInput(x, g, "Conv2D.forward")
        let n = x.shape[0], co = g.outChannels
        if n == 0 { return .zeros([0, co, g.outHeight, g.outWidth]) }
        let plan = ForwardPlan(weight: weight, bias: bias, geometry: g, density: density ?? x.density)
        let perIn = g.inChannels * g.height * g.width, perOut = plan.outputCount
        let chunks = (n + sampleChunk - 1) / sampleChunk
        let out = [Float](unsafeUninitializedCapacity: n * perOut) { po, count in
            x.scalars.withUnsafeBufferPointer { px in
                let ptr = UncheckedSendable((px.baseAddress!, po.baseAddress!))
                Parallel.forEach(chunks: chunks) { ch in
                    let (px, po) = ptr.value
                    let s0 = ch * sampleChunk, s1 = Swift.min(n, s0 + sampleChunk)
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: plan.scratchCount)
                    defer { scratch.deallocate() }
                    for s in s0..<s1 { plan.run(px + s * perIn, po + s * perOut, scratch: scratch) }
                }
            }
            count = n * perOut
        }
        return Tensor(shape: [n, co, g.outHeight, g.outWidth], scalars: out)
    }

    /// The forward of one convolution prepared once (the weight re-laid, W^T packed for the dense path, the
    /// path chosen from the input's density), run one sample at a time: what `forward` runs for each sample,
    /// and what fused layers (Conv + pooling + neurons) run to keep a sample's output in cache. With
    /// `rows`/`columns` below the geometry's output size, only the output positions (oy < rows, ox < columns)
    /// are computed (a pooling that reads no further): their values are the same bits as the full output's.
    public final class ForwardPlan: @unchecked Sendable {
        /// The convolution.
        public let geometry: ConvGeometry
        /// Whether the spike-driven path runs (else im2col and the packed GEMM).
        public let spikeDriven: Bool
        /// Output rows and columns computed (at most the geometry's).
        public let rows: Int, columns: Int
        /// Floats of one sample's output `[Co, rows, columns]`.
        public var outputCount: Int { geometry.outChannels * rows * columns }
        /// Floats of scratch `run` needs.
        public let scratchCount: Int
        let geom: UnsafeMutablePointer<sk_conv_geom>
        let wt: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>?, packed: UnsafeMutablePointer<Float>?
        let isa: Int32

        /// Prepares `conv2d(., weight) + bias` on `geometry` for inputs of `density` (the path as `forward` chooses it).
        public init(weight: Tensor, bias: Tensor?, geometry g: ConvGeometry, density: Float, rows: Int? = nil, columns: Int? = nil) {
            precondition(weight.shape == g.weightShape, "Conv2D.forward: weight \(weight.shape) is not \(g.weightShape)")
            precondition(bias == nil || bias!.shape == [g.outChannels], "Conv2D.forward: bias \(bias!.shape) is not [\(g.outChannels)]")
            geometry = g
            self.rows = Swift.min(rows ?? g.outHeight, g.outHeight); self.columns = Swift.min(columns ?? g.outWidth, g.outWidth)
            precondition(self.rows > 0 && self.columns > 0, "Conv2D.ForwardPlan: empty output \(self.rows) x \(self.columns)")
            spikeDriven = Conv2D.spikeDriven(density: density, groups: g.groups, crossover: forwardCrossover)
            var c = g.c
            c.ho = self.rows; c.wo = self.columns
            geom = .allocate(capacity: 1)
            geom.initialize(to: c)
            let w = channelLastWeight(weight.scalars, g)   // [Ci, kH, kW, Co/g]; for groups 1 also W^T [K, Co]
            wt = .allocate(capacity: w.count)
            wt.initialize(from: w, count: w.count)
            if let b = bias?.scalars {
                let p = UnsafeMutablePointer<Float>.allocate(capacity: b.count)
                p.initialize(from: b, count: b.count)
                self.bias = p
            } else { self.bias = nil }
            let k = g.inChannels * g.kernelHeight * g.kernelWidth, p = self.rows * self.columns, co = g.outChannels
            packed = spikeDriven ? nil : Conv2D.packed(w, k: k, n: co)
            scratchCount = spikeDriven ? sk_conv2d_scatter_scratch(geom) : p * k + p * co
            isa = Conv2D.isa
        }
        deinit { geom.deallocate(); wt.deallocate(); bias?.deallocate(); packed?.deallocate() }

        /// One sample: `out` `[Co, rows, columns]` (written) from `x` `[Ci, H, W]`; `scratch` of `scratchCount` floats.
        public func run(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
            do {
                let pg = UnsafePointer(geom)
                if spikeDriven {
                    sk_conv2d_scatter(pg, x, wt, bias, out, scratch, isa)
                } else {
                    let p = rows * columns, k = geometry.inChannels * geometry.kernelHeight * geometry.kernelWidth, co = geometry.outChannels
                    let cols = scratch, acc = scratch + p * k
                    sk_im2col_rows(pg, x, cols)
                    acc.update(repeating: 0, count: p * co)
                    gemm(cols, wt, packed.map { UnsafePointer($0) }, acc, m: p, n: co, k: k)
                    sk_transpose_add_bias(acc, bias, out, p, co)
                }
            }
        }
    }

    /// The gradient of the input of `forward` from the output gradient `gy` `[N, Co, Ho, Wo]`: `[N, Ci, H, W]`
    /// (a transposed convolution of gy with W).
    public static func inputGradient(_ gy: Tensor, weight: Tensor, geometry g: ConvGeometry) -> Tensor {
        let n = gy.shape[0], p = g.outHeight * g.outWidth, co = g.outChannels, hw = g.height * g.width, ci = g.inChannels
        precondition(gy.shape == [n, co, g.outHeight, g.outWidth], "Conv2D.inputGradient: gradient \(gy.shape) is not [N, \(co), \(g.outHeight), \(g.outWidth)]")
        precondition(weight.shape == g.weightShape, "Conv2D.inputGradient: weight \(weight.shape) is not \(g.weightShape)")
        if n == 0 { return .zeros([0, ci, g.height, g.width]) }
        let sparse = spikeDriven(density: gy.density, groups: g.groups,
                                 crossover: g.inChannels / g.groups >= 16 ? wideInputGradientCrossover : inputGradientCrossover)
        let k = ci * g.kernelHeight * g.kernelWidth
        // Dense: W^T [K, Co] times gy [Co, P] gives the columns transposed [K, P] (no transpose of gy; every
        // element is still fma over Co ascending, the same bits as [P, Co] x [Co, K]), then col2im walks rows.
        let wg: [Float]
        if sparse { wg = outputMajorWeight(weight.scalars, g) } else {
            let w = weight.scalars
            wg = [Float](unsafeUninitializedCapacity: k * co) { b, c in
                for o in 0..<co { for j in 0..<k { b[j * co + o] = w[o * k + j] } }
                c = k * co
            }
        }
        var geom = g.c
        let chunks = (n + sampleChunk - 1) / sampleChunk
        let packedSize = sparse || sk_gemm_packed_available() == 0 ? 0 : sk_packed_size(co, p)
        let out = [Float](unsafeUninitializedCapacity: n * ci * hw) { po, count in
            gy.scalars.withUnsafeBufferPointer { pgy in wg.withUnsafeBufferPointer { pw in withUnsafePointer(to: &geom) { pg in
                let ptr = UncheckedSendable((pgy.baseAddress!, pw.baseAddress!, po.baseAddress!, pg))
                Parallel.forEach(chunks: chunks) { ch in
                    let (pgy, pw, po, pg) = ptr.value
                    let s0 = ch * sampleChunk, s1 = Swift.min(n, s0 + sampleChunk)
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: sparse ? hw * ci : p * k + packedSize)
                    defer { scratch.deallocate() }
                    for s in s0..<s1 {
                        if sparse {
                            sk_conv2d_igrad_scatter(pg, pgy + s * co * p, pw, po + s * ci * hw, scratch, isa)
                        } else {
                            let gcolst = scratch, gys = pgy + s * co * p
                            gcolst.update(repeating: 0, count: p * k)
                            if packedSize > 0 {
                                let pb = scratch + p * k
                                sk_pack_b(gys, co, p, pb)
                                sk_gemm_packed_rows(pw, pb, gcolst, 0, k, p, co)   // [K, Co] x [Co, P]
                            } else {
                                sk_gemm_rows(pw, gys, gcolst, 0, k, p, co)
                            }
                            sk_col2im_cols(pg, gcolst, po + s * ci * hw)
                        }
                    }
                }
            } } }
            count = n * ci * hw
        }
        return Tensor(shape: [n, ci, g.height, g.width], scalars: out)
    }

    /// The gradient of the weight of `forward` from its input `x` and output gradient `gy`: `[Co, Ci/g, kH, kW]`.
    public static func weightGradient(_ x: Tensor, _ gy: Tensor, geometry g: ConvGeometry, density: Float? = nil) -> Tensor {
        checkInput(x, g, "Conv2D.weightGradient")
        let n = x.shape[0], p = g.outHeight * g.outWidth, co = g.outChannels
        precondition(gy.shape == [n, co, g.outHeight, g.outWidth], "Conv2D.weightGradient: gradient \(gy.shape) is not [\(n), \(co), \(g.outHeight), \(g.outWidth)]")
        let wcount = g.weightShape.reduce(1, *)
        if n == 0 { return .zeros(g.weightShape) }
        var geom = g.c
        let stationary = isa == 0 && sk_has_avx512() != 0 && sk_conv2d_wgrad_scratch(&geom) > 0
        let sparse = spikeDriven(density: density ?? x.density, groups: g.groups,
                                 crossover: stationary ? stationaryWeightGradientCrossover : weightGradientCrossover)
        let perIn = g.inChannels * g.height * g.width, k = g.inChannels * g.kernelHeight * g.kernelWidth
        let chunks = (n + gradientSampleChunk - 1) / gradientSampleChunk
        var partial = [Float](repeating: 0, count: chunks * wcount)
        x.scalars.withUnsafeBufferPointer { px in gy.scalars.withUnsafeBufferPointer { pgy in
            partial.withUnsafeMutableBufferPointer { pp in withUnsafePointer(to: &geom) { pg in
                let ptr = UncheckedSendable((px.baseAddress!, pgy.baseAddress!, pp.baseAddress!, pg))
                Parallel.forEach(chunks: chunks) { ch in
                    let (px, pgy, pp, pg) = ptr.value
                    let s0 = ch * gradientSampleChunk, s1 = Swift.min(n, s0 + gradientSampleChunk)
                    let work = sparse ? sk_conv2d_wgrad_scratch(pg) : 0
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: sparse ? p * co + work : p * k)
                    defer { scratch.deallocate() }
                    let acc = pp + ch * wcount
                    for s in s0..<s1 {
                        if sparse {
                            sk_transpose_add_bias(pgy + s * co * p, nil, scratch, co, p)   // gy as [P, Co]
                            sk_conv2d_wgrad_scatter(pg, px + s * perIn, scratch, acc, work > 0 ? scratch + p * co : nil, isa)
                        } else {
                            sk_im2col_rows(pg, px + s * perIn, scratch)
                            sk_gemm_rows(pgy + s * co * p, scratch, acc, 0, co, k, p)   // [Co, P] x [P, K]
                        }
                    }
                }
            } }
        } }
        // Partial sums added in chunk order (the same bits for any thread count).
        var total = [Float](repeating: 0, count: wcount)
        for ch in 0..<chunks { for i in 0..<wcount { total[i] += partial[ch * wcount + i] } }
        if !sparse { return Tensor(shape: g.weightShape, scalars: total) }
        // [Ci, kH, kW, Co/g] back to [Co, Ci/g, kH, kW].
        let (kh, kw, cig, cog) = (g.kernelHeight, g.kernelWidth, g.inChannels / g.groups, co / g.groups)
        var w = [Float](repeating: 0, count: wcount)
        for c in 0..<g.inChannels {
            let gi = c / cig, cl = c % cig
            for ky in 0..<kh { for kx in 0..<kw { for j in 0..<cog {
                w[(((gi * cog + j) * cig + cl) * kh + ky) * kw + kx] = total[((c * kh + ky) * kw + kx) * cog + j]
            } } }
        }
        return Tensor(shape: g.weightShape, scalars: w)
    }

    /// Per-channel sums of `g` `[N, C, ...]` over every axis but the channel: `[C]` (a bias gradient), each
    /// (sample, channel) row summed in order, the rows in sample order in double precision.
    public static func channelSums(_ g: Tensor) -> Tensor {
        precondition(g.rank >= 2, "Conv2D.channelSums: needs [N, C, ...], got \(g.shape)")
        let (n, c) = (g.shape[0], g.shape[1]), p = g.shape.dropFirst(2).reduce(1, *)
        var s = [Double](repeating: 0, count: c)
        g.scalars.withUnsafeBufferPointer { pg in s.withUnsafeMutableBufferPointer { ps in
            sk_channel_sums(pg.baseAddress!, n, c, p, 0, c, ps.baseAddress!, nil)
        } }
        return Tensor(shape: [c], scalars: s.map { Float($0) })
    }
}

extension Variable {
    /// 2-D convolution `y = conv2d(x, W) + b` (PyTorch's `F.conv2d`): `x` `[N, Ci, H, W]`, `weight`
    /// `[Co, Ci/groups, kH, kW]`, `bias` `[Co]`; `[N, Co, Ho, Wo]`. Spike-driven or dense by the input's density
    /// (`Conv2D`). VJP: the input gradient (a transposed convolution of g), the weight gradient (accumulated only
    /// at nonzero inputs on the spike-driven path) and the bias gradient (g summed per channel).
    public static func conv2d(_ x: Variable, weight: Variable, bias: Variable?, geometry g: ConvGeometry) -> Variable {
        let xv = x.value, density = xv.density
        let y = Conv2D.forward(xv, weight: weight.value, bias: bias?.value, geometry: g, density: density)
        let w = weight.value
        return record(y, parents: [x, weight] + (bias.map { [$0] } ?? [])) { gy in
            var grads: [Tensor?] = [x.requiresGrad ? Conv2D.inputGradient(gy, weight: w, geometry: g) : nil,
                                    weight.requiresGrad ? Conv2D.weightGradient(xv, gy, geometry: g, density: density) : nil]
            if let bias { grads.append(bias.requiresGrad ? Conv2D.channelSums(gy) : nil) }
            return grads
        }
    }

    /// 2-D transposed convolution (PyTorch's `F.conv_transpose2d`): the adjoint of the convolution `g` from
    /// `[N, g.inChannels, g.height, g.width]` to `[N, g.outChannels, Ho, Wo]`, applied to `u` of the latter shape;
    /// `weight` `[g.outChannels, g.inChannels/groups, kH, kW]` (PyTorch's `[in, out/groups, kH, kW]` of the
    /// transposed layer), `bias` `[g.inChannels]`; result `[N, g.inChannels, g.height, g.width]`.
    /// VJP: the convolution of the gradient (input), `Conv2D.weightGradient(gradient, u)` (weight), channel sums (bias).
    public static func convTranspose2d(_ u: Variable, weight: Variable, bias: Variable?, geometry g: ConvGeometry) -> Variable {
        let uv = u.value, w = weight.value
        var z = Conv2D.inputGradient(uv, weight: w, geometry: g)
        if let b = bias?.value {
            precondition(b.shape == [g.inChannels], "convTranspose2d: bias \(b.shape) is not [\(g.inChannels)]")
            let plane = g.height * g.width
            z.scalars.withUnsafeMutableBufferPointer { pz in
                for s in 0..<z.shape[0] { for c in 0..<g.inChannels {
                    let base = (s * g.inChannels + c) * plane, v = b.scalars[c]
                    for q in 0..<plane { pz[base + q] += v }
                } }
            }
        }
        return record(z, parents: [u, weight] + (bias.map { [$0] } ?? [])) { gz in
            var grads: [Tensor?] = [u.requiresGrad ? Conv2D.forward(gz, weight: w, bias: nil, geometry: g) : nil,
                                    weight.requiresGrad ? Conv2D.weightGradient(gz, uv, geometry: g) : nil]
            if let bias { grads.append(bias.requiresGrad ? Conv2D.channelSums(gz) : nil) }
            return grads
        }
    }
}
