/// A sum of `count` vectors ("leaves", e.g. the gradients of fixed chunks of samples) whose floating-point result
/// does not depend on how the leaves are divided among ranks.
///
/// The leaves are combined over one fixed binary tree: the perfect tree over `0..<P`, `P` the smallest power of two
/// `>= count`; a node `[lo, hi)` is the sum `node(lo, mid) + node(mid, hi)` (left + right, element by element) and a
/// node wholly at or beyond `count` is absent (a node with one absent child is its other child, unchanged). Each rank
/// holds a contiguous range of leaves (`ranges(count:ranks:)`), which splits into maximal aligned tree nodes
/// (`blocks(of:count:)`); the rank sums those nodes locally over the same tree, the ranks exchange the node sums
/// (MPI_Allgatherv, in rank order) and every rank completes the tree above them. The additions are exactly those of
/// the single-process sum over the whole tree, so the bits are the same for any number of ranks (and on every
/// rank). This is the reproducible-reduction idea of Demmel & Nguyen's fixed reduction trees, with the tree
/// fixed by the leaf count alone.
public enum ExactReduction {
    /// The smallest power of two `>= count` (1 for 0 or 1).
    public static func treeWidth(_ count: Int) -> Int {
        var p = 1
        while p < count { p <<= 1 }
        return p
    }

    /// Rank `r`'s leaves of `count` among `ranks`: `[r*count/ranks, (r+1)*count/ranks)` (contiguous, sizes differ
    /// by at most one).
    public static func ranges(count: Int, ranks: Int) -> [Range<Int>] {
        (0..<ranks).map { r in (r * count / ranks)..<((r + 1) * count / ranks) }
    }

    /// The maximal aligned tree nodes (clipped to `count`) that cover `range`, left to right.
    public static func blocks(of range: Range<Int>, count: Int) -> [Range<Int>] {
        let p = treeWidth(count)
        var out: [Range<Int>] = []
        var a = range.lowerBound
        while a < range.upperBound {
            var size = 1
            // Grow while the node starting at `a` stays aligned, inside the tree and inside the range (its leaves
            // at or beyond `count` are absent, so a node may reach past `count` when the range ends there).
            while a % (size * 2) == 0, a + size * 2 <= p, min(a + size * 2, count) <= range.upperBound { size *= 2 }
            out.append(a..<min(a + size, count))
            a += size
        }
        return out
    }

    /// The tree sum of the node `[lo, lo + width)` given known node sums `known` (keyed by their clipped
    /// ranges); nil when the node holds no leaf.
    static func combine(_ lo: Int, _ width: Int, count: Int, known: [Range<Int>: [Float]]) -> [Float]? {
        guard lo < count else { return nil }
        if let v = known[lo..<min(lo + width, count)] { return v }
        precondition(width > 1, "ExactReduction: leaf \(lo) is missing")
        let half = width / 2
        let left = combine(lo, half, count: count, known: known)
        guard let right = combine(lo + half, half, count: count, known: known) else { return left }
        guard var l = left else { return right }
        precondition(l.count == right.count, "ExactReduction: vectors of \(l.count) and \(right.count) elements")
        l.withUnsafeMutableBufferPointer { a in
            right.withUnsafeBufferPointer { b in
                for i in 0..<a.count { a[i] += b[i] }
            }
        }
        return l
    }

    /// The sum of the node `node` (an aligned tree node clipped to `count`) from its leaves `leaves`, which hold
    /// the vectors of leaves `node.lowerBound...` in order.
    public static func nodeSum(_ node: Range<Int>, leaves: [[Float]], count: Int) -> [Float] {
        var known: [Range<Int>: [Float]] = [:]
        for (i, v) in leaves.enumerated() { known[(node.lowerBound + i)..<(node.lowerBound + i + 1)] = v }
        var width = 1
        while width < node.count { width *= 2 }
        return combine(node.lowerBound, width, count: count, known: known)!
    }

    /// Sums a rank's leaves, given one at a time in order, into the node sums of its blocks (`blocks(of:count:)`)
    /// with the additions of `nodeSum`, holding about `log2` of the leaf count vectors rather than every leaf.
    public struct Accumulator {
        /// The leaf count of the whole tree.
        public let count: Int
        /// This rank's leaves.
        public let range: Range<Int>
        /// The blocks of `range`, in order.
        public let blocks: [Range<Int>]
        private var next: Int
        private var block = 0
        private var stack: [(lo: Int, width: Int, sum: [Float])] = []
        /// The finished node sums, one per block, in order.
        public private(set) var sums: [[Float]] = []

        /// An accumulator for the leaves `range` of `count`.
        public init(range: Range<Int>, count: Int) {
            self.count = count; self.range = range
            blocks = ExactReduction.blocks(of: range, count: count)
            next = range.lowerBound
        }

        /// Whether every leaf of `range` was added.
        public var isComplete: Bool { next == range.upperBound }

        private static func add(_ a: [Float], _ b: [Float]) -> [Float] {
            precondition(a.count == b.count, "ExactReduction: vectors of \(a.count) and \(b.count) elements")
            var l = a
            l.withUnsafeMutableBufferPointer { x in b.withUnsafeBufferPointer { y in for i in 0..<x.count { x[i] += y[i] } } }
            return l
        }

        /// Adds the next leaf's vector.
        public mutating func add(_ leaf: [Float]) {
            precondition(next < range.upperBound, "ExactReduction.Accumulator: more leaves than \(range)")
            stack.append((next, 1, leaf))
            next += 1
            // Two complete siblings become their parent (left + right).
            while stack.count >= 2 {
                let b = stack[stack.count - 1], a = stack[stack.count - 2]
                guard a.width == b.width, a.lo % (2 * a.width) == 0, b.lo == a.lo + a.width else { break }
                stack.removeLast(2)
                stack.append((a.lo, 2 * a.width, Self.add(a.sum, b.sum)))
            }
            // A finished block: what is left of it on the stack are the complete nodes of a block clipped at `count`
            // (widths decreasing); the tree adds them right to left (each right part is the right child's sum).
            if next == blocks[block].upperBound {
                var sum = stack.removeLast().sum
                while let top = stack.last, top.lo >= blocks[block].lowerBound {
                    stack.removeLast()
                    sum = Self.add(top.sum, sum)
                }
                sums.append(sum)
                block += 1
            }
        }
    }

    /// The tree sum of all `count` leaves from node sums that partition `0..<count`.
    public static func rootSum(count: Int, nodes: [Range<Int>: [Float]]) -> [Float] {
        combine(0, treeWidth(count), count: count, known: nodes)!
    }

    /// The tree sum of `leaves` (all of them, in one process): the bits every division among ranks gives.
    public static func sum(_ leaves: [[Float]]) -> [Float] {
        precondition(!leaves.isEmpty, "ExactReduction.sum: no leaves")
        var known: [Range<Int>: [Float]] = [:]
        for (i, v) in leaves.enumerated() { known[i..<(i + 1)] = v }
        return rootSum(count: leaves.count, nodes: known)
    }

    /// The tree sum of `count` leaves divided among the ranks of `comm` by `ranges(count:ranks:)`: `mine` are this
    /// rank's leaves, in order. Every rank returns the same bits, equal to `sum` of all leaves in one process.
    /// Every rank's vectors must have the same length `length`.
    public static func allreduce(_ mine: [[Float]], count: Int, length: Int, on comm: Communicator) throws -> [Float] {
        let all = ranges(count: count, ranks: comm.size)
        let myRange = all[comm.rank]
        guard mine.count == myRange.count else {
            throw DistributedError("rank \(comm.rank) holds \(mine.count) leaves, expected \(myRange.count)")
        }
        guard mine.allSatisfy({ $0.count == length }) else { throw DistributedError("rank \(comm.rank): leaves of different lengths") }
        var acc = Accumulator(range: myRange, count: count)
        for leaf in mine { acc.add(leaf) }
        return try allreduce(acc, length: length, on: comm)
    }

    /// `allreduce(_:count:length:on:)` from an accumulator holding every leaf of this rank's range
    /// (`ranges(count:ranks:)[rank]`).
    public static func allreduce(_ acc: Accumulator, length: Int, on comm: Communicator) throws -> [Float] {
        let count = acc.count
        let all = ranges(count: count, ranks: comm.size)
        guard acc.range == all[comm.rank], acc.isComplete else {
            throw DistributedError("rank \(comm.rank) holds an incomplete range of leaves")
        }
        guard acc.sums.allSatisfy({ $0.count == length }) else { throw DistributedError("rank \(comm.rank): leaves of different lengths") }
        let gathered = try comm.allgather(Array(acc.sums.joined()))
        var known: [Range<Int>: [Float]] = [:]
        for (r, range) in all.enumerated() {
            let nodes = blocks(of: range, count: count)
            guard gathered[r].count == nodes.count * length else {
                throw DistributedError("rank \(r) sent \(gathered[r].count) values, expected \(nodes.count * length)")
            }
            for (j, node) in nodes.enumerated() { known[node] = Array(gathered[r][(j * length)..<((j + 1) * length)]) }
        }
        return rootSum(count: count, nodes: known)
    }
}
