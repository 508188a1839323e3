import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// All-or-nothing outputs: every file a command writes is staged, and published only when every part
/// succeeded.
///
/// 1. `init` validates every destination before any work is done: no two alike, each one's directory exists
///    (or is in `creating`) and is writable, and none exists as anything but a regular file
///    (`AtomicFile.checkDestination`). It also cleans what killed runs left in those directories (see below).
/// 2. `stage` writes each file (through any writer: `NPY.write`, `SafeTensors.write`, `AtomicFile.write`) into a
///    hidden staging folder `.spike-staging-<pid>-<random>` inside the destination's directory, so that the
///    final renames stay within one file system.
/// 3. `publish` renames every staged file into place once all of them are staged. A destination that existed
///    is first hard-linked into the staging folder as a backup; if a rename fails part-way, the renames already
///    made are undone (old files put back, new ones removed) and the error is thrown: the destinations hold
///    exactly what they held before.
///
/// On any failure, and when the object is discarded unpublished, the staging folders (and the directories
/// `init` was asked to create, when still empty) are removed. A run killed at any moment leaves at most a
/// staging folder (and, killed inside the rename loop, some destinations replaced): the next `StagedOutputs`
/// into the same directory recognises the folder by its name and dead process id, puts back the backups its
/// journal lists (undoing a half-finished publish), and removes it; temporaries `.<name>.tmp-<pid>-<random>`
/// of `AtomicFile` are removed the same way.
public final class StagedOutputs {
    /// Name prefix of staging folders (`.spike-staging-<pid>-<random>`).
    public static let stagingPrefix = ".spike-staging-"
    /// Name prefixes of staging folders of earlier versions (`spike simulate`'s), cleaned the same way.
    static let legacyPrefixes = [".spike-simulate-"]
    /// Name of the journal a staging folder holds while its files are being published.
    static let journalName = "publishing.journal"

    private let destinations: [URL]
    private let creating: [URL]
    private var created: [URL] = []
    private var staging: [String: URL] = [:]    // destination directory -> its staging folder
    private var staged: Set<String> = []
    private var finished = false

    /// Validates `destinations` (see the type's documentation); `creating` lists directories (missing ones
    /// are created, with their missing parents, when the first file is staged) that destinations may lie in.
    /// Throws `SpikeIOError.cannotWrite` naming the first destination that cannot be written.
    public init(_ destinations: [URL], creating: [URL] = []) throws {
        self.destinations = destinations.map(\.standardizedFileURL)
        self.creating = creating.map(\.standardizedFileURL)
        var seen = Set<String>(), cleaned = Set<String>()
        for d in self.destinations {
            guard seen.insert(d.path).inserted else {
                throw SpikeIOError.cannotWrite(path: d.path, reason: "written twice by one command")
            }
            let dir = d.deletingLastPathComponent()
            if let c = self.creating.first(where: { $0.path == dir.path }), !Self.isDirectory(c.path) {
                try Self.checkCreatable(c, for: d)
            } else {
                try AtomicFile.checkDestination(d)
                if cleaned.insert(dir.path).inserted { Self.recoverLeftovers(in: dir.path) }
            }
        }
    }

    deinit { if !finished { discard() } }

    /// The directory `url` exists and is a directory (symbolic links followed).
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// Throws unless `dir` can be created: it is not something other than a directory, and its nearest
    /// existing ancestor is a writable directory.
    static func checkCreatable(_ dir: URL, for destination: URL) throws {
        var info = stat()
        if lstat(dir.path, &info) == 0 {
            throw SpikeIOError.cannotWrite(path: destination.path, reason: "'\(dir.path)' \(InputFile.describe(info.st_mode & S_IFMT)), not a directory")
        }
        var ancestor = dir.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: ancestor.path) && ancestor.path != "/" { ancestor.deleteLastPathComponent() }
        guard isDirectory(ancestor.path) else {
            throw SpikeIOError.cannotWrite(path: destination.path, reason: "'\(ancestor.path)' is not a directory")
        }
        guard access(ancestor.path, W_OK) == 0 else {
            throw SpikeIOError.cannotWrite(path: destination.path, reason: "cannot create '\(dir.path)': " + Bytes.errnoString())
        }
    }

    /// Stages the contents of `destination` (one of those given to `init`): `write` is called with the path
    /// to write to, inside the staging folder.
    public func stage(_ destination: URL, _ write: (URL) throws -> Void) throws {
        let d = destination.standardizedFileURL
        guard destinations.contains(d) else {
            throw SpikeIOError.cannotWrite(path: d.path, reason: "not among the outputs validated for this command")
        }
        do {
            let folder = try stagingFolder(for: d.deletingLastPathComponent())
            try write(folder.appendingPathComponent(d.lastPathComponent))
            staged.insert(d.path)
        } catch {
            discard()
            throw error
        }
    }

    /// Stages `data` as the contents of `destination` (see `stage(_:_:)`).
    public func stage(_ data: Data, for destination: URL) throws {
        try stage(destination) { try AtomicFile.write(data, to: $0) }
    }

    /// The staging folder of `dir`, made (with `dir` itself when it is to be created) on first use.
    private func stagingFolder(for dir: URL) throws -> URL {
        if let f = staging[dir.path] { return f }
        if creating.contains(where: { $0.path == dir.path }), !Self.isDirectory(dir.path) {
            var missing: [URL] = []
            var u = dir
            while !FileManager.default.fileExists(atPath: u.path) { missing.append(u); u.deleteLastPathComponent() }
            for m in missing.reversed() {
                if mkdir(m.path, 0o777) != 0 && errno != EEXIST {
                    throw SpikeIOError.cannotWrite(path: m.path, reason: "cannot create the directory: " + Bytes.errnoString())
                }
                created.append(m)
            }
        }
        var folder = URL(fileURLWithPath: "")
        for _ in 0..<16 {
            folder = dir.appendingPathComponent("\(Self.stagingPrefix)\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))")
            if mkdir(folder.path, 0o700) == 0 { staging[dir.path] = folder; return folder }
            if errno != EEXIST { break }
        }
        throw SpikeIOError.cannotWrite(path: dir.path, reason: "cannot create a staging folder: " + Bytes.errnoString())
    }

    /// Publishes every staged file (all destinations must be staged); on failure the destinations keep what
    /// they had and the error is thrown.
    public func publish() throws {
        try publish(beforeRename: { _ in })
    }

    /// `publish()` with a hook called before the rename of each destination (by index); tests use it to
    /// simulate a failure part-way through.
    func publish(beforeRename: (Int) throws -> Void) throws {
        precondition(!finished, "StagedOutputs.publish: already published or discarded")
        defer { discard() }
        if let missing = destinations.first(where: { !staged.contains($0.path) }) {
            throw SpikeIOError.cannotWrite(path: missing.path, reason: "nothing was staged for it")
        }
        // Back up what exists, and journal it, before the first rename.
        var backups: [URL?] = []
        var journals: [String: String] = [:]
        for (i, d) in destinations.enumerated() {
            let dir = d.deletingLastPathComponent().path, folder = staging[dir]!
            let source = folder.appendingPathComponent(d.lastPathComponent)
            try AtomicFile.checkDestination(d)
            var info = stat()
            var backup: URL? = nil
            if lstat(d.path, &info) == 0 {
                let b = folder.appendingPathComponent(".backup-\(i)")
                if link(d.path, b.path) != 0 {
                    do { try FileManager.default.copyItem(at: d, to: b) } catch {
                        throw SpikeIOError.cannotWrite(path: d.path, reason: "cannot keep a backup of the old file: \(error.localizedDescription)")
                    }
                }
                backup = b
            }
            backups.append(backup)
            var staged = stat()
            _ = lstat(source.path, &staged)
            journals[dir, default: ""] += "\(d.lastPathComponent)\t\(backup?.lastPathComponent ?? "-")\t\(staged.st_ino)\n"
        }
        for (dir, text) in journals { try AtomicFile.write(Data(text.utf8), to: staging[dir]!.appendingPathComponent(Self.journalName)) }
        var done = 0
        do {
            for (i, d) in destinations.enumerated() {
                try beforeRename(i)
                let source = staging[d.deletingLastPathComponent().path]!.appendingPathComponent(d.lastPathComponent)
                if rename(source.path, d.path) != 0 {
                    throw SpikeIOError.cannotWrite(path: d.path, reason: "moving the finished file into place failed: " + Bytes.errnoString())
                }
                done += 1
            }
        } catch {
            for i in (0..<done).reversed() {
                let d = destinations[i]
                if let b = backups[i] { _ = rename(b.path, d.path) } else { _ = unlink(d.path) }
            }
            throw error
        }
        // Published: without its journal a staging folder left by a kill from here on is only removed.
        for (dir, _) in journals { _ = unlink(staging[dir]!.appendingPathComponent(Self.journalName).path) }
        for dir in Set(destinations.map { $0.deletingLastPathComponent().path }) {
            let fd = open(dir, O_RDONLY | O_CLOEXEC)
            if fd >= 0 { _ = fsync(fd); _ = close(fd) }
        }
        created = []     // published: the created directories stay
    }

    /// Removes the staging folders and the directories `init` created for them (when empty); nothing is
    /// published. Called on failure and when an unpublished object goes away.
    public func discard() {
        finished = true
        for (_, folder) in staging { try? FileManager.default.removeItem(at: folder) }
        staging = [:]
        for dir in created.reversed() { _ = rmdir(dir.path) }
        created = []
    }

    /// Cleans `directory` of what killed runs left: staging folders of processes that no longer exist (a
    /// half-finished publish is undone from the folder's journal first) and `AtomicFile` temporaries.
    public static func recoverLeftovers(in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(".") {
            let prefixes = [stagingPrefix] + legacyPrefixes
            if let prefix = prefixes.first(where: { name.hasPrefix($0) }) {
                guard deadProcess(in: name.dropFirst(prefix.count)) != nil else { continue }
                let folder = directory + "/" + name
                undoPublish(folder: folder, directory: directory)
                try? FileManager.default.removeItem(atPath: folder)
            } else if let r = name.range(of: ".tmp-"), deadProcess(in: name[r.upperBound...]) != nil {
                try? FileManager.default.removeItem(atPath: directory + "/" + name)
            }
        }
    }

    /// The process id at the start of `rest` (`<pid>-...`) when no such process exists.
    static func deadProcess(in rest: Substring) -> Int32? {
        guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]), pid > 0, pid != getpid() else { return nil }
        return kill(pid, 0) != 0 && errno == ESRCH ? pid : nil
    }

    /// Undoes what a killed publish of `folder` did, from its journal: old files are put back from their
    /// backups; new files with no old one are removed when they are still the staged file (same inode).
    static func undoPublish(folder: String, directory: String) {
        guard let data = FileManager.default.contents(atPath: folder + "/" + journalName) else { return }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 3, !f[0].contains("/") else { continue }
            let destination = directory + "/" + f[0]
            let stagedCopy = folder + "/" + f[0]
            if FileManager.default.fileExists(atPath: stagedCopy) { continue }   // never moved: nothing to undo
            if f[1] != "-" {
                _ = rename(folder + "/" + f[1], destination)
            } else {
                var info = stat()
                if lstat(destination, &info) == 0, String(info.st_ino) == f[2] { _ = unlink(destination) }
            }
        }
    }
}
