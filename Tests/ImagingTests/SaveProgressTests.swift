import Foundation
import XCTest

@testable import Imaging

final class SaveProgressTests: XCTestCase {
  /// A save reports the share of pixels computed as it goes, rising to the whole image.
  func testSaveReportsTheFractionComputed() throws {
    let side = 1024
    let image = try Image.fromPixels((0..<side * side).map { UInt8(truncatingIfNeeded: $0 * 7 / 3) }, width: side, height: side, bands: 1, format: .uchar)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("srg-progress-\(getpid()).png").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    var seen: [Double] = []
    try image.save(to: path, progress: { seen.append($0) })
    XCTAssertFalse(seen.isEmpty)
    XCTAssertEqual(seen, seen.sorted(), "never goes back")
    XCTAssertEqual(seen.last, 1)
    XCTAssertTrue(seen.allSatisfy { $0 > 0 && $0 <= 1 })
    // The image is as saved without a watcher.
    XCTAssertTrue(try Image.load(path: path).pixels(as: UInt8.self) == image.pixels(as: UInt8.self), "pixels differ")

    // An image derived from one already computed once (which leaves libvips pointing its progress
    // signals upstream) still reports its own save.
    let loaded = try Image.load(path: path, sequential: false)
    _ = try loaded.pixels(as: UInt8.self)
    var derived: [Double] = []
    try loaded.linear(2, 1).cast(.uchar).save(to: path + ".2.png", progress: { derived.append($0) })
    defer { try? FileManager.default.removeItem(atPath: path + ".2.png") }
    XCTAssertEqual(derived.last, 1)
  }
}
