import XCTest
import SpikeCore

/// The memory budget: sizes, overflow-checked products, refusals that state the estimate and the budget.
final class MemoryBudgetTests: XCTestCase {
    override func tearDown() { MemoryBudget.setOverride(nil) }

    func testParseSize() {
        XCTAssertEqual(MemoryBudget.parseSize("1024"), 1024)
        XCTAssertEqual(MemoryBudget.parseSize("512M"), 512 << 20)
        XCTAssertEqual(MemoryBudget.parseSize("8G"), 8 << 30)
        XCTAssertEqual(MemoryBudget.parseSize("8GiB"), 8 << 30)
        XCTAssertEqual(MemoryBudget.parseSize("1.5g"), 3 << 29)
        XCTAssertEqual(MemoryBudget.parseSize("2T"), 2 << 40)
        for bad in ["", "lots", "-1G", "1e3", "nanG", "G", "99999999999T"] { XCTAssertNil(MemoryBudget.parseSize(bad), bad) }
    }

    func testProductAndSumReportOverflow() {
        XCTAssertEqual(MemoryBudget.product([3, 4, 5]), 60)
        XCTAssertEqual(MemoryBudget.product([]), 1)
        XCTAssertNil(MemoryBudget.product([Int.max, 2]))
        XCTAssertNil(MemoryBudget.product([4611686018427387904, 4]))
        XCTAssertNil(MemoryBudget.product([-1, 4]))
        XCTAssertEqual(MemoryBudget.sum([1, 2, 3]), 6)
        XCTAssertNil(MemoryBudget.sum([Int.max, 1]))
        XCTAssertNil(MemoryBudget.sum([1, nil]))
    }

    func testCheckRefusesAboveTheBudgetWithTheEstimate() throws {
        MemoryBudget.setOverride(1 << 30)
        XCTAssertEqual(try MemoryBudget.bytes(), 1 << 30)
        XCTAssertNoThrow(try MemoryBudget.check(bytes: 1 << 30, what: "exactly the budget"))
        XCTAssertEqual(try MemoryBudget.checkProduct([1 << 20, 256], elementSize: 4, what: "x"), 1 << 30)
        XCTAssertThrowsError(try MemoryBudget.checkProduct([2_000_000_000, 3], elementSize: 4, what: "encoder output")) { e in
            XCTAssertEqual("\(e)", "encoder output needs an estimated 22.4 GiB (24000000000 bytes), above the memory budget of 1.0 GiB (1073741824 bytes) (set SPIKEKIT_MEMORY_BUDGET to change it)")
        }
        XCTAssertThrowsError(try MemoryBudget.checkProduct([Int.max, 2], elementSize: 4, what: "huge")) { e in
            XCTAssertTrue("\(e)".hasPrefix("huge needs more memory than can be counted (the size overflows)"), "\(e)")
        }
        MemoryBudget.setOverride(nil)
        XCTAssertGreaterThan(try MemoryBudget.bytes(), 0)
    }

    func testPhysicalMemoryIsTheDefault() throws {
        XCTAssertGreaterThan(MemoryBudget.physicalMemory, 64 << 20)
        if ProcessInfo.processInfo.environment[MemoryBudget.environmentVariable] == nil {
            XCTAssertEqual(try MemoryBudget.bytes(), MemoryBudget.physicalMemory)
        }
    }

    func testDescribe() {
        XCTAssertEqual(MemoryBudget.describe(100), "100 bytes")
        XCTAssertEqual(MemoryBudget.describe(75 << 30), "75.0 GiB (80530636800 bytes)")
    }
}
