/// One stage of a degradation chain built from the command line, applied in the order given.
public enum DegradationStep: Sendable, Equatable {
  /// Shrink by `factor` with MATLAB's antialiased bicubic (ceil(n/factor) pixels per side).
  case downscale(factor: Double)
  /// Gaussian blur, sigma (pixels) drawn uniformly from the range.
  case blur(sigma: ClosedRange<Double>)
  /// Gaussian colour noise, sigma (8-bit levels) drawn uniformly from the range.
  case noise(sigma: ClosedRange<Double>)
  /// JPEG round trip, quality drawn uniformly from the range.
  case jpeg(quality: ClosedRange<Int>)
  /// A random number in a random size, position and colour.
  case text

  /// The scale factor of a chain: the product of its downscale factors.
  public static func scale(of steps: [DegradationStep]) -> Double {
    steps.reduce(1) { s, step in if case .downscale(let f) = step { return s * f } else { return s } }
  }

  /// Applies `steps` in order to 8-bit `image`, logging what each drew.
  public static func apply(_ steps: [DegradationStep], to image: Image, draws: inout Draws) throws -> Degraded {
    var d = Degraded(image)
    for step in steps {
      switch step {
      case .downscale(let f):
        let (w, h) = (Int((Double(d.image.width) / f).rounded(.up)), Int((Double(d.image.height) / f).rounded(.up)))
        draws.record("downscale", .double(f))
        try d.resample(
          .matlab(inputLength: d.image.width, outputLength: max(1, w), scale: 1 / f),
          .matlab(inputLength: d.image.height, outputLength: max(1, h), scale: 1 / f))
      case .blur(let range):
        let sigma = draws.uniform(range)
        draws.record("blur_sigma", .double(sigma))
        d = Degraded(try d.image.gaussianBlurred(sigma: sigma))
      case .noise(let range):
        let sigma = draws.uniform(range)
        draws.record("noise_sigma", .double(sigma))
        d = Degraded(try d.image.addingNoise(.gaussian(sigma: sigma), gray: false, key: draws.next()))
      case .jpeg(let range):
        try d.compressJPEG(quality: range, draws: &draws)
      case .text:
        try d.drawText(draws: &draws)
      }
    }
    return d
  }
}
