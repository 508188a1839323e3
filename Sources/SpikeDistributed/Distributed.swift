#if MPI
import CMPI
#endif
import Foundation

/// Starting and stopping the distributed layer, and the checks that keep a job from running wrong.
///
/// A `spike` built with the `MPI` trait and started by a launcher (`mpirun`, `srun`: `OMPI_COMM_WORLD_SIZE`,
/// `PMI_SIZE` or `PMIX_SIZE` set) calls `MPI_Init` in `start()`; otherwise the world is `Communicator.single`.
/// A build without MPI started by a launcher with more than one process refuses (`checkLaunch`), so that it never
/// runs as N independent copies writing the same files.
public enum Distributed {
    /// Whether this build has MPI (the package trait `MPI`).
    public static var isAvailable: Bool {
        #if MPI
        return true
        #else
        return false
        #endif
    }

    /// The number of processes a launcher started, read from its environment (`OMPI_COMM_WORLD_SIZE` of Open MPI,
    /// `PMI_SIZE` of MPICH/Slurm, `PMIX_SIZE`); nil when the process was not started by one.
    public static func launcherSize(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
        for key in ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"] {
            if let v = environment[key], let n = Int(v.trimmingCharacters(in: .whitespaces)) { return n }
        }
        return nil
    }

    /// The rank a launcher gave this process (`OMPI_COMM_WORLD_RANK`, `PMI_RANK`, `PMIX_RANK`), if any.
    public static func launcherRank(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
        for key in ["OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"] {
            if let v = environment[key], let n = Int(v.trimmingCharacters(in: .whitespaces)) { return n }
        }
        return nil
    }

    /// Throws when a build without MPI was started by a launcher with more than one process (the copies would each
    /// run the whole job and write the same files); the message names the fix.
    public static func checkLaunch(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard !isAvailable, let n = launcherSize(environment: environment), n > 1 else { return }
        throw DistributedError("this spike was built without MPI but started as \(n) processes (mpirun): rebuild it with `swift build -c release --traits MPI`, or run it without mpirun")
    }

    nonisolated(unsafe) private static var started: Communicator?

    /// The world communicator: MPI's after `start()` under a launcher, otherwise `Communicator.single`.
    public static var world: Communicator { overridden ?? started ?? .single }

    /// Starts MPI when this build has it and a launcher started the process (idempotent); returns the world.
    /// - Throws: `checkLaunch`'s error; `DistributedError` when MPI_Init fails.
    @discardableResult
    public static func start() throws -> Communicator {
        if let started { return started }
        try checkLaunch()
        #if MPI
        guard launcherSize() != nil else { started = .single; return .single }
        var provided: Int32 = 0
        let code = MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided)
        guard code == 0 else { throw DistributedError("MPI_Init failed: \(errorString(code))") }
        _ = MPI_Comm_set_errhandler(spike_mpi_comm_world(), spike_mpi_errors_return())
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(spike_mpi_comm_world(), &rank)
        MPI_Comm_size(spike_mpi_comm_world(), &size)
        let world = Communicator(rank: Int(rank), size: Int(size), usesMPI: true)
        started = world
        return world
        #else
        started = .single
        return .single
        #endif
    }

    /// Ends MPI (MPI_Finalize) after a successful run; nothing without MPI.
    public static func finish() {
        #if MPI
        if let started, started.usesMPI { _ = MPI_Finalize() }
        #endif
    }

    /// Checks that every rank describes the same run (`description`: its options, files and data, as text or
    /// bytes), by comparing a 64-bit FNV-1a hash across ranks.
    /// - Throws: `DistributedError` naming the first rank whose description differs from rank 0's.
    public static func checkSameRun(_ description: String, on comm: Communicator = world, what: String = "options, files or data") throws {
        guard comm.size > 1 else { return }
        let hashes = try comm.allgather([fnv1a(Array(description.utf8))])
        if let r = hashes.firstIndex(where: { $0 != hashes[0] }) {
            throw DistributedError("rank \(r) was started with different \(what) than rank 0 (the run's description differs); start every rank with the same command and files")
        }
    }

    /// 64-bit FNV-1a of `bytes`.
    public static func fnv1a<C: Sequence>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    #if MPI
    static func errorString(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: Int(spike_mpi_max_error_string()) + 1)
        var length: Int32 = 0
        guard MPI_Error_string(code, &buffer, &length) == 0 else { return "MPI error \(code)" }
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    #endif
}
