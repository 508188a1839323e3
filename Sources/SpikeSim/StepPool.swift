import Foundation
import SpikeCore
import Synchronization

/// Helper threads for the many tiny parallel loops of a simulation (one per step, a few microseconds each),
/// where dispatching to a queue would cost more than the work. The helpers spin on an atomic ticket while
/// steps keep coming and park after about 100 µs without work.
///
/// Work is split into chunks that the caller and the helpers claim one at a time; each chunk's result must
/// depend only on the chunk (as in `Parallel`), so the numbers never depend on the thread count or on who ran
/// which chunk. The caller also runs chunks, so a helper that the OS has descheduled delays nothing but the
/// chunk it holds. `SPIKEKIT_THREADS` (via `Parallel.threadCount`) sets the total thread count.
@available(macOS 15.0, iOS 18.0, *)
final class StepPool: @unchecked Sendable {
    /// The process-wide pool with `Parallel.threadCount - 1` helpers.
    static let shared = StepPool(helpers: Parallel.threadCount - 1)

    let helpers: Int
    /// Generation (high 32 bits) and next chunk index (low 32 bits).
    let ticket = Atomic<UInt64>(0)
    /// Chunks completed in the current generation.
    let done = Atomic<Int>(0)
    /// Helpers parked on `condition`.
    let parked = Atomic<Int>(0)
    let condition = NSCondition()
    var chunks = 0
    var body: ((Int) -> Void)? = nil
    var generation: UInt64 = 0

    init(helpers: Int) {
        self.helpers = max(0, helpers)
        for _ in 0..<self.helpers {
            let t = Thread { [unowned self] in self.helperLoop() }
            t.stackSize = 1 << 20
            t.start()
        }
    }

    /// Calls `body(c)` for every `c` in `0..<chunks`, on this thread and the helpers; returns when all are done.
    func run(chunks n: Int, _ work: (Int) -> Void) {
        if helpers == 0 || n < 2 { for c in 0..<n { work(c) }; return }
        withoutActuallyEscaping(work) { work in
            body = work; chunks = n
            done.store(0, ordering: .relaxed)
            generation += 1
            let gen = generation << 32
            ticket.store(gen, ordering: .releasing)
            if parked.load(ordering: .acquiring) > 0 {
                condition.lock(); condition.broadcast(); condition.unlock()
            }
            // Claim chunks like the helpers do.
            while let c = claim(gen) { work(c); done.wrappingAdd(1, ordering: .releasing) }
            while done.load(ordering: .acquiring) < n {}
            body = nil
        }
    }

    /// The next chunk of generation `gen` (high bits), or nil when all are claimed or the generation has passed.
    @inline(__always) func claim(_ gen: UInt64) -> Int? {
        var t = ticket.load(ordering: .acquiring)
        while t & ~0xFFFF_FFFF == gen && Int(t & 0xFFFF_FFFF) < chunks {
            let (ok, seen) = ticket.compareExchange(expected: t, desired: t + 1, ordering: .acquiringAndReleasing)
            if ok { return Int(t & 0xFFFF_FFFF) }
            t = seen
        }
        return nil
    }

    func helperLoop() {
        var seen: UInt64 = 0
        while true {
            var spins = 0
            var t = ticket.load(ordering: .acquiring)
            while t >> 32 == seen {
                spins += 1
                // After a short pure spin, yield the core on every round: on a busy machine the spinning must
                // not take time from the thread that publishes the work.
                if spins > 64 { sched_yield() }
                if spins > 50_000 {
                    condition.lock()
                    parked.wrappingAdd(1, ordering: .releasing)
                    while ticket.load(ordering: .acquiring) >> 32 == seen { condition.wait() }
                    parked.wrappingSubtract(1, ordering: .releasing)
                    condition.unlock()
                    spins = 0
                }
                t = ticket.load(ordering: .acquiring)
            }
            seen = t >> 32
            let gen = seen << 32
            // `body` and `chunks` were written before the ticket was published (release/acquire).
            while let c = claim(gen) {
                body?(c)
                done.wrappingAdd(1, ordering: .releasing)
            }
        }
    }
}
