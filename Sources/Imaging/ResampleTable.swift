import Foundation

/// The weights that map one axis of an image to a new length: output sample `i` is the sum over
/// `taps` of `weights[i*taps + k] * input[indices[i*taps + k]]`. Indices always fall inside the input.
public struct ResampleTable: Sendable {
  public let inputLength: Int
  public let outputLength: Int
  public let taps: Int
  public let indices: [Int32]
  public let weights: [Float]
  /// The lowest and highest input index each output sample reads.
  let lowest: [Int32]
  let highest: [Int32]
  /// Taps each output sample needs: one past its last non-zero weight (the rest add only zeros).
  let used: [Int32]

  init(inputLength: Int, outputLength: Int, taps: Int, indices: [Int32], weights: [Float]) {
    (self.inputLength, self.outputLength, self.taps, self.indices, self.weights) =
      (inputLength, outputLength, taps, indices, weights)
    lowest = (0..<outputLength).map { i in indices[i * taps..<(i + 1) * taps].min()! }
    highest = (0..<outputLength).map { i in indices[i * taps..<(i + 1) * taps].max()! }
    used = (0..<outputLength).map { i in Int32((0..<taps).last { weights[i * taps + $0] != 0 }.map { $0 + 1 } ?? 0) }
  }

  /// Input indices read by outputs `range` (inclusive bounds).
  func span(_ range: Range<Int>) -> ClosedRange<Int> {
    var lo = Int32.max, hi = Int32.min
    for i in range {
      lo = min(lo, lowest[i])
      hi = max(hi, highest[i])
    }
    return Int(lo)...Int(hi)
  }

  /// Keys' cubic convolution kernel with a = -0.5 (Catmull-Rom), the "bicubic" of MATLAB and Pillow.
  static func cubic(_ x: Double) -> Double {
    let ax = abs(x), ax2 = ax * ax, ax3 = ax2 * ax
    if ax <= 1 { return 1.5 * ax3 - 2.5 * ax2 + 1 }
    if ax <= 2 { return -0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2 }
    return 0
  }

  /// MATLAB `imresize(..., 'bicubic')` along one axis (imresize.m, `contributions`): output sample
  /// x (1-based) sits at u = x/scale + (1 - 1/scale)/2 in the input; when shrinking, the kernel is
  /// stretched by 1/scale (antialiasing); weights are normalised; out-of-range indices mirror
  /// symmetrically (edge samples repeated: ..., 2, 1, 1, 2, ...).
  public static func matlab(inputLength n: Int, outputLength: Int, scale: Double) -> ResampleTable {
    let shrink = scale < 1
    let kernelWidth = shrink ? 4 / scale : 4
    let taps = Int(kernelWidth.rounded(.up)) + 2
    var indices = [Int32](), weights = [Float]()
    indices.reserveCapacity(outputLength * taps)
    weights.reserveCapacity(outputLength * taps)
    for x in 1...outputLength {
      let u = Double(x) / scale + 0.5 * (1 - 1 / scale)
      let left = Int((u - kernelWidth / 2).rounded(.down))
      var w = (0..<taps).map { k -> Double in
        let d = u - Double(left + k)
        return shrink ? scale * cubic(scale * d) : cubic(d)
      }
      let sum = w.reduce(0, +)
      w = w.map { $0 / sum }
      for k in 0..<taps {
        indices.append(Int32(mirror(left + k - 1, n)))
        weights.append(Float(w[k]))
      }
    }
    return ResampleTable(inputLength: n, outputLength: outputLength, taps: taps, indices: indices, weights: weights)
  }

  /// Symmetric extension of 0-based index `i` into 0..<n (MATLAB's `aux = [1:n, n:-1:1]`).
  static func mirror(_ i: Int, _ n: Int) -> Int {
    let period = 2 * n
    let m = ((i % period) + period) % period
    return m < n ? m : period - 1 - m
  }

  /// Pillow's filters: BICUBIC (Keys, a = -0.5, support 2) and BILINEAR (the triangle, support 1).
  public enum PillowFilter: Sendable {
    case bicubic, bilinear
    var support: Double { self == .bicubic ? 2 : 1 }
    func callAsFunction(_ x: Double) -> Double { self == .bicubic ? cubic(x) : max(0, 1 - abs(x)) }
  }

  /// Pillow's `Image.resize(..., BICUBIC or BILINEAR)` along one axis (libImaging/Resample.c,
  /// `precompute_coeffs`): output sample x sits at (x + 0.5) * in/out; the filter's support widens by
  /// in/out when shrinking; the window is clipped to the image and its weights renormalised.
  public static func pillow(inputLength n: Int, outputLength: Int, filter: PillowFilter = .bicubic) -> ResampleTable {
    let scale = Double(n) / Double(outputLength)
    let filterScale = max(scale, 1)
    let support = filter.support * filterScale
    let taps = Int(support.rounded(.up)) * 2 + 1
    var indices = [Int32](), weights = [Float]()
    for x in 0..<outputLength {
      let center = (Double(x) + 0.5) * scale
      let lo = max(Int(center - support + 0.5), 0)
      let hi = min(Int(center + support + 0.5), n)
      var w = (lo..<hi).map { filter((Double($0) - center + 0.5) / filterScale) }
      let sum = w.reduce(0, +)
      if sum != 0 { w = w.map { $0 / sum } }
      for k in 0..<taps {
        indices.append(Int32(k < w.count ? lo + k : lo))
        weights.append(k < w.count ? Float(w[k]) : 0)
      }
    }
    return ResampleTable(inputLength: n, outputLength: outputLength, taps: taps, indices: indices, weights: weights)
  }
}
