import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Little-endian element decoding and file reading shared by the format readers.
enum Bytes {
    /// The element types the readers can convert to `Float`, each with its size in bytes.
    enum Element: Sendable {
        case f64, f32, f16, bf16, i64, i32, i16, i8, u64, u32, u16, u8, bool

        /// Bytes per element.
        var size: Int {
            switch self {
            case .f64, .i64, .u64: return 8
            case .f32, .i32, .u32: return 4
            case .f16, .bf16, .i16, .u16: return 2
            case .i8, .u8, .bool: return 1
            }
        }
    }

    /// Decodes `count` little-endian elements of type `element` from `bytes` (which must hold exactly
    /// `count * element.size` bytes) as `Float`s.
    static func floats(from bytes: UnsafeRawBufferPointer, count: Int, element: Element) -> [Float] {
        precondition(bytes.count == count * element.size, "Bytes.floats: byte count mismatch")
        if count == 0 { return [] }
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            switch element {
            case .f32:
                for i in 0..<count {
                    out[i] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                }
            case .f64:
                for i in 0..<count {
                    out[i] = Float(Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                }
            case .f16:
                for i in 0..<count {
                    out[i] = halfToFloat(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                }
            case .bf16:
                for i in 0..<count {
                    let bits = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    out[i] = Float(bitPattern: UInt32(bits) << 16)
                }
            case .i64:
                for i in 0..<count {
                    out[i] = Float(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
                }
            case .u64:
                for i in 0..<count {
                    out[i] = Float(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))
                }
            case .i32:
                for i in 0..<count {
                    out[i] = Float(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
                }
            case .u32:
                for i in 0..<count {
                    out[i] = Float(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                }
            case .i16:
                for i in 0..<count {
                    out[i] = Float(Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
                }
            case .u16:
                for i in 0..<count {
                    out[i] = Float(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                }
            case .i8:
                for i in 0..<count { out[i] = Float(Int8(bitPattern: bytes[i])) }
            case .u8:
                for i in 0..<count { out[i] = Float(bytes[i]) }
            case .bool:
                for i in 0..<count { out[i] = bytes[i] == 0 ? 0 : 1 }
            }
            initialized = count
        }
    }

    /// Appends `scalars` to `data` as little-endian IEEE float32.
    static func appendFloat32LE(_ scalars: [Float], to data: inout Data) {
        let start = data.count
        data.count += scalars.count * 4
        data.withUnsafeMutableBytes { raw in
            for (i, x) in scalars.enumerated() {
                raw.storeBytes(of: x.bitPattern.littleEndian, toByteOffset: start + 4 * i, as: UInt32.self)
            }
        }
    }

    /// An IEEE binary16 bit pattern as `Float` (exact: every half is representable as a float).
    /// Done by hand because `Float16` is unavailable on some platforms (macOS on Intel).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x03FF)
        if exponent == 0x1F {  // infinity or NaN (payload kept)
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        if exponent == 0 {  // zero or subnormal: mantissa * 2^-24
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign == 0 ? magnitude : -magnitude
        }
        return Float(bitPattern: sign | (UInt32(exponent - 15 + 127) << 23) | (mantissa << 13))
    }

    /// `a * b * ...` over `dims`, or nil if it overflows `Int`.
    static func product(_ dims: [Int]) -> Int? {
        var acc = 1
        for d in dims {
            let (p, overflow) = acc.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            acc = p
        }
        return acc
    }

    /// The whole contents of the regular file at `url` (at most the memory budget: `InputFile`), or
    /// `SpikeIOError.cannotRead` naming its path.
    static func readFile(_ url: URL) throws -> Data { try InputFile.read(url) }

    /// `bytes` decoded as UTF-8, or nil if they are not valid UTF-8. (`String(validating:as:)` needs
    /// macOS 15, newer than the package's deployment target.)
    static func utf8String<C: Collection>(_ bytes: C) -> String? where C.Element == UInt8 {
        var iterator = bytes.makeIterator()
        var codec = UTF8()
        var out = ""
        while true {
            switch codec.decode(&iterator) {
            case let .scalarValue(scalar): out.unicodeScalars.append(scalar)
            case .emptyInput: return out
            case .error: return nil
            }
        }
    }

    /// The current `errno` as text (e.g. "No such file or directory").
    static func errnoString(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }
}
