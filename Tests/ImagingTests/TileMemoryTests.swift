import Foundation
import XCTest

@testable import Imaging

final class TileMemoryTests: XCTestCase {
  /// Running tiles' working sets add up against the budget; a release makes room again.
  func testBudgetCountsTheRunningTiles() {
    let m = TileMemory(budget: 100)
    XCTAssertTrue(m.admit(60))
    XCTAssertFalse(m.admit(50))
    XCTAssertTrue(m.admit(40))
    m.release(60)
    XCTAssertTrue(m.admit(50))
  }

  /// The allocator has the last word: a size no machine can map is refused without a budget.
  func testRefusesWhatCannotBeAllocated() {
    let m = TileMemory()
    XCTAssertFalse(m.admit(1 << 62))
    XCTAssertTrue(m.admit(1 << 20))
  }

  /// A tile that cannot be halved waits for the others, then runs past the budget.
  func testLastTileWaitsForTheOthers() {
    let m = TileMemory(budget: 10)
    XCTAssertTrue(m.admit(8))
    let admitted = expectation(description: "admitted")
    let released = NSLock()
    var wasReleased = false
    Thread {
      XCTAssertTrue(m.admit(20, last: true))
      released.lock()
      XCTAssertTrue(wasReleased)
      released.unlock()
      admitted.fulfill()
    }.start()
    Thread.sleep(forTimeInterval: 0.2)
    released.lock()
    wasReleased = true
    released.unlock()
    m.release(8)
    wait(for: [admitted], timeout: 10)
  }
}

/// Tiles refused by memory are halved inside the libvips pipeline and give the same pixels.
final class TileHalvingTests: XCTestCase {
  let scale = 2

  /// A ramp with some texture, 80 x 70 unless asked; from a PNG file read top to bottom when asked.
  func source(width w: Int = 80, height h: Int = 70, sequentialFile: Bool = false) throws -> Image {
    let samples = (0..<(w * h)).map { i in UInt8(((i % w) * 3 + (i / w) * 2 + (i * 7919) % 13) % 256) }
    let image = try Image.fromPixels(samples, width: w, height: h, bands: 1, format: .uchar)
    return sequentialFile ? try self.sequentialFile(image) : image
  }

  /// A small "network": a 3 x 3 box filter (one pixel of context) repeated to twice the size.
  static func process(_: Void, _ x: [Float], _ h: Int, _ w: Int) -> [Float] {
    var out = [Float](repeating: 0, count: 4 * h * w)
    for y in 0..<(2 * h) {
      for x2 in 0..<(2 * w) {
        let (cy, cx) = (y / 2, x2 / 2)
        var sum: Float = 0, n: Float = 0
        for dy in -1...1 {
          for dx in -1...1 where (0..<h).contains(cy + dy) && (0..<w).contains(cx + dx) {
            sum += x[(cy + dy) * w + cx + dx]
            n += 1
          }
        }
        out[y * 2 * w + x2] = sum / n
      }
    }
    return out
  }

  func upscale(_ source: Image? = nil, tile: Int, memory: TileMemory, bytesPerPixel: Int, log: TileLog) throws -> [Float] {
    let g = TileGeometry(scale: scale, context: 1, halo: 1, tile: tile)
    return try (source ?? self.source()).upscaled(
      geometry: g, outputBands: 1, makeWorkspace: {}, process: TileHalvingTests.process, memory: memory,
      workingBytes: { $0 * $1 * bytesPerPixel }, log: log
    ).upscaleCached(side: tile * scale).pixels(as: Float.self)
  }

  func testHalvedTilesGiveTheSamePixels() throws {
    let whole = TileLog(), halved = TileLog()
    let reference = try upscale(tile: 64, memory: TileMemory(), bytesPerPixel: 1000, log: whole)
    XCTAssertNil(whole.smallestSide)
    // A 64-pixel tile with context needs 66 x 66 x 1000 bytes, over the budget; 32-pixel ones fit.
    let result = try upscale(tile: 64, memory: TileMemory(budget: 3_000_000), bytesPerPixel: 1000, log: halved)
    XCTAssertEqual(halved.smallestSide, 32)
    XCTAssertEqual(result, reference)
  }

  /// A tile as large as a tall image, halved, reads the file once from the top: its quarters, run one
  /// after another, would each go back up a file read top to bottom ("out of order read").
  func testHalvedTileOfASequentialFile() throws {
    let reference = try upscale(source(width: 40, height: 600), tile: 1024, memory: TileMemory(), bytesPerPixel: 1000, log: TileLog())
    let halved = TileLog()
    let result = try upscale(
      source(width: 40, height: 600, sequentialFile: true), tile: 1024, memory: TileMemory(budget: 3_000_000), bytesPerPixel: 1000,
      log: halved)
    XCTAssertNotNil(halved.smallestSide)
    XCTAssertEqual(result, reference)
  }

  func testFailsWhenEvenTheSmallestTileCannotBeAllocated() throws {
    XCTAssertThrowsError(try upscale(tile: 64, memory: TileMemory(), bytesPerPixel: 1 << 40, log: TileLog())) { error in
      XCTAssertTrue("\(error)".contains("not enough memory for a "), "\(error)")
    }
  }
}
