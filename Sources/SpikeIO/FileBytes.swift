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
        var probe: UInt64 = 0  // 8 bytes to learn whether the file ends at its stat size, without growing `out`
        while true {
            let n: Int
            if filled == out.count {
                n = withUnsafeMutableBytes(of: &probe) { systemRead(fd, $0.baseAddress!, $0.count) }
                if n > 0 {  // the file is longer than stat said (it grew, or a special file): read on
                    out.append(contentsOf: withUnsafeBytes(of: &probe) { Array($0.prefix(n)) })
                    filled += n
                    out.append(contentsOf: repeatElement(0, count: max(1 << 16, out.count)))
                    continue
                }
            } else {
                n = out.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress! + filled, $0.count - filled) }
            }
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
