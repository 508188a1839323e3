// Imports a NIR graph (the format snnTorch, SpikingJelly, Norse, Sinabs and neuromorphic chips exchange),
// runs it on random input spikes and prints what comes out. Without an argument it first exports a small
// network of its own to out/example.nir.
//
//     swift run -c release ImportNIR net.nir
import Foundation
import SpikeKit

var path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : ""
if path.isEmpty {
    var rng = SeededRandom(seed: 0)
    let model = Sequential {
        Linear(20, 16, rng: &rng)
        SpikingLayer(LIF(tau: 5))
        Linear(16, 4, rng: &rng)
        SpikingLayer(LIF(tau: 5))
    }
    path = "out/example.nir"
    try FileManager.default.createDirectory(atPath: "out", withIntermediateDirectories: true)
    try NIRFile.write(try NIRExport.graph(model, inputShape: [20], options: .init(dt: 1e-3)), to: URL(fileURLWithPath: path))
}

// snippet: nir
let graph = try NIRFile.read(url: URL(fileURLWithPath: path))
let net = try NIRNetwork(graph, options: NIRRunOptions(dt: 1e-3))        // dt in seconds, forward Euler
let inputShape = net.shapes[net.inputNames[0]]!                          // unbatched, e.g. [20]
var rng = SeededRandom(seed: 1)
let x = try Encode.bernoulli(Tensor.uniform([4] + inputShape, low: 0, high: 0.5, rng: &rng), steps: 50, rng: &rng)
let y = Tape.withoutGradients { net(Variable(x)) }                       // [T, B, ...output shape]
print("\(graph.nodes.count) nodes, input \(inputShape), output \(y.value.shape), sum \(y.value.scalars.reduce(0, +))")
// snippet: end
