import XCTest
import SpikeCore
import SpikeNeurons
import SpikeNN

/// The fused Linear + LIF/IF inference (`Sequential` without recording, `FusedIntegrateAndFire.linearForward`)
/// against the two layers run one after the other: the same bits for every neuron variant, bias, panel
/// remainder, input layout, instruction set and thread count; the cases it does not cover fall back.
final class FusedInferenceTests: XCTestCase {
    /// Linear(k -> n) and the layer, with input spikes [T, B, k] of `rate` (values scaled by `graded` when set).
    private func setup(k: Int, n: Int, shape: [Int], rate: Float = 0.15, bias: Bool, graded: Bool = false,
                       seed: UInt64 = 3) -> (Linear, Variable) {
        var rng = SeededRandom(seed: seed)
        let linear = Linear(k, n, bias: bias, rng: &rng)
        linear.weight.value = linear.weight.value * 3
        var x = Tensor.bernoulli(shape + [k], p: rate, rng: &rng)
        if graded { x = x * Tensor.uniform(x.shape, low: 0.2, high: 1.5, rng: &rng) }
        return (linear, Variable(x))
    }

    private func unfused<M: NeuronModel>(_ linear: Linear, _ layer: SpikingLayer<M>, _ x: Variable) -> Tensor {
        Tape.withoutGradients { layer(linear(x)).value }
    }

    private func assertSameBits(_ a: Tensor, _ b: Tensor, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, message, file: file, line: line)
        XCTAssertEqual(a.scalars.map(\.bitPattern), b.scalars.map(\.bitPattern), message, file: file, line: line)
    }

    private static let lifs: [(String, LIF)] = [
        ("lif decay_input hard", LIF(tau: 2, decayInput: true, threshold: 1, reset: .hard(0), surrogate: .atan)),
        ("lif no decay_input hard -0.5", LIF(tau: 10, decayInput: false, threshold: 0.8, reset: .hard(-0.5), surrogate: .sigmoid)),
        ("lif soft", LIF(tau: 2, decayInput: true, threshold: 0.6, reset: .soft, surrogate: .atan)),
        ("lif no decay_input soft", LIF(tau: 5, decayInput: false, threshold: 1.2, reset: .soft, surrogate: .atan)),
    ]

    func testSequentialFusedEqualsUnfusedForEveryLIFVariantAndPanelRemainder() {
        for (k, n) in [(37, 70), (64, 32), (50, 128), (9, 5)] {
            for bias in [false, true] {
                for (name, model) in Self.lifs {
                    let (linear, x) = setup(k: k, n: n, shape: [7, 5], bias: bias)
                    let layer = SpikingLayer(model)
                    let fused = Tape.withoutGradients { layer.inference(after: linear, x) }
                    XCTAssertNotNil(fused, "\(name) should be covered")
                    let seq = Tape.withoutGradients { Sequential(layers: [linear, layer])(x).value }
                    let reference = unfused(linear, layer, x)
                    XCTAssertGreaterThan(reference.sum(), 0, "\(name): the test needs spikes")
                    assertSameBits(seq, reference, "\(name) k \(k) n \(n) bias \(bias)")
                    if let fused { assertSameBits(fused.value, reference, "\(name) direct") }
                }
                for reset in [ResetMode.hard(0), .soft] {
                    let (linear, x) = setup(k: k, n: n, shape: [6, 2], bias: bias)
                    let layer = SpikingLayer(IF(threshold: 1, reset: reset, surrogate: .atan))
                    let seq = Tape.withoutGradients { Sequential(layers: [linear, layer])(x).value }
                    assertSameBits(seq, unfused(linear, layer, x), "IF \(reset) k \(k) n \(n) bias \(bias)")
                }
            }
        }
    }

    func testEveryInstructionSetAndThreadCountGivesTheSameBits() {
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        let model = LIF(tau: 4, decayInput: false, threshold: 1, reset: .hard(0), surrogate: .atan)
        for graded in [false, true] {
            let (linear, x) = setup(k: 45, n: 100, shape: [9, 5], bias: true, graded: graded)
            let layer = SpikingLayer(model)
            let reference = unfused(linear, layer, x)
            let rows = CompressedRows(x.value.reshaped([45, 45]))
            // Portable: multiply then add, equal to the fused multiply-add only for 0/1 inputs.
            for isa: Int32 in graded ? [0, 2, 3] : [0, 1, 2, 3] {
                for threads in [1, 2, 3] {
                    Parallel.threadCount = threads
                    let out = FusedIntegrateAndFire.linearForward(model, rows: rows, panels: linear.weightPanels(),
                                                                  bias: linear.bias!.value.scalars, steps: 9, batch: 5, isa: isa)
                    XCTAssertNotNil(out)
                    assertSameBits(Tensor(shape: reference.shape, scalars: out ?? []), reference,
                                   "graded \(graded) isa \(isa) threads \(threads)")
                }
            }
        }
    }

    func testInputLayouts() {
        let layer = SpikingLayer(LIF(tau: 2, decayInput: true, threshold: 1, reset: .hard(0), surrogate: .atan))
        for shape in [[8], [5, 2, 3], [4, 1]] {
            let (linear, x) = setup(k: 20, n: 33, shape: shape, rate: 0.1, bias: true)
            let out = Tape.withoutGradients { layer.inference(after: linear, x) }
            XCTAssertNotNil(out, "\(shape)")
            XCTAssertEqual(out?.shape, shape + [33])
            if let out { assertSameBits(out.value, unfused(linear, layer, x), "\(shape)") }
        }
    }

    func testUncoveredCasesFallBackToTheUnfusedLayers() throws {
        let (linear, x) = setup(k: 30, n: 40, shape: [6, 2], bias: false)
        // Dense input (density above the crossover): the unfused layer's dense product.
        let dense = Variable(x.value + 0.25)
        let lif = SpikingLayer(LIF(tau: 2, surrogate: .atan))
        XCTAssertNotNil(Tape.withoutGradients { lif.inference(after: linear, x) }, "the sparse input is covered")
        XCTAssertNil(Tape.withoutGradients { lif.inference(after: linear, dense) })
        assertSameBits(Tape.withoutGradients { Sequential(layers: [linear, lif])(dense).value }, unfused(linear, lif, dense), "dense")
        // Recording states, per-neuron parameters, a model without the fused kernel.
        lif.recordStates = true
        XCTAssertNil(Tape.withoutGradients { lif.inference(after: linear, x) })
        let table = SpikingLayer(LIF(tau: 2, surrogate: .atan))
        try table.addMismatch("tau", fraction: 0.1, seed: 1, neurons: 40)
        XCTAssertNil(Tape.withoutGradients { table.inference(after: linear, x) })
        assertSameBits(Tape.withoutGradients { Sequential(layers: [linear, table])(x).value }, unfused(linear, table, x), "table")
        let li = SpikingLayer(PLIF())
        XCTAssertNil(Tape.withoutGradients { li.inference(after: linear, x) })
        // And not while recording.
        XCTAssertNil(SpikingLayer(LIF(tau: 2, surrogate: .atan)).inference(after: linear, x))
        // While recording, Sequential runs the layers one by one (and the tape is built).
        let param = Linear(30, 40, bias: false, rng: &Self.rng)
        let y = Sequential(layers: [param, SpikingLayer(LIF(tau: 2, surrogate: .atan))])(x)
        XCTAssertTrue(y.requiresGrad)
    }

    nonisolated(unsafe) private static var rng = SeededRandom(seed: 9)

    func testCachedPanelsFollowTheWeight() {
        let (linear, x) = setup(k: 25, n: 36, shape: [5, 2], bias: true)
        let layer = SpikingLayer(LIF(tau: 2, surrogate: .atan))
        let net = Sequential(layers: [linear, layer])
        let before = Tape.withoutGradients { net(x).value }
        let panels = linear.weightPanels()
        XCTAssertTrue(panels === linear.weightPanels(), "the panels are kept while the weight is unchanged")
        // Assignment and in-place change both advance the version and make new panels.
        linear.weight.value = linear.weight.value * -1
        XCTAssertFalse(panels === linear.weightPanels())
        let after = Tape.withoutGradients { net(x).value }
        assertSameBits(after, unfused(linear, layer, x), "after assignment")
        XCTAssertNotEqual(after.scalars, before.scalars)
        let v0 = linear.weight.version
        linear.weight.value.scalars.withUnsafeMutableBufferPointer { $0[0] += 5; $0[40] -= 5 }
        XCTAssertGreaterThan(linear.weight.version, v0)
        assertSameBits(Tape.withoutGradients { net(x).value }, unfused(linear, layer, x), "after in-place change")
        // An optimiser step changes the weight in place.
        let y = net(x)
        (y * Variable(Tensor.uniform(y.shape, low: -1, high: 1, rng: &Self.rng))).sum().backward()
        Adam(linear.parameters, learningRate: 0.1).step()
        assertSameBits(Tape.withoutGradients { net(x).value }, unfused(linear, layer, x), "after an Adam step")
    }
}
