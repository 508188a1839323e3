import XCTest
import SpikeCore
@testable import SpikeNeurons

/// What every registered model must satisfy: it builds from its defaults, runs finite, documents its
/// parameters, takes per-neuron values and mismatch for every numeric parameter, rejects unknown names, and
/// its learnable parameters are parameters.
final class ZooContractTests: XCTestCase {
    func testEveryModelHonoursTheContract() throws {
        XCTAssertEqual(Set(NeuronRegistry.modelIDs).count, NeuronRegistry.modelIDs.count, "duplicate ids")
        for entry in NeuronRegistry.entries {
            let model = try entry.build([:])
            let type = type(of: model)
            XCTAssertEqual(type.id, entry.id)
            XCTAssertFalse(entry.summary.isEmpty, entry.id)
            XCTAssertTrue(type.stateNames.contains("v"), "\(entry.id): no state named v in \(type.stateNames)")
            XCTAssertEqual(type.parameterNames.count, Set(type.parameterNames).count, "\(entry.id): duplicate parameter names")
            let documented = Set(entry.parameters.map(\.name))
            for name in type.parameterNames {
                XCTAssertTrue(documented.contains(name) || documented.contains(where: { name.hasPrefix($0) }),
                              "\(entry.id): numeric parameter '\(name)' is not documented in its entry")
            }
            for name in type.learnableParameterNames {
                XCTAssertNotNil(type.parameterIndex(name), "\(entry.id): learnable '\(name)' is not a parameter")
            }
            XCTAssertThrowsError(try entry.build(["no_such_parameter": 1]), entry.id) {
                XCTAssertTrue("\($0)".contains("no_such_parameter"), "\(entry.id): \($0)")
            }
            // Defaults run finite from rest, and per-neuron tables with mismatch of every parameter run too.
            let any = AnyNeuronModel(model)
            let (T, N) = (20, 3)
            let fwd = any.forward([Float](repeating: 0, count: T * N), steps: T, elements: N)
            XCTAssertTrue(fwd.states.allSatisfy(\.isFinite), "\(entry.id): non-finite state at rest")
            if type.isSpiking { XCTAssertTrue(fwd.output.allSatisfy { $0 == 0 || $0 == 1 }, "\(entry.id): spikes not 0/1") }
            var table = any.table(neurons: N)
            for name in type.parameterNames { try any.addMismatch(&table, name, fraction: 0.05, seed: 1) }
            try any.validate(table)
            let mis = any.forward([Float](repeating: 0, count: T * N), steps: T, elements: N, table: table)
            XCTAssertTrue(mis.states.allSatisfy(\.isFinite), "\(entry.id): non-finite state with mismatch")
            // The table of the unchanged model reproduces the plain run.
            let plain = any.forward([Float](repeating: 0, count: T * N), steps: T, elements: N, table: any.table(neurons: N))
            XCTAssertEqual(plain.states, fwd.states, entry.id)
        }
    }
}
