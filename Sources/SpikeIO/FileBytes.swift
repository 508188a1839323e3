import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads for the binary format readers (IDX, ATIS, AEDAT, .npz, ...): one allocation of the
/// file's size, filled by `read(2)`.
public enum FileBytes {
    /// The contents of the file at `path`.
    /// - Throws: `SpikeIOError.cannotRead` naming `path` (missing file, a directory, an I/O error).
    public static func read(path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw SpikeIOError.cannotRead(path: path, reason: Bytes.errnoString()) }
        defer { _ = close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 { throw SpikeIOError.cannotRead(path: path, reason: Bytes.errnoString()) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw SpikeIOError.cannotRead(path: path, reason: "is a directory") }
        var out = [UInt8](repeating: 0, count: max(0, Int(info.st_size)))
        var filled = 0
        while true {
            if filled == out.count {
                // Usually the end of the file: probe with a small read before growing the array (growing by
                // 64 KiB for every file cost more than reading an N-MNIST recording).
                var probe = [UInt8](repeating: 0, count: 4096)
                let m = probe.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress!, $0.count) }
                if m < 0 {
                    if errno == EINTR { continue }
                    throw SpikeIOError.cannotRead(path: path, reason: Bytes.errnoString())
                }
                if m == 0 { break }
                // The file grew (or st_size was 0 for a special file): keep the bytes and read on.
                out.append(contentsOf: probe[..<m])
                filled += m
                out += [UInt8](repeating: 0, count: max(1 << 16, out.count))
                continue
            }
            let n = out.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SpikeIOError.cannotRead(path: path, reason: Bytes.errnoString())
            }
            if n == 0 { break }
            filled += n
        }
        out.removeLast(out.count - filled)
        return out
    }
}

/// `read(2)`, named apart from `FileBytes.read(path:)`.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}
