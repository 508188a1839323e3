import CZlib

/// Deflate streams through the machine's zlib: the zlib-wrapped streams of HDF5's deflate filter, gzip files
/// (IDX datasets are distributed as `.gz`) and raw deflate (zip members, `.npz`).
///
/// Decompression is bounded: the caller states the largest output it accepts (`limit`, in bytes) and a stream
/// that inflates past it is refused (a small hostile file cannot become gigabytes). Every error is a
/// `SpikeIOError` naming `name` (the file, or file and object, the bytes came from).
public enum Zlib {
    /// The container around the deflate data.
    public enum Format: Sendable {
        /// RFC 1950: a 2-byte header and an Adler-32 trailer (HDF5's deflate filter, `zlib.compress`).
        case zlib
        /// RFC 1952: a gzip header and a CRC-32 trailer (`.gz` files); concatenated members are read in turn.
        case gzip
        /// RFC 1951: deflate data with no header (zip members).
        case raw

        var windowBits: Int32 {
            switch self {
            case .zlib: return 15
            case .gzip: return 15 + 16
            case .raw: return -15
            }
        }
    }

    /// Whether `bytes` start with gzip's magic bytes `1f 8b`.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The decompressed bytes of `input`.
    /// - Parameters:
    ///   - format: the container (default `.zlib`).
    ///   - limit: the largest output accepted, in bytes.
    ///   - expectedSize: when known (an HDF5 chunk's size), the exact size the output must have; also the
    ///     initial allocation.
    ///   - name: the file (and place) named in errors.
    /// - Throws: `SpikeIOError.malformedHeader` for a corrupt or truncated stream, an output over `limit`, or an
    ///   output of another size than `expectedSize`.
    public static func decompress(_ input: [UInt8], format: Format = .zlib, limit: Int,
                                  expectedSize: Int? = nil, name: String) throws -> [UInt8] {
        precondition(limit >= 0, "Zlib.decompress: negative limit")
        if let e = expectedSize, e > limit {
            throw SpikeIOError.malformedHeader(file: name, reason: "deflate stream would give \(e) bytes, more than the limit of \(limit)")
        }
        var out = [UInt8]()
        var capacity = min(limit, max(expectedSize ?? input.count.multipliedReportingOverflow(by: 4).partialValue, 64))
        out.reserveCapacity(capacity)
        var stream = z_stream()
        guard inflateInit2_(&stream, format.windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw SpikeIOError.malformedHeader(file: name, reason: "zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var consumed = 0
        try input.withUnsafeBufferPointer { inBuf in
            var status: Int32 = Z_OK
            while true {
                let remainingIn = inBuf.count - consumed
                stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress.map { $0 + consumed })
                stream.avail_in = UInt32(min(remainingIn, Int(UInt32.max)))
                let availInBefore = stream.avail_in
                let produced: Int = chunk.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = UInt32(outBuf.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return outBuf.count - Int(stream.avail_out)
                }
                consumed += Int(availInBefore - stream.avail_in)
                if status != Z_OK && status != Z_STREAM_END && !(status == Z_BUF_ERROR && produced > 0) {
                    let why = status == Z_DATA_ERROR ? "corrupt deflate data" : status == Z_MEM_ERROR ? "out of memory" : "deflate error \(status)"
                    throw SpikeIOError.malformedHeader(file: name, reason: why)
                }
                guard out.count + produced <= limit else {
                    throw SpikeIOError.malformedHeader(file: name, reason: "deflate stream inflates past the limit of \(limit) bytes")
                }
                if out.count + produced > capacity { capacity = min(limit, max(capacity * 2, out.count + produced)); out.reserveCapacity(capacity) }
                out.append(contentsOf: chunk[0..<produced])
                if status == Z_STREAM_END {
                    // gzip files may hold several members one after another.
                    if format == .gzip, consumed < inBuf.count, inBuf.count - consumed >= 2,
                       inBuf[consumed] == 0x1F, inBuf[consumed + 1] == 0x8B {
                        guard inflateReset(&stream) == Z_OK else {
                            throw SpikeIOError.malformedHeader(file: name, reason: "zlib could not restart inflating")
                        }
                        continue
                    }
                    break
                }
                if produced == 0 && consumed >= inBuf.count {
                    throw SpikeIOError.malformedHeader(file: name, reason: "truncated deflate stream")
                }
            }
        }
        if let e = expectedSize, out.count != e {
            throw SpikeIOError.malformedHeader(file: name, reason: "deflate stream gave \(out.count) bytes, expected \(e)")
        }
        return out
    }

    /// `input` compressed at `level` (0-9, default 6 as zlib's and h5py's `compression_opts`).
    public static func compress(_ input: [UInt8], format: Format = .zlib, level: Int = 6) -> [UInt8] {
        precondition((0...9).contains(level), "Zlib.compress: level must be in 0...9")
        var stream = z_stream()
        let ok = deflateInit2_(&stream, Int32(level), Z_DEFLATED, format.windowBits, 8, Z_DEFAULT_STRATEGY,
                               ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(ok == Z_OK, "Zlib.compress: deflateInit2 failed (\(ok))")
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, UInt(input.count))) + 32
        var out = [UInt8](repeating: 0, count: bound)
        var written = 0
        input.withUnsafeBufferPointer { inBuf in
            out.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
                stream.avail_in = UInt32(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = UInt32(outBuf.count)
                let status = deflate(&stream, Z_FINISH)
                precondition(status == Z_STREAM_END, "Zlib.compress: deflate did not finish (\(status))")
                written = outBuf.count - Int(stream.avail_out)
            }
        }
        out.removeLast(out.count - written)
        return out
    }
}
