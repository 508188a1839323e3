import Dispatch
import SpikeCKernels
import Foundation

/// Parallel loops over the machine's cores with fixed chunking, so that results never depend on how many
/// threads run: every chunk is computed by exactly one worker with the same arithmetic order.
public enum Parallel {
    /// Number of worker threads (`SPIKEKIT_THREADS` environment variable, else the active processor count).
    nonisolated(unsafe) public static var threadCount: Int = {
        if let s = ProcessInfo.processInfo.environment["SPIKEKIT_THREADS"], let n = Int(s), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Calls `body(chunk)` for `chunk` in `0..<chunks`, on up to `threadCount` threads. The split into chunks
    /// is the caller's and must not depend on the thread count. Workers claim the next chunk from a shared
    /// counter as they finish one, so a worker that starts late or runs on a busy core takes fewer chunks;
    /// which worker computes a chunk never changes its result.
    public static func forEach(chunks: Int, _ body: (Int) -> Void) {
        if chunks <= 0 { return }
        let workers = min(threadCount, chunks)
        if workers <= 1 { for c in 0..<chunks { body(c) }; return }
        let counter = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        counter.initialize(to: 0)
        defer { counter.deallocate() }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable((body, counter))
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let c = sk_atomic_fetch_add(box.value.1, 1)
                    if c >= chunks { break }
                    box.value.0(c)
                }
            }
        }
    }

    /// Splits `0..<n` into ranges of at least `grain` elements (a fixed split for given `n` and `grain`).
    public static func ranges(_ n: Int, grain: Int) -> [Range<Int>] {
        if n <= 0 { return [] }
        let g = max(1, grain)
        return stride(from: 0, to: n, by: g).map { $0..<min(n, $0 + g) }
    }
}

/// Wraps a value that is safe to share across the fixed-chunk workers of `Parallel` (disjoint writes).
public struct UncheckedSendable<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}

/// Process-wide memory settings for numeric work.
public enum Memory {
    /// Makes the C allocator (glibc) keep freed memory for reuse and serve blocks up to 32 MiB from its heap,
    /// instead of mapping fresh pages for each large tensor and returning them on free: training steps that
    /// allocate and free the same `[T, B, N]` buffers then do not page-fault and zero-fill every step (this
    /// was a fifth of the lif-layer benchmark). The process keeps its peak heap. Returns false where it does
    /// not apply (not glibc). `spike bench` and `spike train` call it at start.
    @discardableResult public static func keepFreedMemory() -> Bool { sk_keep_freed_memory() == 1 }
}
