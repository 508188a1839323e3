import Foundation
import Testing
import SpikeIO
@testable import SpikeData

@Suite struct IDXTests {
    @Test func readsPlainAndGzipFilesAsTheReferenceReader() throws {
        let expected = try fixtureJSON("idx/expected.json")
        for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                     "t10k-labels-idx1-ubyte.gz", "int16.idx", "float64.idx"] {
            let a = try IDX.read(path: fixture("idx/" + name))
            let e = expected[name] as! [String: Any]
            #expect(a.dims == (e["dims"] as! [NSNumber]).map(\.intValue), "\(name)")
            #expect(a.floats() == (e["values"] as! [NSNumber]).map(\.floatValue), "\(name)")
        }
        #expect(try IDX.read(path: fixture("idx/int16.idx")).dtype == .int16)
    }

    @Test func mnistSamplesArePixelsOver255WithLabels() throws {
        let expected = try fixtureJSON("idx/expected.json")
        let train = try MNIST(root: fixture("idx"), train: true)
        #expect(train.count == 3)
        #expect(train.stepShape == [1, 28, 28])
        let (x, label) = try train.sample(at: 1, epoch: 0)
        #expect(x.shape == [1, 1, 28, 28])
        #expect(label == 0)
        #expect(Array(x.scalars[0..<8]) == (expected["train_sample1_first8"] as! [NSNumber]).map(\.floatValue))
        let test = try MNIST(root: fixture("idx"), train: false, variant: .fashionMNIST)
        #expect(test.labels == [7, 2])
    }

    @Test func badFilesGiveOneLineErrorsNamingTheFile() throws {
        let good = idx(0x08, [2, 2], [1, 2, 3, 4])
        #expect(try IDX.decode(good, name: "g").floats() == [1, 2, 3, 4])
        #expect(errorMessage { _ = try IDX.decode([1, 0, 8, 1, 0, 0, 0, 0], name: "f") }.hasPrefix("f: not a IDX"))
        #expect(errorMessage { _ = try IDX.decode([0, 0, 0x0A, 1, 0, 0, 0, 0], name: "f").count }.contains("unknown IDX type code 0xa"))
        #expect(errorMessage { _ = try IDX.decode(Array(good.dropLast()), name: "f") }.contains("truncated"))
        #expect(errorMessage { _ = try IDX.decode(good + [0], name: "f") }.contains("unexpected bytes"))
        #expect(errorMessage { _ = try IDX.decode([0, 0, 8, 3, 0, 0], name: "f") }.contains("truncated"))
        // Dimensions whose product is huge: refused from the header, nothing allocated.
        #expect(errorMessage { _ = try IDX.decode(idx(0x0E, [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], []), name: "f") }.contains("truncated"))
        let gz = Zlib.compress([UInt8](repeating: 0, count: 10_000), format: .gzip)
        #expect(errorMessage { _ = try IDX.decode(gz, name: "f", limit: 1000) }.contains("limit"))
        #expect(errorMessage { _ = try IDX.decode(Array(gz.prefix(10)), name: "f") }.hasPrefix("f: "))
    }

    @Test func mnistChecksItsFiles() throws {
        let dir = try temporaryDirectory()
        let missing = errorMessage { _ = try MNIST(root: dir, train: true) }
        #expect(missing.contains("train-images-idx3-ubyte[.gz]") && missing.contains("yann.lecun.com"))
        try writeFile(dir + "/train-images-idx3-ubyte", idx(0x08, [2, 1, 1], [0, 255]))
        try writeFile(dir + "/train-labels-idx1-ubyte", idx(0x08, [2], [3, 10]))
        #expect(errorMessage { _ = try MNIST(root: dir, train: true) }.contains("label 1 is 10, outside 0..<10"))
        try writeFile(dir + "/train-labels-idx1-ubyte", idx(0x08, [1], [3]))
        #expect(errorMessage { _ = try MNIST(root: dir, train: true) }.contains("1 labels for 2 images"))
    }

    private func idx(_ code: UInt8, _ dims: [UInt32], _ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0, 0, code, UInt8(dims.count)]
        for d in dims { out += [UInt8(d >> 24), UInt8((d >> 16) & 0xFF), UInt8((d >> 8) & 0xFF), UInt8(d & 0xFF)] }
        return out + payload
    }
}
