import ArgumentParser
import Foundation
import SpikeKit

/// `spike data generate-nmnist`: writes synthetic recordings in N-MNIST's layout (`Train/<digit>/NNNNN.bin`,
/// `Test/<digit>/NNNNN.bin`, ATIS 40-bit events on a 34 x 34 sensor), to try `spike train --dataset nmnist`
/// without the real data set. Each digit's events fall mostly (1 - `--noise`, default 80%) in a 12 x 12 square whose place depends on
/// the digit, the rest (`--noise`) uniform over the sensor; polarities random; times uniform over the duration.
struct DataGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate-nmnist",
        abstract: "Write synthetic N-MNIST-format recordings (a class-dependent square of events plus noise) into a new folder.")
    @Option(help: "Output folder (created; must not exist or be empty).") var output: String
    @Option(parsing: .unconditional, help: "Training recordings per digit.") var train = 100
    @Option(parsing: .unconditional, help: "Test recordings per digit.") var test = 20
    @Option(parsing: .unconditional, help: "Events per recording.") var events = 3000
    @Option(parsing: .unconditional, help: "Duration of a recording in µs.") var duration = 300_000
    @Option(parsing: .unconditional, help: "Fraction of the events uniform over the sensor (the rest in the digit's square).") var noise = 0.2
    @Option(parsing: .unconditional, help: "Seed of the recordings.") var seed: UInt64 = 1

    func run() throws {
        guard (1...100_000).contains(train), (1...100_000).contains(test) else { throw CLIError("--train and --test must be in 1...100000") }
        guard noise >= 0, noise <= 1 else { throw CLIError("--noise must be a fraction in [0, 1], got \(noise)") }
        guard (1...1_000_000).contains(events), (1...8_000_000).contains(duration) else {
            throw CLIError("--events must be in 1...1000000 and --duration in 1...8000000 µs (23-bit timestamps)")
        }
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: output, isDirectory: &isDir) {
            guard isDir.boolValue, (try fm.contentsOfDirectory(atPath: output)).isEmpty else {
                throw CLIError("\(output): exists and is not an empty folder (choose a new one)")
            }
        }
        try SyntheticNMNIST.write(root: output, classes: 10, perClass: train, testPerClass: test, events: events, duration: duration, noise: noise, seed: seed)
        print("wrote \(10 * train) train and \(10 * test) test recordings (\(events) events over \(duration) µs each, \(Int((noise * 100).rounded())) % noise) into \(output)")
    }
}
