import Foundation
import SpikeIO

/// Folder listing and path helpers shared by the data set loaders.
enum FormatSupport {
    /// Whether `path` is a directory.
    static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    /// Whether `path` is a regular file (or a link to one).
    static func isFile(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
    }

    /// The names in directory `path`, sorted by their UTF-8 bytes (Python's `sorted` on ASCII names);
    /// empty when the directory cannot be listed.
    static func sortedNames(in path: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// `a/b`, without doubling a trailing slash of `a`.
    static func join(_ a: String, _ b: String) -> String {
        a.hasSuffix("/") ? a + b : a + "/" + b
    }

    /// The first of `candidates` that is a directory, or nil.
    static func firstDirectory(_ candidates: [String]) -> String? {
        candidates.first(where: isDirectory)
    }
}
