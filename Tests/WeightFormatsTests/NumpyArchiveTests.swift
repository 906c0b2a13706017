import Foundation
import XCTest

@testable import WeightFormats

final class NumpyArchiveTests: XCTestCase {
  func fixture(_ name: String) -> String {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(name).path
  }

  /// Files written by numpy 1.24's np.savez and np.savez_compressed (make-fid-fixtures.py).
  func testReadsNumpyFiles() throws {
    for name in ["stats-savez.npz", "stats-savez-compressed.npz"] {
      let a = try NumpyArchive.read(path: fixture(name))
      XCTAssertEqual(a["mu"], NumpyArray(shape: [3], values: [0.5, -1.25, 3.0]), name)
      XCTAssertEqual(a["sigma"], NumpyArray(shape: [3, 3], values: [2.0, 0.3, -0.1, 0.3, 1.5, 0.2, -0.1, 0.2, 0.75]), name)
      XCTAssertEqual(a["f"], NumpyArray(shape: [2, 3], values: [0, 1, 2, 3, 4, 5]), "\(name): Fortran order")
    }
  }

  func testRoundTrip() throws {
    let mu = NumpyArray(shape: [4], values: [1, -2, 3.5, .pi])
    let sigma = NumpyArray(shape: [4, 4], values: (0..<16).map { Double($0) / 7 })
    let bytes = NumpyArchive.encode([("mu", mu), ("sigma", sigma)])
    let back = try NumpyArchive.read(data: Data(bytes))
    XCTAssertEqual(back["mu"], mu)
    XCTAssertEqual(back["sigma"], sigma)
    // numpy's header layout: 64-byte aligned, ends in a newline.
    let npy = NumpyArchive.npy(mu)
    let headerEnd = 10 + Int(npy[8]) | Int(npy[9]) << 8
    XCTAssertEqual(headerEnd % 64, 0)
    XCTAssertEqual(npy[headerEnd - 1], 0x0a)
  }

  func testRejectsCorruptArchives() throws {
    var bytes = NumpyArchive.encode([("mu", NumpyArray(shape: [2], values: [1, 2]))])
    bytes[80] ^= 0xff
    XCTAssertThrowsError(try NumpyArchive.read(data: Data(bytes)))
    XCTAssertThrowsError(try NumpyArchive.read(data: Data([1, 2, 3])))
  }
}
