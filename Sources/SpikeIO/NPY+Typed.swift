import Foundation

extension NPY {
    /// Encodes `values` as an int32 `.npy` array of `shape` (C order, little-endian `<i4`), byte for byte as
    /// `numpy.save` writes an `int32` array. `shape`'s product must equal `values.count`.
    public static func encode(int32 values: [Int32], shape: [Int]) -> Data {
        precondition(shape.reduce(1, *) == values.count, "NPY.encode(int32:): shape \(shape) does not hold \(values.count) values")
        var out = header(shape: shape, descr: "<i4")
        out.reserveCapacity(out.count + 4 * values.count)
        for v in values { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        return out
    }

    /// Encodes `values` as a float64 `.npy` array of `shape` (C order, little-endian `<f8`), byte for byte as
    /// `numpy.save` writes a `float64` array. `shape`'s product must equal `values.count`.
    public static func encode(float64 values: [Double], shape: [Int]) -> Data {
        precondition(shape.reduce(1, *) == values.count, "NPY.encode(float64:): shape \(shape) does not hold \(values.count) values")
        var out = header(shape: shape, descr: "<f8")
        out.reserveCapacity(out.count + 8 * values.count)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        return out
    }
}
