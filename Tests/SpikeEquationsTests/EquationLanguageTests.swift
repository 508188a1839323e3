import XCTest
import SpikeCore
import SpikeNeurons
@testable import SpikeEquations

final class EquationLanguageTests: XCTestCase {
    func testUnitsAndPrefixes() throws {
        XCTAssertEqual(Units.lookup("mV"), Quantity(1e-3, .volt))
        XCTAssertEqual(Units.lookup("ms")?.dimension, .second)
        XCTAssertEqual(try XCTUnwrap(Units.lookup("ms")).value, 1e-3, accuracy: 1e-18)
        XCTAssertEqual(try XCTUnwrap(Units.lookup("nS")).value, 1e-9, accuracy: 1e-24)
        XCTAssertEqual(Units.lookup("uS")?.dimension, Units.lookup("siemens")?.dimension)
        XCTAssertEqual(try XCTUnwrap(Units.lookup("pF")).value, 1e-12, accuracy: 1e-27)
        XCTAssertEqual(try XCTUnwrap(Units.lookup("cm2")).value, 1e-4, accuracy: 1e-19)
        XCTAssertEqual(Units.lookup("cm2")?.dimension, Dimension.metre.power(2))
        XCTAssertEqual(try XCTUnwrap(Units.lookup("mM")).value, 1.0, accuracy: 1e-12)   // 1 mmol/l = 1 mol/m^3
        XCTAssertEqual(Units.lookup("Mohm")?.value, 1e6)
        XCTAssertEqual(try XCTUnwrap(Units.lookup("msiemens")).value, 1e-3, accuracy: 1e-18)
        // ohm * amp = volt, siemens * volt = amp, farad * volt / second = amp
        XCTAssertEqual(Units.lookup("ohm")!.dimension * .amp, .volt)
        XCTAssertEqual(Units.lookup("farad")!.dimension * .volt / .second, .amp)
        XCTAssertNil(Units.lookup("tau"))
    }

    func testParsesEquationsAndFlags() throws {
        let lines = try parseEquations("""
        dv/dt = (El - v + R*I)/tau : volt (unless refractory)   # membrane
        I = g*(E - v) : amp
        g : siemens (constant)

        """)
        XCTAssertEqual(lines.map(\.name), ["v", "I", "g"])
        XCTAssertEqual(lines[0].kind, .differential)
        XCTAssertEqual(lines[0].flags, ["unless refractory"])
        XCTAssertEqual(lines[1].kind, .subexpression)
        XCTAssertEqual(lines[2].kind, .parameter)
        XCTAssertEqual(lines[2].dimension, Units.lookup("siemens")!.dimension)
        // Precedence: -x**2 is -(x**2); and binds tighter than or.
        let e = try parseExpression("-x**2", place: "t")
        guard case .unary("-", .binary("**", _, _, _), _) = e else { return XCTFail("\(e)") }
        let b = try parseExpression("a > 1 or b > 1 and not c < 2", place: "t")
        guard case .binary("or", _, .binary("and", _, .unary("not", _, _), _), _) = b else { return XCTFail("\(b)") }
    }

    func assertError(_ d: EquationModelDescription, contains parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try compileEquations(d), file: file, line: line) { error in
            let m = "\(error)"
            XCTAssertFalse(m.contains("\n"), "one line: \(m)", file: file, line: line)
            for p in parts { XCTAssertTrue(m.contains(p), "'\(p)' not in: \(m)", file: file, line: line) }
        }
    }

    func testErrorsNameThePlace() {
        assertError(EquationModelDescription(equations: "dv/dt = (El - v)/tauu : volt", parameters: ["El": "-60*mV", "tau": "10*ms"]),
                    contains: ["equation 'dv/dt = (El - v)/tauu : volt'", "column", "undefined name 'tauu'"])
        assertError(EquationModelDescription(equations: "dv/dt = (El - v)/tau : volt", parameters: ["El": "-60*mA", "tau": "10*ms"]),
                    contains: ["inconsistent units", "volt", "amp"])
        assertError(EquationModelDescription(equations: "dv/dt = -v/tau : volt", parameters: ["tau": "10*mV"]),
                    contains: ["inconsistent unit", "right-hand side"])
        assertError(EquationModelDescription(equations: "dv/dt = -v/tau : volt\ndv/dt = -v/tau : volt", parameters: ["tau": "10*ms"]),
                    contains: ["line 2", "'v' set twice"])
        assertError(EquationModelDescription(equations: "dv/dt = -v/tau : volt", threshold: "v > 1*amp", parameters: ["tau": "10*ms"]),
                    contains: ["threshold", "comparison"])
        assertError(EquationModelDescription(equations: "dv/dt = -v/tau : volt", threshold: "v > 1*mV", reset: "v = 0*mV; w += 1",
                                             parameters: ["tau": "10*ms"]),
                    contains: ["reset statement 2", "undefined name 'w'"])
        assertError(EquationModelDescription(equations: "dv/dt = -v/tau + xi/sqrt(tau)*mV : volt", parameters: ["tau": "10*ms"]),
                    contains: ["'xi'", "not supported"])
        assertError(EquationModelDescription(equations: "dv/dt = v**2/tau : 1", method: "exact", parameters: ["tau": "10*ms"]),
                    contains: ["exact", "not linear"])
        assertError(EquationModelDescription(equations: "dv/dt = -v/tau : 1 (event-driven)", parameters: ["tau": "10*ms"]),
                    contains: ["flag 'event-driven' is not supported"])
        assertError(EquationModelDescription(equations: "dv/dt = -v/tau : 1", parameters: ["tau": "10*ms", "unused": "1"]),
                    contains: ["parameters", "'unused'", "not used"])
    }

    /// Found by FuzzEquations: an equation holding a vertical tab was quoted raw (a two-line message), `amp2222...`
    /// squared the unit once per digit until the exponents overflowed, and `volt**1e300` trapped converting the
    /// exponent. Each is now a one-line error.
    func testFuzzFindingsAreOneLineErrors() {
        for d in [EquationModelDescription(equations: "dv/dt = -v/tau : volt\u{0B}I : volt\u{2028}x", parameters: ["tau": "10*ms"]),
                  EquationModelDescription(equations: "dv/dt = -v/tau : amp" + String(repeating: "2", count: 80), parameters: ["tau": "10*ms"]),
                  EquationModelDescription(equations: "dv/dt = -v/tau : volt**1e300", parameters: ["tau": "10*ms"]),
                  EquationModelDescription(equations: "dv/dt = -v/tau : ((volt**1000)**1000)", parameters: ["tau": "10*ms"]),
                  EquationModelDescription(equations: "dv/dt = -(v**1e300)/tau : volt", parameters: ["tau": "10*ms"]),
                  EquationModelDescription(equations: "dv/dt = -v/tau : volt\ndw/dt = " + String(repeating: "x", count: 20_000) + "/tau : 1",
                                           parameters: ["tau": "10*ms"])] {
            XCTAssertThrowsError(try compileEquations(d), d.equations.prefix(60).debugDescription) { error in
                let m = "\(error)"
                XCTAssertFalse(m.contains(where: \.isNewline), "one line: \(m.debugDescription)")
                XCTAssertLessThanOrEqual(m.count, 1100, m)
            }
        }
        XCTAssertNil(Units.lookup("amp22"))
        XCTAssertEqual(Units.lookup("cm2")?.dimension, Dimension([2, 0, 0, 0, 0, 0, 0]))
        XCTAssertNil(Dimension.volt.power(exactly: 1001))
        XCTAssertNil(Dimension.volt.power(exactly: 0.5))
        XCTAssertEqual(Dimension.volt.power(exactly: -2), Dimension.volt.power(-2))
    }

    func testNestingLimitAndLinearTime() throws {
        let deep = String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
        XCTAssertThrowsError(try parseExpression(deep, place: "threshold")) { e in
            XCTAssertTrue("\(e)".contains("nested deeper than"), "\(e)")
        }
        // A long flat sum parses (linear time, no recursion per term).
        let long = (0..<20_000).map { _ in "x" }.joined(separator: " + ")
        XCTAssertNoThrow(try parseExpression(long, place: "long"))
        // Unary chains are depth-limited too.
        XCTAssertThrowsError(try parseExpression(String(repeating: "-", count: 5000) + "1", place: "u"))
    }

    func testMethodsOnALinearEquation() throws {
        // dv/dt = -v/tau from v0 = 1: each method's one-step factor.
        let h = 0.1e-3, tau = 10e-3, a = -h / tau
        let expected: [(String, Double)] = [
            ("euler", 1 + a), ("heun", 1 + a), ("rk2", 1 + a + a * a / 2),
            ("rk4", 1 + a + a * a / 2 + a * a * a / 6 + a * a * a * a / 24),
            ("exponential_euler", Foundation.exp(a)), ("exact", Foundation.exp(a)),
        ]
        for (method, factor) in expected {
            let m = try EquationModel(equations: "dv/dt = -v/tau : 1", method: method, parameters: ["tau": "10*ms"], initial: ["v": "1"])
            let (_, next) = m.step(0, m.initialState)
            XCTAssertEqual(Double(next[0]), factor, accuracy: 2e-7, method)
        }
        // Automatic choice: exact for linear equations, euler otherwise (Brian2's ('exact', 'euler', 'heun')).
        XCTAssertEqual(try EquationModel(equations: "dv/dt = -v/tau : 1", parameters: ["tau": "10*ms"]).compiled.method, .exact)
        XCTAssertEqual(try EquationModel(equations: "dv/dt = -v**3/tau : 1", parameters: ["tau": "10*ms"]).compiled.method, .euler)
    }

    func testExactSolvesACoupledSystem() throws {
        // dv/dt = (ge - v)/taum, dge/dt = -ge/taue: the closed form after one step of h.
        let m = try EquationModel(equations: "dv/dt = (ge - v)/taum : volt\ndge/dt = -ge/taue : volt", method: "exact",
                                  parameters: ["taum": "20*ms", "taue": "5*ms"], initial: ["v": "0*mV", "ge": "10*mV"], dt: "1*ms")
        let (_, next) = m.step(0, m.initialState)
        let h = 1e-3, tm = 20e-3, te = 5e-3, g0 = 10e-3
        let v = g0 * te / (te - tm) * (Foundation.exp(-h / te) - Foundation.exp(-h / tm))
        XCTAssertEqual(Double(next[0]), v, accuracy: 1e-9)
        XCTAssertEqual(Double(next[1]), g0 * Foundation.exp(-h / te), accuracy: 1e-9)
    }

    func testExponentialEulerIsBrian2Formula() throws {
        // dm/dt = alpha (1 - m) - beta m: A = -(alpha + beta), B = alpha; m' = (m + B/A) e^{A dt} - B/A.
        let m = try EquationModel(equations: "dm/dt = alpha*(1 - m) - beta*m : 1", method: "exponential_euler",
                                  parameters: ["alpha": "2/ms", "beta": "0.5/ms"], initial: ["m": "0.2"], dt: "0.1*ms")
        let (_, next) = m.step(0, m.initialState)
        let A = -2500.0, B = 2000.0, dt = 1e-4
        XCTAssertEqual(Double(next[0]), (0.2 + B / A) * Foundation.exp(A * dt) - B / A, accuracy: 1e-6)
        XCTAssertLessThan(m.compiled.compileSeconds, 0.05)
    }

    func testNativeLanesEqualScalarSteps() throws {
        // The CUBA equations use only operations of SpikeCKernels' AVX2 loop (sk_eq_run): its lanes equal `step`.
        let m = try EquationExamples.cuba()
        XCTAssertNotNil(m.compiled.program.lane.native)
        var rng = SeededRandom(seed: 6)
        let blocks = 3
        var states = [SIMD8<Float>](repeating: .zero, count: blocks * 8)
        var scalar = [FloatVector<8>](repeating: m.initialState, count: blocks * 8)
        for j in 0..<blocks { for l in 0..<8 { let v = -60 + 10 * rng.nextUniform(); scalar[j * 8 + l][0] = v; states[j * 8][l] = v } }
        var fired = 0
        for _ in 0..<400 {
            var xs = [SIMD8<Float>](repeating: .zero, count: blocks)
            for j in 0..<blocks { for l in 0..<8 { xs[j][l] = rng.nextUniform() < 0.05 ? 1.5 : 0 } }
            for j in 0..<blocks { for l in 0..<8 { scalar[j * 8 + l][1] += xs[j][l]; states[j * 8 + 1][l] += xs[j][l] } }   // ge += we
            var ys = [SIMD8<Float>](repeating: .zero, count: blocks)
            m.stepBlocks(blocks, x: [SIMD8<Float>](repeating: .zero, count: blocks), states: &states, stride: 8, spikes: &ys)
            for j in 0..<blocks {
                for l in 0..<8 {
                    let (y, n) = m.step(0, scalar[j * 8 + l])
                    scalar[j * 8 + l] = n
                    XCTAssertEqual(y, ys[j][l])
                    fired += Int(y)
                    for k in 0..<4 { XCTAssertEqual(n[k].bitPattern, states[j * 8 + k][l].bitPattern, "state \(k)") }
                }
            }
        }
        XCTAssertGreaterThan(fired, 5)
    }

    func testLanesEqualScalarSteps() throws {
        let m = try EquationModel(equations: """
            dv/dt = (0.04/mV*v**2 + 5*v + 140*mV - u + I*mV)/ms : volt
            du/dt = a*(b*v - u) : volt
            I : 1
            """, threshold: "v >= 30*mV", reset: "v = c; u += d", method: "euler", 
parameters: ["a": "0.02/ms", "b": "0.2", "c": "-65*mV", "d": "8*mV"], input: "I", initial: ["v": "-65*mV", "u": "-13*mV"], dt: "0.5*ms")
        var rng = SeededRandom(seed: 4)
        let blocks = 5
        var states = [SIMD8<Float>](repeating: .zero, count: blocks * 8)
        var scalar = [FloatVector<8>](repeating: m.initialState, count: blocks * 8)
        for j in 0..<blocks { for k in 0..<8 { states[j * 8 + k] = SIMD8(repeating: m.initialState[k]) } }
        var fired = 0
        for _ in 0..<200 {
            var xs = [SIMD8<Float>](repeating: .zero, count: blocks)
            for j in 0..<blocks { for l in 0..<8 { xs[j][l] = rng.nextUniform() * 20 } }
            var ys = [SIMD8<Float>](repeating: .zero, count: blocks)
            m.stepBlocks(blocks, x: xs, states: &states, stride: 8, spikes: &ys)
            for j in 0..<blocks {
                for l in 0..<8 {
                    let (y, n) = m.step(xs[j][l], scalar[j * 8 + l])
                    scalar[j * 8 + l] = n
                    XCTAssertEqual(y, ys[j][l])
                    fired += Int(y)
                    for k in 0..<2 { XCTAssertEqual(n[k].bitPattern, states[j * 8 + k][l].bitPattern) }
                }
            }
        }
        XCTAssertGreaterThan(fired, 10)
    }
}
