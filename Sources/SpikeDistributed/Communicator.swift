#if MPI
import CMPI
#endif
import Foundation

/// An error of the distributed layer (an MPI call that failed, ranks that disagree, a misuse of the launcher), as
/// one line.
public struct DistributedError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The one-line message.
    public let description: String
    /// An error with `message`.
    public init(_ message: String) { description = message }
}

/// Scalars that collectives move: `Float`, `Double`, `Int` (64-bit), `UInt64`, `Int32`, `UInt8`.
public protocol CommunicatorScalar: Sendable {
    /// The MPI datatype's kind.
    static var scalarKind: ScalarKind { get }
    /// The additive identity (the value a reduction of nothing gives).
    static var zeroValue: Self { get }
}

/// The element kinds a `Communicator` moves (each one MPI datatype).
public enum ScalarKind: Sendable { case float, double, int64, uint64, int32, byte }

extension Float: CommunicatorScalar { public static var scalarKind: ScalarKind { .float }; public static var zeroValue: Float { 0 } }
extension Double: CommunicatorScalar { public static var scalarKind: ScalarKind { .double }; public static var zeroValue: Double { 0 } }
extension Int: CommunicatorScalar { public static var scalarKind: ScalarKind { .int64 }; public static var zeroValue: Int { 0 } }
extension UInt64: CommunicatorScalar { public static var scalarKind: ScalarKind { .uint64 }; public static var zeroValue: UInt64 { 0 } }
extension Int32: CommunicatorScalar { public static var scalarKind: ScalarKind { .int32 }; public static var zeroValue: Int32 { 0 } }
extension UInt8: CommunicatorScalar { public static var scalarKind: ScalarKind { .byte }; public static var zeroValue: UInt8 { 0 } }

/// Element-wise reductions of `Communicator.allreduce` and `reduce`.
public enum ReductionOperation: Sendable { case sum, max, min }

/// A group of processes (MPI's `MPI_COMM_WORLD`) or the single process of a run without MPI.
///
/// Every collective must be called by all ranks in the same order (MPI's rule). Without the `MPI` package trait, or
/// when the process was not started by a launcher, the communicator is `Communicator.single` (rank 0 of 1) and every
/// collective returns its input. MPI errors are returned, not fatal (`MPI_ERRORS_RETURN`), and thrown as
/// `DistributedError` with MPI's message. Collectives are called from one thread at a time (MPI_THREAD_FUNNELED).
public final class Communicator: @unchecked Sendable {
    /// This process's rank, 0..<size.
    public let rank: Int
    /// Number of processes.
    public let size: Int
    /// Whether collectives go through MPI (false for the single process).
    public let usesMPI: Bool

    init(rank: Int, size: Int, usesMPI: Bool) { self.rank = rank; self.size = size; self.usesMPI = usesMPI }

    /// The communicator of a process that runs alone: rank 0 of 1, collectives return their input.
    public static let single = Communicator(rank: 0, size: 1, usesMPI: false)

    /// Whether this rank alone prints and writes files (rank 0).
    public var isRoot: Bool { rank == 0 }

    /// Waits until every rank has called it.
    public func barrier() throws {
        guard usesMPI else { return }
        #if MPI
        try check(MPI_Barrier(spike_mpi_comm_world()), "barrier")
        #endif
    }

    /// Makes `values` on every rank equal to root's (any count: root's count is sent first).
    public func broadcast<T: CommunicatorScalar>(_ values: inout [T], root: Int = 0) throws {
        guard usesMPI else { return }
        try checkRoot(root)
        #if MPI
        var count = Int64(values.count)
        try check(MPI_Bcast(&count, 1, spike_mpi_int64(), Int32(root), spike_mpi_comm_world()), "broadcast")
        if rank != root { values = [T](repeating: T.zeroValue, count: Int(count)) }
        guard count > 0 else { return }
        try values.withUnsafeMutableBytes { b in
            try check(MPI_Bcast(b.baseAddress, Int32(count), Self.datatype(T.self), Int32(root), spike_mpi_comm_world()), "broadcast")
        }
        #endif
    }

    /// Every rank's `values` (counts may differ: MPI_Gatherv) at `root`, in rank order; nil on the other ranks.
    public func gather<T: CommunicatorScalar>(_ values: [T], root: Int = 0) throws -> [[T]]? {
        guard usesMPI else { return [values] }
        try checkRoot(root)
        #if MPI
        var mine = Int32(values.count)
        var counts = [Int32](repeating: 0, count: size)
        try check(MPI_Gather(&mine, 1, spike_mpi_int32(), &counts, 1, spike_mpi_int32(), Int32(root), spike_mpi_comm_world()), "gather")
        let displs = try Self.displacements(counts)
        var out = [T](repeating: T.zeroValue, count: rank == root ? Int(displs.last! + counts.last!) : 0)
        try values.withUnsafeBytes { s in
            try out.withUnsafeMutableBytes { o in
                try check(MPI_Gatherv(s.baseAddress, mine, Self.datatype(T.self), o.baseAddress, counts, displs,
                                      Self.datatype(T.self), Int32(root), spike_mpi_comm_world()), "gather")
            }
        }
        guard rank == root else { return nil }
        return (0..<size).map { Array(out[Int(displs[$0])..<Int(displs[$0] + counts[$0])]) }
        #else
        return [values]
        #endif
    }

    /// Every rank's `values` on every rank (counts may differ: MPI_Allgatherv), in rank order.
    public func allgather<T: CommunicatorScalar>(_ values: [T]) throws -> [[T]] {
        guard usesMPI else { return [values] }
        #if MPI
        var mine = Int32(values.count)
        var counts = [Int32](repeating: 0, count: size)
        try check(MPI_Allgather(&mine, 1, spike_mpi_int32(), &counts, 1, spike_mpi_int32(), spike_mpi_comm_world()), "allgather")
        let displs = try Self.displacements(counts)
        var out = [T](repeating: T.zeroValue, count: Int(displs.last! + counts.last!))
        try values.withUnsafeBytes { s in
            try out.withUnsafeMutableBytes { o in
                try check(MPI_Allgatherv(s.baseAddress, mine, Self.datatype(T.self), o.baseAddress, counts, displs,
                                         Self.datatype(T.self), spike_mpi_comm_world()), "allgather")
            }
        }
        return (0..<size).map { Array(out[Int(displs[$0])..<Int(displs[$0] + counts[$0])]) }
        #else
        return [values]
        #endif
    }

    /// Replaces `values` on every rank by the element-wise reduction over ranks (MPI_Allreduce: the order of the
    /// floating-point operations is MPI's and may depend on the number of ranks; `ExactReduction` is the
    /// order-independent one). Every rank must pass the same count.
    public func allreduce<T: CommunicatorScalar>(_ values: inout [T], _ op: ReductionOperation = .sum) throws {
        guard usesMPI, !values.isEmpty else { return }
        #if MPI
        let n = Int32(values.count)
        try values.withUnsafeMutableBytes { b in
            try check(MPI_Allreduce(spike_mpi_in_place(), b.baseAddress, n, Self.datatype(T.self),
                                    Self.operation(op), spike_mpi_comm_world()), "allreduce")
        }
        #endif
    }

    /// The element-wise reduction over ranks at `root` (MPI_Reduce); nil on the other ranks.
    public func reduce<T: CommunicatorScalar>(_ values: [T], _ op: ReductionOperation = .sum, root: Int = 0) throws -> [T]? {
        guard usesMPI else { return values }
        try checkRoot(root)
        #if MPI
        var out = [T](repeating: T.zeroValue, count: values.count)
        if !values.isEmpty {
            try values.withUnsafeBytes { s in
                try out.withUnsafeMutableBytes { o in
                    try check(MPI_Reduce(s.baseAddress, o.baseAddress, Int32(values.count), Self.datatype(T.self),
                                         Self.operation(op), Int32(root), spike_mpi_comm_world()), "reduce")
                }
            }
        }
        return rank == root ? out : nil
        #else
        return values
        #endif
    }

    /// Stops every rank of the job with exit status `code` (MPI_Abort); a process without MPI exits.
    public func abort(code: Int32) -> Never {
        #if MPI
        if usesMPI { _ = MPI_Abort(spike_mpi_comm_world(), code) }
        #endif
        exit(code)
    }

    private func checkRoot(_ root: Int) throws {
        guard (0..<size).contains(root) else { throw DistributedError("root rank \(root) outside 0..<\(size)") }
    }

    #if MPI
    private static func displacements(_ counts: [Int32]) throws -> [Int32] {
        var displs = [Int32](repeating: 0, count: counts.count)
        var total: Int64 = 0
        for (i, c) in counts.enumerated() {
            displs[i] = Int32(total)
            total += Int64(c)
            guard total <= Int64(Int32.max) else { throw DistributedError("a collective of more than \(Int32.max) elements") }
        }
        return displs
    }

    static func datatype<T: CommunicatorScalar>(_: T.Type) -> MPI_Datatype {
        switch T.scalarKind {
        case .float: return spike_mpi_float()
        case .double: return spike_mpi_double()
        case .int64: return spike_mpi_int64()
        case .uint64: return spike_mpi_uint64()
        case .int32: return spike_mpi_int32()
        case .byte: return spike_mpi_byte()
        }
    }

    static func operation(_ op: ReductionOperation) -> MPI_Op {
        switch op {
        case .sum: return spike_mpi_sum()
        case .max: return spike_mpi_max()
        case .min: return spike_mpi_min()
        }
    }

    private func check(_ code: Int32, _ what: String) throws {
        guard code != 0 else { return }
        throw DistributedError("rank \(rank): MPI \(what) failed: \(Distributed.errorString(code))")
    }
    #endif
}
