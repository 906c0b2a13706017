/// One channel of an image as float64 samples, row-major.
public struct Plane: Sendable, Equatable {
  public let width: Int
  public let height: Int
  public var samples: [Double]

  public init(width: Int, height: Int, samples: [Double]) {
    precondition(samples.count == width * height, "plane size mismatch")
    (self.width, self.height, self.samples) = (width, height, samples)
  }

  public subscript(x: Int, y: Int) -> Double { samples[y * width + x] }

  /// The plane without `border` pixels on every side (the SR papers' "shave").
  public func cropped(border: Int) -> Plane {
    guard border > 0 else { return self }
    let w = width - 2 * border, h = height - 2 * border
    precondition(w > 0 && h > 0, "crop larger than the image")
    var out = [Double]()
    out.reserveCapacity(w * h)
    for y in border..<(border + h) { out += samples[(y * width + border)..<(y * width + border + w)] }
    return Plane(width: w, height: h, samples: out)
  }

  /// Band `band` of interleaved 8-bit samples.
  public static func channel(_ pixels: [UInt8], width: Int, height: Int, bands: Int, band: Int) -> Plane {
    Plane(width: width, height: height, samples: stride(from: band, to: pixels.count, by: bands).map { Double(pixels[$0]) })
  }

  /// The luma of MATLAB's `rgb2ycbcr` for 8-bit RGB, rounded as MATLAB stores it in uint8:
  /// Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255.
  public static func matlabLuma(_ pixels: [UInt8], width: Int, height: Int, bands: Int) -> Plane {
    precondition(bands >= 3, "luma needs RGB")
    var out = [Double](repeating: 0, count: width * height)
    for i in 0..<(width * height) {
      let r = Double(pixels[i * bands]), g = Double(pixels[i * bands + 1]), b = Double(pixels[i * bands + 2])
      out[i] = (16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255).rounded()
    }
    return Plane(width: width, height: height, samples: out)
  }
}
