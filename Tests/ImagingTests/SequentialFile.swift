import Foundation
import Imaging
import XCTest

extension XCTestCase {
  /// `image` saved as a PNG and opened again as a file read top to bottom once, as the tools open
  /// their inputs. The file is removed when the test ends.
  func sequentialFile(_ image: Image) throws -> Image {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("srg-sequential-\(UUID().uuidString).png").path
    try image.save(to: path)
    addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return try Image.load(path: path, sequential: true)
  }
}
