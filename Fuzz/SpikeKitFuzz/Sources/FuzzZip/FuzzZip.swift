import FuzzCommon
import Foundation
import SpikeIO

/// Zip reading (`ZipArchive(bytes:name:)`: end of central directory, central directory entries), then every
/// entry's contents (local header, stored or deflated data, CRC-32), which must have the size the directory names.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let archive: ZipArchive
    do {
        archive = try ZipArchive(bytes: Fuzz.bytes(data, size), name: "fuzz.zip")
    } catch {
        Fuzz.checkMessage("\(error)")
        return 0
    }
    for entry in archive.entries {
        do {
            let contents = try archive.contents(of: entry, limit: 16 << 20)
            Fuzz.check(contents.count == entry.uncompressedSize,
                       "entry '\(entry.name)' read \(contents.count) bytes, the directory says \(entry.uncompressedSize)")
        } catch {
            Fuzz.checkMessage("\(error)")
        }
    }
    return 0
}
