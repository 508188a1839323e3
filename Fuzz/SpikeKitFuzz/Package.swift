// swift-tools-version:5.4
import PackageDescription

/// libFuzzer targets for SpikeKit's parsers (README.md here). Built only with the fuzzer and address sanitizers:
///
///     swift build -c release --scratch-path ../../.build-fuzz -Xswiftc -sanitize=fuzzer,address --product FuzzNPY
///
/// (run.sh does it). A target is an executable whose one file defines `LLVMFuzzerTestOneInput`; libFuzzer brings
/// `main`, so these never build without `-sanitize=fuzzer`, and they live in this package apart from the root one
/// so that `swift build` and `swift test` there are untouched.
///
/// Adding a parser: a folder `Sources/FuzzNAME/` with `FuzzNAME.swift` (copy FuzzNPY), one line below naming the
/// target and the SpikeKit products it needs, and seeds in `Corpus/FuzzNAME/`.
let targets: [(name: String, products: [String])] = [
    ("FuzzNPY", ["SpikeIO", "SpikeCore"]),
    ("FuzzSafeTensors", ["SpikeIO", "SpikeCore"]),
    ("FuzzJSON", ["SpikeIO"]),
    ("FuzzPythonLiteral", ["SpikeIO"]),
    ("FuzzYAML", ["SpikeNetworkFile", "SpikeIO"]),
    ("FuzzNetworkFile", ["SpikeNetworkFile", "SpikeIO"]),
    ("FuzzPlasticity", ["SpikeNetworkFile", "SpikeIO"]),
    ("FuzzHDF5", ["SpikeIO"]),
    ("FuzzZip", ["SpikeIO"]),
    ("FuzzIDX", ["SpikeData"]),
    ("FuzzATIS", ["SpikeData"]),
    ("FuzzAEDAT", ["SpikeData"]),
    ("FuzzEventFile", ["SpikeData"]),
    ("FuzzSHD", ["SpikeData"]),
    ("FuzzDVSGestureLabels", ["SpikeData"]),
    ("FuzzModelFile", ["SpikeCLI", "SpikeIO"]),
    ("FuzzNIR", ["SpikeNIR"]),
    ("FuzzEquations", ["SpikeEquations", "SpikeIO"]),
]

let package = Package(
    name: "SpikeKitFuzz",
    platforms: [.macOS("13.0")],
    products: targets.map { .executable(name: $0.name, targets: [$0.name]) },
    dependencies: [
        .package(name: "SpikeKit", path: "../.."),
    ],
    targets: [
        .target(name: "FuzzCommon"),
    ] + targets.map { target in
        // No `main` of our own: -parse-as-library keeps Swift from emitting one, so libFuzzer's is linked.
        .executableTarget(name: target.name,
                          dependencies: ["FuzzCommon"] + target.products.map { .product(name: $0, package: "SpikeKit") },
                          swiftSettings: [.unsafeFlags(["-parse-as-library"])])
    }
)
