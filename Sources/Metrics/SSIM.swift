import Foundation

/// Structural similarity (Wang, Bovik, Sheikh, Simoncelli 2004) between two planes: local means,
/// variances and covariance under a separable window, the SSIM formula per window position, and the
/// mean of the map over positions where the window lies inside the image ('valid' filtering, which is
/// what scikit-image's crop of the padded map and Wang's `filter2(..., 'valid')` both amount to).
public struct SSIM: Sendable {
  /// The 1-D window the 2-D window is the outer product of (normalised to sum 1).
  public var window: [Double]
  /// n/(n-1) for sample covariance (scikit-image's default), 1 for population covariance (Wang's).
  public var covarianceNorm: Double
  public var k1 = 0.01
  public var k2 = 0.03
  public var dataRange: Double

  /// Wang et al. 2004: 11x11 Gaussian, sigma 1.5, population covariance; equals scikit-image's
  /// `structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False)`.
  public static func wang(dataRange: Double = 255) -> SSIM {
    let g = (0..<11).map { exp(-pow(Double($0) - 5, 2) / (2 * 1.5 * 1.5)) }
    let s = g.reduce(0, +)
    return SSIM(window: g.map { $0 / s }, covarianceNorm: 1, dataRange: dataRange)
  }

  /// scikit-image's defaults: 7x7 uniform window, sample covariance (x 49/48).
  public static func skimage(dataRange: Double = 255) -> SSIM {
    SSIM(window: [Double](repeating: 1.0 / 7, count: 7), covarianceNorm: 49.0 / 48, dataRange: dataRange)
  }

  public init(window: [Double], covarianceNorm: Double, dataRange: Double) {
    (self.window, self.covarianceNorm, self.dataRange) = (window, covarianceNorm, dataRange)
  }

  /// Wang's defaults with an 8-bit range (the SR papers' setting).
  public init() { self = .wang() }

  public var windowSize: Int { window.count }

  /// Mean SSIM of two equal-sized planes.
  public func compute(_ a: Plane, _ b: Plane) -> Double {
    let r = statistics(a, b)
    return r.ssim
  }

  /// Mean SSIM and mean contrast-structure term (MS-SSIM's per-scale factor) of two planes.
  public func statistics(_ a: Plane, _ b: Plane) -> (ssim: Double, cs: Double) {
    precondition(a.width == b.width && a.height == b.height, "planes differ in size")
    var acc = SSIMAccumulator(self, width: a.width, height: a.height)
    acc.contrastStructure = true
    a.samples.withUnsafeBufferPointer { pa in
      b.samples.withUnsafeBufferPointer { pb in
        acc.consume(rows: a.height, a: pa.baseAddress!, b: pb.baseAddress!)
      }
    }
    return acc.result
  }
}

/// Streams rows of two planes through the SSIM computation, keeping only the last `windowSize`
/// rows of horizontally filtered statistics, so images of any height pass in bounded memory.
public struct SSIMAccumulator {
  let ssim: SSIM
  let width: Int
  let outWidth: Int
  /// Horizontally filtered (a, b, a^2, b^2, ab) of the last `windowSize` rows; row r sits in slot r % n.
  private var filtered: [Double]
  private var products: [Double]
  private var line: [Double]
  private var rowsSeen = 0
  private var sumSSIM = 0.0
  private var sumCS = 0.0
  private var count = 0

  /// Whether to also sum the contrast-structure term (MS-SSIM needs it; plain SSIM does not).
  public var contrastStructure = false

  public init(_ ssim: SSIM, width: Int, height: Int) {
    precondition(width >= ssim.windowSize && height >= ssim.windowSize, "image smaller than the SSIM window")
    (self.ssim, self.width) = (ssim, width)
    outWidth = width - ssim.windowSize + 1
    filtered = [Double](repeating: 0, count: 5 * ssim.windowSize * outWidth)
    products = [Double](repeating: 0, count: 3 * width)
    line = [Double](repeating: 0, count: 5 * outWidth)
  }

  /// (mean SSIM, mean contrast-structure term) over the map positions computed so far.
  public var result: (ssim: Double, cs: Double) { (sumSSIM / Double(count), sumCS / Double(count)) }

  /// Takes the next `rows` rows of each plane (row-major, `width` samples each).
  public mutating func consume(rows: Int, a: UnsafePointer<Double>, b: UnsafePointer<Double>) {
    for r in 0..<rows {
      horizontal(a + r * width, b + r * width)
      rowsSeen += 1
      if rowsSeen >= ssim.windowSize { emit() }
    }
  }

  private mutating func horizontal(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>) {
    let n = ssim.windowSize, ow = outWidth, w = width
    let slot = rowsSeen % n
    products.withUnsafeMutableBufferPointer { p in
      let aa = p.baseAddress!, bb = aa + w, ab = bb + w
      for j in 0..<w {
        aa[j] = a[j] * a[j]
        bb[j] = b[j] * b[j]
        ab[j] = a[j] * b[j]
      }
      filtered.withUnsafeMutableBufferPointer { f in
        ssim.window.withUnsafeBufferPointer { k in
          for (q, src) in [a, b, UnsafePointer(aa), UnsafePointer(bb), UnsafePointer(ab)].enumerated() {
            weightedSum(into: f.baseAddress! + (q * n + slot) * ow, count: ow, weights: k) { src + $0 }
          }
        }
      }
    }
  }

  /// Filters the last `windowSize` rows vertically into one row of the SSIM map and sums it.
  private mutating func emit() {
    let n = ssim.windowSize, ow = outWidth
    let first = rowsSeen - n  // oldest row in the window
    let c1 = pow(ssim.k1 * ssim.dataRange, 2), c2 = pow(ssim.k2 * ssim.dataRange, 2), norm = ssim.covarianceNorm
    var sumS = 0.0, sumC = 0.0
    line.withUnsafeMutableBufferPointer { l in
      let acc = l.baseAddress!
      filtered.withUnsafeBufferPointer { f in
        ssim.window.withUnsafeBufferPointer { k in
          for q in 0..<5 {
            weightedSum(into: acc + q * ow, count: ow, weights: k) { UnsafePointer(f.baseAddress! + (q * n + (first + $0) % n) * ow) }
          }
        }
      }
      let mu1 = acc, mu2 = acc + ow, s11 = acc + 2 * ow, s22 = acc + 3 * ow, s12 = acc + 4 * ow
      // The map row is written out (mu1 and mu2 are overwritten) and summed afterwards, so both
      // loops vectorise: a running sum in the first would pin it to one lane.
      for j in 0..<ow {
        let m1 = mu1[j], m2 = mu2[j]
        let v1 = norm * (s11[j] - m1 * m1), v2 = norm * (s22[j] - m2 * m2), cov = norm * (s12[j] - m1 * m2)
        let csNumerator = 2 * cov + c2, csDenominator = v1 + v2 + c2
        // One division per position: luminance and contrast-structure share it.
        mu1[j] = ((2 * m1 * m2 + c1) * csNumerator) / ((m1 * m1 + m2 * m2 + c1) * csDenominator)
        mu2[j] = csNumerator / csDenominator
      }
      sumS = sum(mu1, ow)
      if contrastStructure { sumC = sum(mu2, ow) }
    }
    sumSSIM += sumS
    sumCS += sumC
    count += ow
  }
}

/// out[j] = sum over t of weights[t] * source(t)[j], four sources per sweep so each output element
/// is loaded and stored once per four taps rather than once per tap.
@inline(__always)
func weightedSum(
  into out: UnsafeMutablePointer<Double>, count: Int, weights: UnsafeBufferPointer<Double>,
  source: (Int) -> UnsafePointer<Double>
) {
  var t = 0
  while t < weights.count {
    let taps = min(4, weights.count - t)
    let first = t == 0
    let s0 = source(t), w0 = weights[t]
    switch taps {
    case 4:
      let s1 = source(t + 1), s2 = source(t + 2), s3 = source(t + 3)
      let w1 = weights[t + 1], w2 = weights[t + 2], w3 = weights[t + 3]
      if first {
        for j in 0..<count { out[j] = w0 * s0[j] + w1 * s1[j] + w2 * s2[j] + w3 * s3[j] }
      } else {
        for j in 0..<count { out[j] += w0 * s0[j] + w1 * s1[j] + w2 * s2[j] + w3 * s3[j] }
      }
    case 3:
      let s1 = source(t + 1), s2 = source(t + 2), w1 = weights[t + 1], w2 = weights[t + 2]
      if first {
        for j in 0..<count { out[j] = w0 * s0[j] + w1 * s1[j] + w2 * s2[j] }
      } else {
        for j in 0..<count { out[j] += w0 * s0[j] + w1 * s1[j] + w2 * s2[j] }
      }
    case 2:
      let s1 = source(t + 1), w1 = weights[t + 1]
      if first {
        for j in 0..<count { out[j] = w0 * s0[j] + w1 * s1[j] }
      } else {
        for j in 0..<count { out[j] += w0 * s0[j] + w1 * s1[j] }
      }
    default:
      if first {
        for j in 0..<count { out[j] = w0 * s0[j] }
      } else {
        for j in 0..<count { out[j] += w0 * s0[j] }
      }
    }
    t += taps
  }
}

/// Sum of `count` doubles in four interleaved partial sums (vectorisable, and more accurate than
/// one running sum).
@inline(__always)
func sum(_ x: UnsafePointer<Double>, _ count: Int) -> Double {
  var partial = SIMD4<Double>.zero
  var j = 0
  let raw = UnsafeRawPointer(x)
  while j + 4 <= count {
    partial += raw.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self)
    j += 4
  }
  var total = partial.sum()
  while j < count {
    total += x[j]
    j += 1
  }
  return total
}
