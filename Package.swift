// swift-tools-version:6.1
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
        .library(name: "SpikeNetworkFile", targets: ["SpikeNetworkFile"]),
        .library(name: "SpikePlot", targets: ["SpikePlot"]),
        // The CLI's model-file reader for the fuzz targets of Fuzz/SpikeKitFuzz/Package.swift.
        .library(name: "SpikeCLI", targets: ["SpikeCLI"]),
        .executable(name: "spike", targets: ["spike"]),
        .library(name: "SpikeDistributed", targets: ["SpikeDistributed"]),
    ],
    // `swift build --traits MPI` links Open MPI (docs/DISTRIBUTED.md); the default build needs only the toolchain.
    traits: [
        .trait(name: "MPI", description: "Run across processes and machines through MPI (needs mpi.h: pkg-config ompi-c)."),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "SpikeCKernels"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        .target(name: "SpikeDistributed", dependencies: [.target(name: "CMPI", condition: .when(traits: ["MPI"]))]),
        .target(name: "SpikeCore", dependencies: ["SpikeCKernels"]),
        .target(name: "SpikeNeurons", dependencies: ["SpikeCore"]),
        .target(name: "SpikeNN", dependencies: ["SpikeCore", "SpikeNeurons"]),
        .target(name: "SpikeCoding", dependencies: ["SpikeCore", "SpikeNeurons", "SpikeNN"]),
        .target(name: "SpikeData", dependencies: ["SpikeCore", "SpikeIO"]),
        .target(name: "SpikeIO", dependencies: ["SpikeCore", "CZlib"]),
        .target(name: "SpikeSim", dependencies: ["SpikeCKernels", "SpikeCore", "SpikeNeurons", "SpikeIO"]),
        .target(name: "SpikeNIR", dependencies: ["SpikeCore", "SpikeIO", "SpikeNN", "SpikeNeurons"]),
        .target(name: "SpikeTraining", dependencies: ["SpikeCore", "SpikeNN", "SpikeCoding", "SpikeData", "SpikeIO", "SpikeDistributed"]),
        .target(name: "SpikeNetworkFile", dependencies: ["SpikeCore", "SpikeNeurons", "SpikeCoding", "SpikeIO", "SpikeSim"]),
        .target(name: "SpikePlot", dependencies: ["SpikeIO"]),
        .target(name: "SpikeKit", dependencies: ["SpikeCore", "SpikeNeurons", "SpikeNN", "SpikeCoding", "SpikeData", "SpikeIO", "SpikeSim", "SpikeNIR", "SpikeTraining", "SpikeDistributed", "SpikeNetworkFile", "SpikePlot"]),
        .target(name: "SpikeCLI", dependencies: [
            "SpikeKit",
            "SpikeTraining",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "spike", dependencies: ["SpikeCLI"]),
        // Complete programs (Examples/README.md); the documentation quotes them and DocumentationTests runs them.
        .executableTarget(name: "TrainRandman", dependencies: ["SpikeKit"], path: "Examples/TrainRandman"),
        .executableTarget(name: "TrainCSNN", dependencies: ["SpikeKit"], path: "Examples/TrainCSNN"),
        .executableTarget(name: "SimulateNetwork", dependencies: ["SpikeKit"], path: "Examples/SimulateNetwork"),
        .executableTarget(name: "RunNetworkFile", dependencies: ["SpikeKit"], path: "Examples/RunNetworkFile"),
        .executableTarget(name: "CustomNeuron", dependencies: ["SpikeCore", "SpikeData", "SpikeNeurons", "SpikeNN"],
                          path: "Examples/CustomNeuron"),
        .executableTarget(name: "ImportNIR", dependencies: ["SpikeKit"], path: "Examples/ImportNIR"),
        .testTarget(name: "SpikeCoreTests", dependencies: ["SpikeCore"]),
        .testTarget(name: "SpikeNeuronsTests", dependencies: ["SpikeNeurons", "SpikeIO"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "SpikeNNTests", dependencies: ["SpikeNN", "SpikeData", "SpikeIO"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SpikeCodingTests", dependencies: ["SpikeCoding", "SpikeCore", "SpikeNN"]),
        .testTarget(name: "SpikeDataTests", dependencies: ["SpikeData", "SpikeIO"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SpikeIOTests", dependencies: ["SpikeIO"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SpikeNIRTests", dependencies: ["SpikeNIR", "SpikeIO"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SpikeSimTests", dependencies: ["SpikeSim", "SpikeCoding"]),
        .testTarget(name: "SpikeTrainingTests", dependencies: ["SpikeTraining", "SpikeData", "SpikeNN", "SpikeCoding", "SpikeCore"]),
        .testTarget(name: "SpikeDistributedTests", dependencies: ["SpikeDistributed", "SpikeTraining", "SpikeNN", "SpikeData", "SpikeCore"]),
        .testTarget(name: "SpikeCLITests", dependencies: ["SpikeCLI", "SpikeNetworkFile", "spike"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SpikePlotTests", dependencies: ["SpikePlot", "SpikeIO"]),
        .testTarget(name: "DocumentationTests",
                    dependencies: ["SpikeKit", "TrainRandman", "TrainCSNN", "SimulateNetwork", "RunNetworkFile", "CustomNeuron", "ImportNIR"]),
    ]
)
