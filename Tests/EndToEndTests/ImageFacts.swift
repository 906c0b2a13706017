import Foundation
import Imaging

/// What a saved image is, read back through libvips.
struct ImageFacts: Equatable {
  var width: Int, height: Int, bands: Int, format: PixelFormat
  var icc: Bool

  init(_ url: URL) throws {
    let image = try Image.load(path: url.path, sequential: false)
    (width, height, bands, format) = (image.width, image.height, image.bands, image.format)
    icc = image.hasField("icc-profile-data")
  }
}
