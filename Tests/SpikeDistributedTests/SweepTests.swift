import XCTest
import SpikeDistributed

final class SweepTests: XCTestCase {
    func testGridOrderFoldersAndCSV() throws {
        let s = try Sweep(parsing: ["lr=0.1,0.2", "seed=1,2,3"])
        XCTAssertEqual(s.count, 6)
        XCTAssertEqual(s.point(0).map(\.value), ["0.1", "1"])
        XCTAssertEqual(s.point(1).map(\.value), ["0.1", "2"])
        XCTAssertEqual(s.point(5).map(\.value), ["0.2", "3"])
        XCTAssertEqual(s.folderName(4), "4_lr=0.2_seed=2")
        XCTAssertEqual(s.points(rank: 1, size: 4), [1, 5])
        let rows = try s.run(on: .single) { i, p in ["\(i)", p[0].value + "," + p[1].value] }!
        XCTAssertEqual(rows.count, 6)
        let csv = s.csv(columns: ["i", "both"], rows: rows)
        XCTAssertEqual(csv.split(separator: "\n").first, "point,lr,seed,i,both")
        XCTAssertEqual(csv.split(separator: "\n")[2], "1,0.1,2,1,\"0.1,2\"")
        let big = try Sweep(parsing: (1...12).map { "p\($0)=1,2,3" }.prefix(10).map { $0 })
        XCTAssertEqual(big.folderName(7), "00007_p1=1_p2=1_p3=1_p4=1_p5=1_p6=1_p7=1_p8=1_p9=3_p10=2")
    }

    func testBadItemsAreOneLineErrors() {
        for bad in [["lr"], ["=1"], ["lr=1,,2"], ["lr=1", "lr=2"], (1...20).map { "p\($0)=1,2" }] {
            XCTAssertThrowsError(try Sweep(parsing: bad)) { XCTAssertFalse("\($0)".contains("\n")) }
        }
    }
}
