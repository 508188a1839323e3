// Trains a network of a neuron model written here (DecayLIF.swift: a LIF with a learnable decay factor, the
// example of docs/CUSTOM_MODELS.md) on a small Randman task and prints the test accuracy (chance is 0.33).
//
//     swift run -c release CustomNeuron         # 10 epochs
//     swift run -c release CustomNeuron 2       # EPOCHS
let epochs = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 10
print("test accuracy \(try trainDecayLIFOnRandman(epochs: epochs))")
