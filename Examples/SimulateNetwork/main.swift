// Simulates Vogels & Abbott's CUBA network (4000 LIF neurons, 80 % excitatory, 2 % connectivity) for 1 s of
// biological time with SpikeSim, Brian2's model of groups, synapses and monitors, then saves its state.
//
//     swift run -c release SimulateNetwork                   # 4000 neurons, 1000 ms, state in out/
//     swift run -c release SimulateNetwork 400 100 /tmp/s    # NEURONS DURATION_MS OUTPUT_FOLDER
import Foundation
import SpikeKit

let arguments = Array(CommandLine.arguments.dropFirst())
let neurons = arguments.count > 0 ? Int(arguments[0]) ?? 4000 : 4000
let duration = arguments.count > 1 ? Double(arguments[1]) ?? 1000 : 1000
let output = URL(fileURLWithPath: arguments.count > 2 ? arguments[2] : "out")

// snippet: simulate
let net = try Network(dt: 0.1, seed: 1)                                     // ms
let exc = try net.addGroup("E", size: neurons * 4 / 5, model: "va_cuba")   // any zoo model
let inh = try net.addGroup("I", size: neurons / 5, model: "va_cuba")
var rng = net.nextStream()
for group in [exc, inh] {                                 // membranes uniform in [reset, threshold) = [-60, -50) mV
    try group.setState("v", (0..<group.size).map { _ in -60 + 10 * rng.nextUniform() })
}
try net.connect("EE", from: exc, to: exc, variable: "ge", rule: .random(p: 0.02), weight: .constant(1.62))
try net.connect("EI", from: exc, to: inh, variable: "ge", rule: .random(p: 0.02), weight: .constant(1.62))
try net.connect("IE", from: inh, to: exc, variable: "gi", rule: .random(p: 0.02), weight: .constant(-9),
                delay: .uniform(low: 0.5, high: 2))                         // ms, ring-buffered
try net.connect("II", from: inh, to: inh, variable: "gi", rule: .random(p: 0.02), weight: .constant(-9))
let spikes = try net.add(SpikeMonitor(name: "spikes", source: exc))
try net.run(duration: duration)
let rate = Double(spikes.count) / Double(exc.size) / (duration / 1000)
print("E: \(spikes.count) spikes, \(String(format: "%.1f", rate)) Hz per neuron")
try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
try net.save(to: output.appendingPathComponent("state.safetensors"))        // resume later bit for bit
// snippet: end
