import Foundation
import SpikeCore

/// How the synapses of a projection from `pre` source neurons to `post` target neurons are chosen
/// (Brian2's `Synapses.connect`, SPAIC's connection policies).
public enum Connectivity: Sendable, Equatable {
    /// Every pre neuron to every post neuron (`connect(True)`); `selfConnections` keeps i -> i (same group only).
    case allToAll(selfConnections: Bool = true)
    /// Pre neuron i to post neuron i (`connect(j='i')`); the two sizes must be equal.
    case oneToOne
    /// Each pair independently with probability `p` (`connect(p=p)`).
    case random(p: Double, selfConnections: Bool = true)
    /// Each post neuron receives exactly `k` synapses from distinct pre neurons drawn at random (Brunel 2000).
    case fixedInDegree(Int, selfConnections: Bool = true)
    /// Each pre neuron sends exactly `k` synapses to distinct post neurons drawn at random.
    case fixedOutDegree(Int, selfConnections: Bool = true)
    /// The synapses `pre[s] -> post[s]` as given (`connect(i=..., j=...)`); duplicates are allowed (multapses).
    case explicit(pre: [Int], post: [Int])
}

/// Synapses stored by pre neuron (compressed sparse rows): the synapses of pre neuron `i` are
/// `rowStart[i] ..< rowStart[i + 1]`, with targets `post[s]`. Within a row, synapses are in increasing `post`
/// order for the generated rules (explicit lists keep their given order within a row). The synapse index `s`
/// is the index of weights, delays and plasticity traces.
public struct SynapseMatrix: Sendable, Equatable {
    /// Number of pre (source) neurons.
    public let preCount: Int
    /// Number of post (target) neurons.
    public let postCount: Int
    /// Row offsets, `preCount + 1` values.
    public let rowStart: [Int]
    /// Target neuron of each synapse.
    public let post: [Int32]

    /// Number of synapses.
    public var count: Int { post.count }

    /// From rows given as lists of post indices (one list per pre neuron).
    public init(preCount: Int, postCount: Int, rows: [[Int32]]) {
        precondition(rows.count == preCount, "SynapseMatrix: \(rows.count) rows for \(preCount) pre neurons")
        self.preCount = preCount; self.postCount = postCount
        var starts = [Int](repeating: 0, count: preCount + 1)
        for i in 0..<preCount { starts[i + 1] = starts[i] + rows[i].count }
        rowStart = starts
        post = rows.flatMap { $0 }
    }

    /// From CSR arrays (validated).
    public init(preCount: Int, postCount: Int, rowStart: [Int], post: [Int32]) throws {
        guard rowStart.count == preCount + 1, rowStart.first == 0, rowStart.last == post.count,
              zip(rowStart, rowStart.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw SimulationError("synapse matrix: row offsets do not describe \(post.count) synapses of \(preCount) pre neurons")
        }
        if let bad = post.first(where: { $0 < 0 || Int($0) >= postCount }) {
            throw SimulationError("synapse matrix: post index \(bad) out of range 0..<\(postCount)")
        }
        self.preCount = preCount; self.postCount = postCount; self.rowStart = rowStart; self.post = post
    }

    /// The pre neuron of every synapse (`[count]`).
    public var pre: [Int32] {
        var out = [Int32](repeating: 0, count: count)
        for i in 0..<preCount { for s in rowStart[i]..<rowStart[i + 1] { out[s] = Int32(i) } }
        return out
    }

    /// The synapses onto each post neuron (compressed sparse columns): the synapse indices onto post neuron j
    /// are `synapses[columnStart[j] ..< columnStart[j + 1]]`, in increasing synapse order.
    public func columns() -> (columnStart: [Int], synapses: [Int32]) {
        var start = [Int](repeating: 0, count: postCount + 1)
        for j in post { start[Int(j) + 1] += 1 }
        for j in 0..<postCount { start[j + 1] += start[j] }
        var fill = start
        var syn = [Int32](repeating: 0, count: count)
        for s in 0..<count {
            let j = Int(post[s])
            syn[fill[j]] = Int32(s); fill[j] += 1
        }
        return (start, syn)
    }

    /// Draws the synapses of `rule` between `pre` and `post` neurons with `rng`. `sameGroup` says whether pre and
    /// post are the same neurons (only then does `selfConnections: false` remove i -> i).
    public static func build(_ rule: Connectivity, pre: Int, post: Int, sameGroup: Bool, rng: inout SeededRandom) throws -> SynapseMatrix {
        guard pre >= 0, post >= 0 else { throw SimulationError("connectivity: negative group size") }
        // The synapses the rule makes (expected count for `random`), each an int32 post index, a float32 weight
        // and a delay, plus one row per pre neuron: refused above the memory budget before anything is built.
        let expected: Int?
        switch rule {
        case .allToAll: expected = MemoryBudget.product([pre, post])
        case .oneToOne: expected = pre
        case let .explicit(list, _): expected = list.count
        case let .random(p, _): expected = p.isFinite && p >= 0 ? MemoryBudget.product([pre, post]).map { Int((Double($0) * Swift.min(p, 1)).rounded(.up)) } : 0
        case let .fixedInDegree(k, _): expected = MemoryBudget.product([Swift.max(k, 0), post])
        case let .fixedOutDegree(k, _): expected = MemoryBudget.product([Swift.max(k, 0), pre])
        }
        try MemoryBudget.check(bytes: MemoryBudget.sum([expected.flatMap { MemoryBudget.product([$0, 12]) }, MemoryBudget.product([pre, 24])]),
                               what: "connectivity of \(pre) x \(post) neurons (\(expected.map(String.init) ?? "too many") synapses)")
        func allowed(_ i: Int, _ j: Int, _ selfConnections: Bool) -> Bool { selfConnections || !sameGroup || i != j }
        var rows = [[Int32]](repeating: [], count: pre)
        switch rule {
        case let .allToAll(selfConnections):
            for i in 0..<pre { rows[i] = (0..<post).filter { allowed(i, $0, selfConnections) }.map { Int32($0) } }
        case .oneToOne:
            guard pre == post else { throw SimulationError("connectivity one_to_one: sizes differ (\(pre) pre, \(post) post)") }
            for i in 0..<pre { rows[i] = [Int32(i)] }
        case let .random(p, selfConnections):
            guard p >= 0, p <= 1, p.isFinite else { throw SimulationError("connectivity random: p must be in [0, 1], got \(p)") }
            if p > 0 {
                // Geometric skipping over the pre x post pairs in row-major order: the gap to the next synapse is
                // floor(log(u) / log(1 - p)), the same distribution as one Bernoulli(p) draw per pair.
                // (log1p only where 1 - p rounds to 1, so ordinary p keep their bits.)
                let logq = p < 1 ? (1 - p < 1 ? Foundation.log(1 - p) : Foundation.log1p(-p)) : -Double.infinity
                var k = -1
                let total = pre * post
                while true {
                    if p >= 1 { k += 1 } else {
                        let u = 1 - rng.nextDouble()      // (0, 1]
                        let gap = Foundation.log(u) / logq
                        if !(gap < Double(total - k)) { break }     // beyond the last pair (or too large for an Int)
                        k += 1 + Int(gap)
                    }
                    if k >= total || k < 0 { break }
                    let i = k / post, j = k % post
                    if allowed(i, j, selfConnections) { rows[i].append(Int32(j)) }
                }
            }
        case let .fixedInDegree(k, selfConnections):
            let candidates = (sameGroup && !selfConnections) ? pre - 1 : pre
            guard k >= 0, k <= candidates else {
                throw SimulationError("connectivity fixed_in_degree: \(k) synapses per neuron from \(candidates) candidates")
            }
            for j in 0..<post {
                for i in sampleDistinct(k, from: pre, excluding: (sameGroup && !selfConnections) ? j : nil, rng: &rng) {
                    rows[i].append(Int32(j))
                }
            }
        case let .fixedOutDegree(k, selfConnections):
            let candidates = (sameGroup && !selfConnections) ? post - 1 : post
            guard k >= 0, k <= candidates else {
                throw SimulationError("connectivity fixed_out_degree: \(k) synapses per neuron to \(candidates) candidates")
            }
            for i in 0..<pre {
                rows[i] = sampleDistinct(k, from: post, excluding: (sameGroup && !selfConnections) ? i : nil, rng: &rng)
                    .sorted().map { Int32($0) }
            }
        case let .explicit(preList, postList):
            guard preList.count == postList.count else {
                throw SimulationError("connectivity explicit: \(preList.count) pre indices but \(postList.count) post indices")
            }
            for (s, (i, j)) in zip(preList, postList).enumerated() {
                guard i >= 0, i < pre else { throw SimulationError("connectivity explicit: synapse \(s): pre index \(i) out of range 0..<\(pre)") }
                guard j >= 0, j < post else { throw SimulationError("connectivity explicit: synapse \(s): post index \(j) out of range 0..<\(post)") }
                rows[i].append(Int32(j))
            }
        }
        return SynapseMatrix(preCount: pre, postCount: post, rows: rows)
    }

    /// `k` distinct values of `0..<n` (not `excluding`), in increasing order: Floyd's algorithm.
    static func sampleDistinct(_ k: Int, from n: Int, excluding: Int?, rng: inout SeededRandom) -> [Int] {
        let m = excluding == nil ? n : n - 1
        var chosen = Set<Int>()
        if k > 0 {
            for j in (m - k)..<m {
                let t = rng.nextInt(below: j + 1)
                if chosen.contains(t) { chosen.insert(j) } else { chosen.insert(t) }
            }
        }
        // Map 0..<m onto 0..<n without the excluded index.
        return chosen.sorted().map { v in excluding.map { v >= $0 ? v + 1 : v } ?? v }
    }
}

/// How synaptic weights (or delays) are set: one value, one per synapse, or drawn per synapse.
public enum SynapseValues: Sendable, Equatable {
    /// The same value for every synapse.
    case constant(Float)
    /// One value per synapse, in synapse order.
    case values([Float])
    /// Uniform in `[low, high)`.
    case uniform(low: Float, high: Float)
    /// Normal with `mean` and `std`, optionally clipped to `[min, max]`.
    case normal(mean: Float, std: Float, min: Float? = nil, max: Float? = nil)

    /// The values for `count` synapses (`what` names them in errors).
    public func draw(count: Int, rng: inout SeededRandom, what: String) throws -> [Float] {
        switch self {
        case let .constant(v):
            guard v.isFinite else { throw SimulationError("\(what): value must be finite, got \(v)") }
            return [Float](repeating: v, count: count)
        case let .values(vs):
            guard vs.count == count else { throw SimulationError("\(what): \(vs.count) values for \(count) synapses") }
            if let bad = vs.first(where: { !$0.isFinite }) { throw SimulationError("\(what): value must be finite, got \(bad)") }
            return vs
        case let .uniform(lo, hi):
            guard lo.isFinite, hi.isFinite, lo <= hi else { throw SimulationError("\(what): uniform needs low <= high, got [\(lo), \(hi))") }
            return (0..<count).map { _ in lo + (hi - lo) * rng.nextUniform() }
        case let .normal(mean, std, mn, mx):
            guard mean.isFinite, std.isFinite, std >= 0 else { throw SimulationError("\(what): normal needs a finite mean and std >= 0") }
            return (0..<count).map { _ in
                var v = mean + std * rng.nextNormal()
                if let mn { v = Swift.max(v, mn) }
                if let mx { v = Swift.min(v, mx) }
                return v
            }
        }
    }
}
