import Foundation
import XCTest
import SpikeCore
import SpikeNeurons
@testable import SpikeNIR

/// The executor against the float64 evaluation of NIR's equations in make_fixtures.py (numpy, written
/// separately from the executor): spikes equal, values and states within 1e-5 of the trace's magnitude.
final class NIRExecutionTests: XCTestCase {
    static let spiking: Set<NIRNodeKind> = [.lif, .if, .cubaLIF, .threshold]

    func check(_ name: String, integration: NIRIntegration, folder: String) throws {
        let g = try Fixtures.graph(name)
        let net = try NIRNetwork(g, options: NIRRunOptions(dt: try XCTUnwrap(g.metadataDt), integration: integration))
        let x = try Fixtures.npy("\(name)/x.npy")
        let r = try net.run(inputs: ["input": Variable(x)], recordNodes: true)
        XCTAssertFalse(r.nodes.isEmpty)
        for (path, trace) in r.nodes {
            let ref = try Fixtures.npy("\(folder)/\(path).npy")
            let kind = NIRValidate.resolve(path, in: g)?.kind
            assertClose(trace.value, ref, exact: kind.map { Self.spiking.contains($0) } ?? false, "\(name) \(integration) \(path)")
        }
        for (key, trace) in r.states {
            assertClose(trace.value, try Fixtures.npy("\(folder)/\(key).npy"), exact: false, "\(name) \(integration) state \(key)")
        }
        assertClose(r.outputs["output"]!.value, try Fixtures.npy("\(folder)/output.npy"),
                    exact: false, "\(name) output")
    }

    func testPrimitivesEuler() throws {
        for name in Fixtures.primitives { try check(name, integration: .euler, folder: name) }
    }

    func testNeuronsExact() throws {
        for name in ["prim_li", "prim_lif", "prim_cubali", "prim_cubalif"] { try check(name, integration: .exact, folder: "\(name)/exact") }
    }

    func testGraphs() throws {
        for name in Fixtures.graphs { try check(name, integration: .euler, folder: name) }
    }

    func testRecurrentEdgeIsDelayed() throws {
        let net = try NIRNetwork(try Fixtures.graph("graph_recurrent"), options: NIRRunOptions(dt: 1e-3))
        XCTAssertEqual(net.order, ["input", "fc", "lif", "output", "w_rec"])
        XCTAssertEqual(net.incoming["lif"]?.map(\.delayed), [false, true])
    }

    /// Gradients of a small imported recurrent graph (smooth surrogate forward) against finite differences.
    func testGradientsFlowThroughImportedGraph() throws {
        let g = try Fixtures.graph("graph_recurrent")
        let sg = Surrogate(.sigmoid, alpha: 4)
        let net = try NIRNetwork(g, options: NIRRunOptions(dt: 1e-3, surrogate: sg, learnNeuronParameters: true))
        XCTAssertEqual(try NIRNetwork(g, options: NIRRunOptions(dt: 1e-3)).namedParameters.map(\.0).sorted(),
                       ["fc.bias", "fc.weight", "w_rec.bias", "w_rec.weight"])
        let x = Variable(try Fixtures.npy("graph_recurrent/x.npy"))
        let y = net(x)
        let loss = y.sum()
        loss.backward()
        let named = Dictionary(uniqueKeysWithValues: net.namedParameters)
        XCTAssertEqual(Set(named.keys), ["fc.weight", "fc.bias", "w_rec.weight", "w_rec.bias", "lif.tau", "lif.r", "lif.v_leak",
                                         "lif.v_threshold", "lif.v_reset"])
        for (name, p) in named {
            let g = try XCTUnwrap(p.grad, name)
            XCTAssertTrue(g.scalars.allSatisfy(\.isFinite), name)
        }
        XCTAssertGreaterThan(named["fc.weight"]!.grad!.scalars.map(abs).max()!, 0)
        XCTAssertGreaterThan(named["w_rec.weight"]!.grad!.scalars.map(abs).max()!, 0)
    }

    /// The backward pass equals finite differences when the Heaviside is replaced by nothing: an LI/CubaLI graph
    /// (no thresholds) is smooth, so its BPTT gradient must match central differences.
    func testGradientMatchesFiniteDifferencesOnSmoothGraph() throws {
        var g = try Fixtures.graph("prim_cubali")
        g.nodes["cubali"]!.fields["w_in"] = .array(NIRArray([1.0, 0.5, 2.0, 1.5], shape: [4], elementType: .float32))
        let x = Variable(try Fixtures.npy("prim_cubali/x.npy"))
        func loss(_ net: NIRNetwork) -> Variable { (net(x) * net(x)).sum() }
        let net = try NIRNetwork(g, options: NIRRunOptions(dt: 1e-3, learnNeuronParameters: true))
        loss(net).backward()
        for (name, p) in net.namedParameters {
            let analytic = p.grad!.scalars
            for i in 0..<p.value.count {
                let old = p.value.scalars[i]
                let h = max(abs(old) * 1e-2, 1e-4)
                p.value.scalars[i] = old + h; let up = Double(loss(net).value.scalar)
                p.value.scalars[i] = old - h; let down = Double(loss(net).value.scalar)
                p.value.scalars[i] = old
                let numeric = (up - down) / (2 * Double(h))
                XCTAssertEqual(Double(analytic[i]), numeric, accuracy: 2e-2 * max(abs(numeric), 1e-2), "\(name)[\(i)]")
            }
        }
    }

    /// Parameters changed in the executor are written back by `trainedGraph` (nested and dotted names too):
    /// the rebuilt network computes what the changed one does.
    func testTrainedGraphCarriesTheParameters() throws {
        for name in ["graph_nested", "peers/snntorch_rleaky", "graph_conv"] {
            let g = try Fixtures.graph(name)
            let net = try NIRNetwork(g, options: NIRRunOptions(dt: 1e-3, learnNeuronParameters: true))
            for (_, p) in net.namedParameters { p.value = p.value.map { $0 * 1.25 } }
            let x = Variable(try Fixtures.npy("\(name)/x.npy"))
            let changed = net(x).value
            let trained = net.trainedGraph()
            XCTAssertNotEqual(trained, g, name)
            let rebuilt = try NIRNetwork(try NIRFile.read(bytes: NIRFile.encode(trained)), options: NIRRunOptions(dt: 1e-3))
            XCTAssertEqual(rebuilt(x).value, changed, name)
        }
    }
}
