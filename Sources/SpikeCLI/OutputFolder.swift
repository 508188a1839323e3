import Foundation
import SpikeKit

/// Output folders never mix runs: a command refuses an output folder that holds anything (but the hidden
/// staging folders a killed run leaves, which the next run removes) unless told `--overwrite`. With
/// `--overwrite`, the files of the new run replace theirs and the files an earlier run listed in its
/// `summary.json` (`files`) that the new run does not write are removed after the new run's files are
/// published; nothing else in the folder is touched.
enum OutputFolder {
    /// Refuses a non-empty `dir` unless `overwrite`; returns the files an earlier run listed in
    /// `dir/summary.json` (to remove after publishing, see `remove`).
    static func check(_ dir: URL, overwrite: Bool) throws -> [String] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: dir.path) else { return [] }   // new folder
        // Leftovers of killed runs (StagedOutputs and AtomicFile clean them): hidden `.spike-*` folders, `.NAME.tmp-*` files.
        let present = names.filter { !($0.hasPrefix(".spike-") || ($0.hasPrefix(".") && $0.contains(".tmp-"))) }.sorted()
        guard !present.isEmpty else { return [] }
        guard overwrite else {
            let shown = present.prefix(3).map { MessageText.quoted($0) }.joined(separator: ", ") + (present.count > 3 ? ", ..." : "")
            throw CLIError("\(dir.path): the output folder is not empty (\(present.count) entries: \(shown)); choose a new folder or add --overwrite")
        }
        guard let data = try? InputFile.read(path: dir.appendingPathComponent("summary.json").path),
              let json = try? JSON.parse(document: Array(data)), case let .object(members) = json,
              let files = members.first(where: { $0.0 == "files" })?.1, case let .array(items) = files else { return [] }
        return items.compactMap { if case let .string(s) = $0, !s.contains("/"), !s.hasPrefix(".") { return s }; return nil }
    }

    /// Removes the regular files `earlier` of `dir` that are not in `keeping` (a run's stale outputs).
    static func remove(_ earlier: [String], keeping: [String], in dir: URL) {
        let keep = Set(keeping)
        for name in earlier where !keep.contains(name) {
            let url = dir.appendingPathComponent(name)
            if let type = try? FileManager.default.attributesOfItem(atPath: url.path)[.type] as? FileAttributeType, type == .typeRegular {
                try? FileManager.default.removeItem(at: url)
            }
        }
    }
}
