import Foundation

/// Structural similarity (Wang, Bovik, Sheikh, Simoncelli 2004): local means, variances and
/// covariance under a normalised Gaussian window, 'valid' filtering (no padding), mean of the map.
public struct SSIM: Sendable {
  public var windowSize = 11
  public var sigma = 1.5
  public var k1 = 0.01
  public var k2 = 0.03
  public var dataRange = 255.0

  public init() {}

  /// The normalised 1-D Gaussian the 2-D window is the outer product of.
  var kernel: [Double] {
    let r = Double(windowSize - 1) / 2
    let g = (0..<windowSize).map { exp(-pow(Double($0) - r, 2) / (2 * sigma * sigma)) }
    let s = g.reduce(0, +)
    return g.map { $0 / s }
  }

  public func compute(_ a: Plane, _ b: Plane) -> Double {
    precondition(a.width == b.width && a.height == b.height, "planes differ in size")
    precondition(a.width >= windowSize && a.height >= windowSize, "image smaller than the SSIM window")
    let c1 = pow(k1 * dataRange, 2), c2 = pow(k2 * dataRange, 2)
    let ab = zip(a.samples, b.samples).map { $0 * $1 }
    let mu1 = filter(a.samples, a.width, a.height), mu2 = filter(b.samples, a.width, a.height)
    let s11 = filter(a.samples.map { $0 * $0 }, a.width, a.height)
    let s22 = filter(b.samples.map { $0 * $0 }, a.width, a.height)
    let s12 = filter(ab, a.width, a.height)
    var total = 0.0
    for i in 0..<mu1.count {
      let m1 = mu1[i], m2 = mu2[i]
      let v1 = s11[i] - m1 * m1, v2 = s22[i] - m2 * m2, cov = s12[i] - m1 * m2
      total += ((2 * m1 * m2 + c1) * (2 * cov + c2)) / ((m1 * m1 + m2 * m2 + c1) * (v1 + v2 + c2))
    }
    return total / Double(mu1.count)
  }

  /// Separable 'valid' correlation with the Gaussian window.
  func filter(_ x: [Double], _ width: Int, _ height: Int) -> [Double] {
    let k = kernel, n = windowSize
    let ow = width - n + 1, oh = height - n + 1
    var rows = [Double](repeating: 0, count: ow * height)
    for y in 0..<height {
      for xo in 0..<ow {
        var s = 0.0
        for t in 0..<n { s += k[t] * x[y * width + xo + t] }
        rows[y * ow + xo] = s
      }
    }
    var out = [Double](repeating: 0, count: ow * oh)
    for yo in 0..<oh {
      for t in 0..<n {
        let w = k[t]
        for xo in 0..<ow { out[yo * ow + xo] += w * rows[(yo + t) * ow + xo] }
      }
    }
    return out
  }
}
