// Trains the default task of `spike train` from Swift: Randman (10 classes, 100 input units, 50 steps),
// 100 -> 128 LIF -> 10 LI, Adam, cross-entropy on the maximum readout membrane.
//
//     swift run -c release TrainRandman            # 20 epochs, 200 samples per class
//     swift run -c release TrainRandman 2 50       # EPOCHS SAMPLES_PER_CLASS
import SpikeKit

let numbers = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let epochs = numbers.count > 0 ? numbers[0] : 20
let samplesPerClass = numbers.count > 1 ? numbers[1] : 200

// snippet: train
var rng = SeededRandom(seed: 0)
let net = Sequential {
    Linear(100, 128, rng: &rng)
    SpikingLayer(LIF(tau: 10, decayInput: false, surrogate: .atan))
    Linear(128, 10, rng: &rng)
    SpikingLayer(LI(tau: 10))
}
let dataset = try SpikeDataset.randman(RandmanConfig(samplesPerClass: samplesPerClass))
let (train, test) = dataset.split(trainFraction: 0.8)
let opt = Adam(net.parameters, learningRate: 5e-3)
for epoch in 0..<epochs {
    for indices in BatchIterator(dataset: train, batchSize: 64, seed: 0, epoch: epoch) {
        let (x, labels) = train.batch(indices: indices)          // x: [T, B, 100] spikes
        let loss = Loss.maxMembraneCrossEntropy(net(Variable(x)), labels: labels)
        opt.zeroGrad(); loss.backward(); opt.step()
    }
}
let (x, labels) = test.batch(indices: Array(0..<test.count))
let scores = Tape.withoutGradients { net(Variable(x)).value.max(axis: 0) }   // inference: no tape
print("test accuracy \(Loss.accuracy(scores, labels: labels))")
// snippet: end
