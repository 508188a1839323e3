import Foundation
import SpikeCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading a user's file safely: it must be a regular file (not a device such as `/dev/zero` or
/// `/dev/urandom`, a FIFO, a socket or a directory) of at most `limit` bytes, and no more than `limit + 1` bytes
/// are ever read, so an endless or growing file fails fast with one line instead of exhausting memory. Opening
/// does not block (a FIFO without a writer is refused, not waited on).
public enum InputFile {
    /// The default limit: the memory budget (`MemoryBudget.bytes()`): a file is read whole into memory.
    public static func defaultLimit() throws -> Int { try MemoryBudget.bytes() }

    /// The contents of the regular file at `url` (at most `limit` bytes; default `defaultLimit()`), or
    /// `SpikeIOError.cannotRead` naming its path and the problem.
    public static func read(_ url: URL, limit: Int? = nil) throws -> Data {
        try read(path: url.path, limit: limit)
    }

    /// The contents of the regular file at `path` (see `read(_:limit:)`).
    public static func read(path: String, limit: Int? = nil) throws -> Data {
        let limit = try limit ?? defaultLimit()
        func fail(_ reason: String) -> SpikeIOError { .cannotRead(path: path, reason: reason) }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 { throw fail(Bytes.errnoString()) }
        defer { _ = close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 { throw fail(Bytes.errnoString()) }
        let kind = info.st_mode & S_IFMT
        guard kind == S_IFREG else { throw fail("\(describe(kind)), not a regular file") }
        let size = Int(info.st_size)
        guard size <= limit else { throw fail("the file has \(size) bytes, above the limit of \(limit) bytes") }
        // Back to blocking reads (regular files never block, but a file system may report EAGAIN otherwise).
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        var data = Data()
        data.reserveCapacity(size)
        var chunk = [UInt8](repeating: 0, count: max(1 << 16, min(size + 1, 1 << 24)))
        while true {
            let want = min(chunk.count, limit + 1 - data.count)
            if want <= 0 { throw fail("the file grew beyond the limit of \(limit) bytes while it was read") }
            let n = chunk.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress!, want) }
            if n < 0 {
                if errno == EINTR { continue }
                throw fail(Bytes.errnoString())
            }
            if n == 0 { break }
            data.append(contentsOf: chunk[0..<n])
        }
        return data
    }

    /// What a file of type `kind` (`st_mode & S_IFMT`) is, in words.
    public static func describe(_ kind: mode_t) -> String {
        switch kind {
        case S_IFDIR: return "is a directory"
        case S_IFCHR: return "is a character device"
        case S_IFBLK: return "is a block device"
        case S_IFIFO: return "is a FIFO"
        case S_IFSOCK: return "is a socket"
        case S_IFLNK: return "is a symbolic link"
        case S_IFREG: return "is a regular file"
        default: return "is a special file"
        }
    }
}

/// The POSIX `read(2)`, named so it is not confused with `InputFile.read`.
@inline(__always)
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.read(fd, buffer, count)
    #elseif canImport(Musl)
    return Musl.read(fd, buffer, count)
    #else
    return Darwin.read(fd, buffer, count)
    #endif
}
