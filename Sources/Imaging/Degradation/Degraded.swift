import Foundation

/// An image on its way through a degradation recipe. `jpeg` holds the encoded bytes while the image
/// is exactly their decoding (the last step was a JPEG round trip), so a JPEG output can be written
/// as those bytes instead of being compressed twice.
public struct Degraded {
  public var image: Image
  public var jpeg: [UInt8]?

  public init(_ image: Image, jpeg: [UInt8]? = nil) { (self.image, self.jpeg) = (image, jpeg) }

  /// The finished low-quality image: 8-bit, rounded and clipped.
  public func finished() throws -> Image { try image.roundedToUChar() }
}

extension Degraded {
  /// JPEG round trip at a quality drawn from `quality` (logged as `jpeg_quality`).
  mutating func compressJPEG(quality: ClosedRange<Int>, draws: inout Draws, key: String = "jpeg_quality") throws {
    let q = draws.int(quality)
    draws.record(key, .int(q))
    try compressJPEG(q)
  }

  mutating func compressJPEG(_ quality: Int) throws {
    let bytes = try image.jpegEncoded(quality: quality)
    self = Degraded(try Image.load(bytes: bytes), jpeg: bytes)
  }

  /// Draws a random number (0-999) in a random size, position and colour over the image, in
  /// DejaVu Sans Bold. The size is drawn between 1/12 and 1/3 of the shorter side (at least 8 px)
  /// and the text lies inside the image when it fits. Logs `text`, `text_size`, `text_x`, `text_y`,
  /// `text_colour`.
  mutating func drawText(draws: inout Draws) throws {
    let (w, h) = (image.width, image.height)
    let short = min(w, h)
    let number = draws.int(0...999)
    let size = draws.int(max(8, short / 12)...max(8, short / 3))
    let mask = try Image.textMask(String(number), pixelSize: size)
    let x = draws.int(0...max(0, w - mask.width)), y = draws.int(0...max(0, h - mask.height))
    let rgb = [draws.int(0...255), draws.int(0...255), draws.int(0...255)]
    let colour: [Double]
    if image.bands >= 3 {
      colour = rgb.map { Double($0) } + [Double](repeating: 255, count: image.bands - 3)
    } else {
      let luma = 0.299 * Double(rgb[0]) + 0.587 * Double(rgb[1]) + 0.114 * Double(rgb[2])
      colour = [luma] + [Double](repeating: 255, count: image.bands - 1)
    }
    draws.record("text", .string(String(number)))
    draws.record("text_size", .int(size))
    draws.record("text_x", .int(x))
    draws.record("text_y", .int(y))
    draws.record("text_width", .int(min(mask.width, w - x)))
    draws.record("text_height", .int(min(mask.height, h - y)))
    draws.record("text_colour", .string("#" + rgb.map { String(format: "%02x", $0) }.joined()))
    self = Degraded(try image.painting(mask: mask, x: x, y: y, colour: colour))
  }

  /// Resizes to `width` x `height` with `horizontal`/`vertical` tables (the image becomes float
  /// unless `roundBetweenPasses` keeps its 8 bits, as Pillow does).
  mutating func resample(_ horizontal: ResampleTable, _ vertical: ResampleTable, roundBetweenPasses: Bool = false) throws {
    self = Degraded(try image.resampled(horizontal: horizontal, vertical: vertical, roundBetweenPasses: roundBetweenPasses))
  }
}
