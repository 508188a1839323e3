import XCTest
import Foundation
@testable import SpikeNeurons

/// Each surrogate's derivative against its closed form (SpikingJelly / snnTorch definitions) and against
/// the numerical derivative of its primitive.
final class SurrogateTests: XCTestCase {
    let xs: [Float] = [-2, -0.7, -0.3, -0.05, 0, 0.05, 0.3, 0.7, 2]

    func testClosedForms() {
        for x in xs {
            let s = 1 / (1 + exp(-4 * x))
            XCTAssertEqual(Surrogate(.sigmoid).derivative(x), 4 * s * (1 - s), accuracy: 1e-6)
            XCTAssertEqual(Surrogate(.atan).derivative(x), 2 / 2 / (1 + pow(Float.pi / 2 * 2 * x, 2)), accuracy: 1e-6)
            XCTAssertEqual(Surrogate(.fastSigmoid).derivative(x), 1 / pow(25 * abs(x) + 1, 2), accuracy: 1e-6)
            XCTAssertEqual(Surrogate(.triangle).derivative(x), 0.3 * max(0, 1 - abs(x)), accuracy: 1e-6)
            XCTAssertEqual(Surrogate(.erf).derivative(x), 2 / Float.pi.squareRoot() * exp(-4 * x * x), accuracy: 1e-6)
            XCTAssertEqual(Surrogate(.piecewiseQuadratic).derivative(x), abs(x) > 1 ? 0 : 1 - abs(x), accuracy: 1e-6)
            XCTAssertEqual(Surrogate(.rectangle).derivative(x), abs(x) < 0.5 ? 1 : 0, accuracy: 1e-6)
            XCTAssertEqual(Surrogate(.straightThrough).derivative(x), 1)
        }
        XCTAssertEqual(Surrogate(.sigmoid).alpha, 4)
        XCTAssertEqual(Surrogate(.atan).alpha, 2)
        XCTAssertEqual(Surrogate(.fastSigmoid).alpha, 25)
        XCTAssertEqual(Surrogate(.erf, alpha: 3).derivative(0), 3 / Float.pi.squareRoot(), accuracy: 1e-6)
    }

    func testHeavisideForwardFiresAtZero() {
        for kind in Surrogate.Kind.allCases {
            let s = Surrogate(kind)
            XCTAssertEqual(s.spike(0), 1, "\(kind)")
            XCTAssertEqual(s.spike(-1e-7), 0, "\(kind)")
            XCTAssertEqual(s.spike(3), 1, "\(kind)")
        }
    }

    func testDerivativeIsTheDerivativeOfThePrimitive() {
        for kind in Surrogate.Kind.allCases {
            let s = Surrogate(kind)
            for x in xs where ![Float(-0.5), 0.5, -1, 1].contains(x) {
                let h: Float = 1e-4
                let numeric = (s.primitive(x + h) - s.primitive(x - h)) / (2 * h)
                XCTAssertEqual(s.derivative(x), numeric, accuracy: 2e-2 * max(1, abs(numeric)), "\(kind) at \(x)")
            }
        }
    }

    func testRegistryParsesNamesAndRejectsBadOnes() throws {
        XCTAssertEqual(try NeuronRegistry.surrogate("atan"), Surrogate(.atan, alpha: 2))
        XCTAssertEqual(try NeuronRegistry.surrogate("fast-sigmoid", alpha: 10).alpha, 10)
        XCTAssertThrowsError(try NeuronRegistry.surrogate("banana")) { XCTAssertTrue("\($0)".contains("banana")) }
        XCTAssertThrowsError(try NeuronRegistry.surrogate("atan", alpha: 0))
    }
}
