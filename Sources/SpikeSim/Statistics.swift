import Foundation

/// Summary statistics of recorded spike trains, as used to compare simulators on the same network
/// (Brette et al. 2007): firing rate, irregularity (CV of inter-spike intervals) and the spectrum of the
/// population rate.
public enum SpikeStatistics {
    /// Mean firing rate in Hz of `neurons` neurons that fired `spikes` times in `duration` ms.
    public static func meanRate(spikes: Int, neurons: Int, duration: Double) -> Double {
        guard neurons > 0, duration > 0 else { return 0 }
        return Double(spikes) / Double(neurons) / (duration / 1000)
    }

    /// Coefficient of variation (std / mean) of the inter-spike intervals of each train with at least
    /// `minSpikes` spikes (at least 3, so that two intervals exist).
    public static func cvISI(_ trains: [[Float]], minSpikes: Int = 3) -> [Double] {
        trains.compactMap { t in
            guard t.count >= max(3, minSpikes) else { return nil }
            let isi = zip(t.dropFirst(), t).map { Double($0 - $1) }
            let m = isi.reduce(0, +) / Double(isi.count)
            guard m > 0 else { return nil }
            let v = isi.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(isi.count)
            return v.squareRoot() / m
        }
    }

    /// Mean of `xs` (0 when empty).
    public static func mean(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.reduce(0, +) / Double(xs.count) }

    /// Power spectrum of a population-rate signal sampled every `dt` ms (mean removed), averaged over
    /// non-overlapping segments of `segment` samples (Bartlett's method; `segment` a power of two). Returns the
    /// frequencies in Hz and the power of each (`segment / 2 + 1` bins).
    public static func spectrum(_ signal: [Float], dt: Float, segment: Int = 4096) -> (frequencies: [Double], power: [Double]) {
        precondition(segment > 1 && segment & (segment - 1) == 0, "spectrum: segment must be a power of two")
        let bins = segment / 2 + 1
        var power = [Double](repeating: 0, count: bins)
        let segments = signal.count / segment
        let fs = 1000 / Double(dt)
        let freqs = (0..<bins).map { Double($0) * fs / Double(segment) }
        guard segments > 0 else { return (freqs, power) }
        for k in 0..<segments {
            var re = signal[(k * segment)..<((k + 1) * segment)].map(Double.init)
            let m = re.reduce(0, +) / Double(segment)
            for i in re.indices { re[i] -= m }
            var im = [Double](repeating: 0, count: segment)
            fft(&re, &im)
            for b in 0..<bins { power[b] += (re[b] * re[b] + im[b] * im[b]) / Double(segment) / Double(segments) }
        }
        return (freqs, power)
    }

    /// The frequency (Hz) of the largest spectral peak above `minimumHz`.
    public static func peakFrequency(_ s: (frequencies: [Double], power: [Double]), minimumHz: Double = 1) -> Double {
        var best = 0.0, at = 0.0
        for (f, p) in zip(s.frequencies, s.power) where f >= minimumHz && p > best { best = p; at = f }
        return at
    }

    /// The summed power of each frequency band `[low, high)` in Hz.
    public static func bandPower(_ s: (frequencies: [Double], power: [Double]), bands: [(Double, Double)]) -> [Double] {
        bands.map { lo, hi in zip(s.frequencies, s.power).reduce(0) { $0 + ($1.0 >= lo && $1.0 < hi ? $1.1 : 0) } }
    }

    /// The bands `spike bench cuba` reports (Hz).
    public static let benchmarkBands: [(Double, Double)] = [(1, 10), (10, 40), (40, 100), (100, 500)]

    /// In-place radix-2 FFT.
    static func fft(_ re: inout [Double], _ im: inout [Double]) {
        let n = re.count
        var j = 0
        for i in 1..<n {
            var bit = n >> 1
            while j & bit != 0 { j ^= bit; bit >>= 1 }
            j |= bit
            if i < j { re.swapAt(i, j); im.swapAt(i, j) }
        }
        var len = 2
        while len <= n {
            let ang = -2 * Double.pi / Double(len)
            for start in stride(from: 0, to: n, by: len) {
                for k in 0..<(len / 2) {
                    let wr = cos(ang * Double(k)), wi = sin(ang * Double(k))
                    let a = start + k, b = a + len / 2
                    let tr = re[b] * wr - im[b] * wi, ti = re[b] * wi + im[b] * wr
                    re[b] = re[a] - tr; im[b] = im[a] - ti
                    re[a] += tr; im[a] += ti
                }
            }
            len <<= 1
        }
    }
}
