// Builds and runs a network described by a network file (JSON or YAML, the schema of docs/SIMULATION.md), as
// `spike simulate FILE` does, and prints each group's spike count and mean rate.
//
//     swift run -c release spike simulate --example cuba --print > out/cuba.json
//     swift run -c release RunNetworkFile out/cuba.json
import Foundation
import SpikeKit

guard CommandLine.arguments.count == 2 else {
    print("usage: RunNetworkFile NETWORK_FILE")
    exit(2)
}
// snippet: file
let url = URL(fileURLWithPath: CommandLine.arguments[1])
let description = try NetworkDescription(contentsOf: url)   // every field checked; errors name file and place
let net = try Network(description)                         // the same network, bit for bit, as `spike simulate`
let counters = net.monitors.compactMap { $0 as? SpikeCounter }
try net.run(duration: description.duration)                // ms
for counter in counters {
    let hz = Double(counter.count) / Double(counter.group.size) / (description.duration / 1000)
    print("\(counter.group.name): \(counter.count) spikes, \(String(format: "%.2f", hz)) Hz")
}
// snippet: end
