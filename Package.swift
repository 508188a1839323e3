// swift-tools-version:6.0
import PackageDescription

/// Release builds of the numeric kernels: no bounds checks in the hot loops is left to the code itself
/// (unsafe buffer pointers), so the package needs no unsafe flags and other packages can depend on it.
let package = Package(
    name: "SpikeKit",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "SpikeKit", targets: ["SpikeKit"]),
        .library(name: "SpikeCore", targets: ["SpikeCore"]),
        .library(name: "SpikeNeurons", targets: ["SpikeNeurons"]),
        .library(name: "SpikeNN", targets: ["SpikeNN"]),
        .library(name: "SpikeCoding", targets: ["SpikeCoding"]),
        .library(name: "SpikeData", targets: ["SpikeData"]),
        .library(name: "SpikeIO", targets: ["SpikeIO"]),
        .library(name: "SpikeSim", targets: ["SpikeSim"]),
        .library(name: "SpikeNIR", targets: ["SpikeNIR"]),
        .library(name: "SpikeTraining", targets: ["SpikeTraining"]),
        .library(name: "SpikeEquations", targets: ["SpikeEquations"]),
        // The CLI's file readers (network files, YAML subset) for the fuzz targets of Fuzz/Package.swift.
        .library(name: "SpikeCLI", targets: ["SpikeCLI"]),
        .executable(name: "spike", targets: ["spike"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "SpikeCKernels"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "SpikeCore", dependencies: ["SpikeCKernels"]),
        .target(name: "SpikeNeurons", dependencies: ["SpikeCore"]),
        .target(name: "SpikeNN", dependencies: ["SpikeCore", "SpikeNeurons"]),
        .target(name: "SpikeCoding", dependencies: ["SpikeCore", "SpikeNeurons", "SpikeNN"]),
        .target(name: "SpikeData", dependencies: ["SpikeCore", "SpikeIO"]),
        .target(name: "SpikeIO", dependencies: ["SpikeCore", "CZlib"]),
        .target(name: "SpikeSim", dependencies: ["SpikeCKernels", "SpikeCore", "SpikeNeurons", "SpikeIO"]),
        .target(name: "SpikeNIR", dependencies: ["SpikeCore", "SpikeIO", "SpikeNN", "SpikeNeurons"]),
        .target(name: "SpikeTraining", dependencies: ["SpikeCore", "SpikeNN", "SpikeCoding", "SpikeData", "SpikeIO"]),
        .target(name: "SpikeEquations", dependencies: ["SpikeCKernels", "SpikeCore", "SpikeNeurons", "SpikeIO"]),
        .target(name: "SpikeKit", dependencies: ["SpikeCore", "SpikeNeurons", "SpikeNN", "SpikeCoding", "SpikeData", "SpikeIO", "SpikeSim", "SpikeNIR", "SpikeTraining", "SpikeEquations"]),
        .target(name: "SpikeCLI", dependencies: [
            "SpikeKit",
            "SpikeTraining",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "spike", dependencies: ["SpikeCLI"]),
        .testTarget(name: "SpikeCoreTests", dependencies: ["SpikeCore"]),
        .testTarget(name: "SpikeNeuronsTests", dependencies: ["SpikeNeurons", "SpikeIO"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "SpikeNNTests", dependencies: ["SpikeNN", "SpikeData", "SpikeIO"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SpikeCodingTests", dependencies: ["SpikeCoding", "SpikeCore", "SpikeNN"]),
        .testTarget(name: "SpikeDataTests", dependencies: ["SpikeData", "SpikeIO"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SpikeIOTests", dependencies: ["SpikeIO"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SpikeNIRTests", dependencies: ["SpikeNIR", "SpikeIO"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SpikeEquationsTests", dependencies: ["SpikeEquations", "SpikeNeurons", "SpikeNN", "SpikeSim", "SpikeCore"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "SpikeSimTests", dependencies: ["SpikeSim", "SpikeCoding"]),
        .testTarget(name: "SpikeTrainingTests", dependencies: ["SpikeTraining", "SpikeData", "SpikeNN", "SpikeCoding", "SpikeCore"]),
        .testTarget(name: "SpikeCLITests", dependencies: ["SpikeCLI", "spike"], resources: [.copy("Fixtures")]),
    ]
)
