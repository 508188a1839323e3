import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe file replacement.
///
/// `write(_:to:)` writes the bytes to a uniquely named temporary file in the destination's directory
/// (`.<name>.tmp-<pid>-<random>`), flushes it to disk with `fsync`, and renames it over the destination.
/// Because `rename` is atomic within a file system, readers (and a run killed part-way) see either the
/// old file or the complete new one, never a half-written file. On any failure the temporary is removed,
/// the destination is left untouched, and a `SpikeIOError.cannotWrite` naming the destination is thrown.
///
/// Only a regular file is ever replaced: a destination that exists as anything else (a device such as
/// `/dev/full`, a FIFO, a socket, a directory, a symbolic link) is refused before anything is written, for
/// every user, root included. Temporaries left by a killed run (`.<name>.tmp-<pid>-<random>` of a process that
/// no longer exists) are removed by the next write of the same name.
public enum AtomicFile {
    /// Throws `SpikeIOError.cannotWrite` unless `url` can be written by replacement: its directory exists and
    /// is writable, and the destination does not exist or is a regular file.
    public static func checkDestination(_ url: URL) throws {
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        var info = stat()
        if lstat(path, &info) == 0 {
            let kind = info.st_mode & S_IFMT
            guard kind == S_IFREG else {
                throw SpikeIOError.cannotWrite(path: path, reason: "\(InputFile.describe(kind)); only a regular file is replaced")
            }
        } else if errno != ENOENT {
            throw SpikeIOError.cannotWrite(path: path, reason: Bytes.errnoString())
        }
        var dirInfo = stat()
        guard stat(directory, &dirInfo) == 0 else {
            throw SpikeIOError.cannotWrite(path: path, reason: (errno == ENOENT ? "directory '\(directory)' does not exist: "
                                                                               : "directory '\(directory)': ") + Bytes.errnoString())
        }
        guard dirInfo.st_mode & S_IFMT == S_IFDIR else {
            throw SpikeIOError.cannotWrite(path: path, reason: "'\(directory)' is not a directory")
        }
        guard access(directory, W_OK) == 0 else {
            throw SpikeIOError.cannotWrite(path: path, reason: "directory '\(directory)': " + Bytes.errnoString())
        }
    }

    /// Removes the entries of `directory` named `prefix<pid>-<anything>` whose process `pid` no longer exists:
    /// what a killed run left (temporary files, staging folders). Best effort.
    public static func removeLeftovers(in directory: String, prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: directory + "/" + name)
            }
        }
    }

    /// Atomically replaces (or creates) the file at `url` with `data`.
    public static func write(_ data: Data, to url: URL) throws {
        try write(data, to: url, beforeRename: {})
    }

    /// `write(_:to:)` with a hook run after the temporary is complete and synced, just before the rename;
    /// tests use it to simulate a failure (or a crash) at the last moment.
    static func write(_ data: Data, to url: URL, beforeRename: () throws -> Void) throws {
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        let base = url.lastPathComponent
        func failure(_ what: String, _ code: Int32 = errno) -> SpikeIOError {
            .cannotWrite(path: path, reason: what + Bytes.errnoString(code))
        }
        try checkDestination(url)
        removeLeftovers(in: directory, prefix: "." + base + ".tmp-")

        // Create the temporary exclusively, retrying on the (unlikely) name collision.
        var tempPath = ""
        var fd: Int32 = -1
        for _ in 0..<16 {
            let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            tempPath = directory + "/." + base + ".tmp-\(getpid())-" + suffix
            fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 || errno != EEXIST { break }
        }
        if fd < 0 { throw failure("cannot create a temporary file in \(directory): ") }

        var fdOpen = true
        var succeeded = false
        defer {
            if fdOpen { _ = close(fd) }
            if !succeeded { _ = unlink(tempPath) }
        }

        // Write everything, coping with partial writes and interrupted system calls.
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < raw.count {
                let n = posixWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw failure("writing the temporary file failed: ")
                }
                offset += n
            }
        }
        while fsync(fd) != 0 {
            if errno != EINTR { throw failure("fsync of the temporary file failed: ") }
        }
        fdOpen = false
        if close(fd) != 0 { throw failure("closing the temporary file failed: ") }

        try beforeRename()

        // Checked again at the last moment: the destination may have become a device or a folder meanwhile.
        try checkDestination(url)
        if rename(tempPath, path) != 0 { throw failure("renaming the temporary file into place failed: ") }
        succeeded = true

        // Make the rename itself durable; best effort, since the data is already in place.
        let dirFD = open(directory, O_RDONLY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            _ = close(dirFD)
        }
    }
}

/// The POSIX `write(2)`, named so it is not confused with `AtomicFile.write` inside that type.
@inline(__always)
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, buffer, count)
    #elseif canImport(Musl)
    return Musl.write(fd, buffer, count)
    #else
    return Darwin.write(fd, buffer, count)
    #endif
}
