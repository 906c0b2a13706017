import Foundation
import Imaging
import Metrics
import ToolSupport

enum Metric: String, CaseIterable {
  case ssim, psnr, msssim
}

/// How a pair is compared: which window and covariance, which channels, which border.
struct Comparison {
  var ssim: (_ dataRange: Double) -> SSIM
  var metrics: [Metric]
  var luma: Bool
  var crop: Int
  var matlabDownsampling: Bool
  var dataRange: Double?
  var cropToSmaller: Bool
  var maxPixels: Int

  /// Rows decoded per read when streaming.
  static let strip = 16

  func compare(_ pair: Pair) throws -> [Metric: Double] {
    var a = try Input.file(pair.reference).openImage(maxPixels: maxPixels)
    var b = try Input.file(pair.test).openImage(maxPixels: maxPixels)
    if (a.width, a.height) != (b.width, b.height) && !cropToSmaller {
      throw InputFailure("sizes differ: \(a.width)x\(a.height) and \(b.width)x\(b.height) (--crop-to-smaller compares the common top-left part)")
    }
    let colours = a.bands - (a.hasAlpha ? 1 : 0)
    guard colours == b.bands - (b.hasAlpha ? 1 : 0) else {
      throw InputFailure("channel counts differ: \(a.bands) and \(b.bands)")
    }
    guard a.format == b.format else { throw InputFailure("sample formats differ: \(a.format) and \(b.format)") }
    let range = try dataRange ?? Comparison.range(of: a.format)
    if ![.uchar, .ushort, .float].contains(a.format) { (a, b) = (try a.cast(.float), try b.cast(.float)) }
    let w = min(a.width, b.width) - 2 * crop, h = min(a.height, b.height) - 2 * crop
    guard w > 0, h > 0 else { throw InputFailure("--crop \(crop) leaves nothing of a \(a.width)x\(a.height) image") }
    let planes = luma && colours >= 3 ? 1 : colours
    let window = ssim(range).windowSize
    guard w >= window, h >= window else { throw InputFailure("image is smaller than the \(window)x\(window) SSIM window") }
    if metrics.contains(.msssim), min(w, h) < MSSSIM.minimumSide {
      throw InputFailure("MS-SSIM needs images of at least \(MSSSIM.minimumSide) pixels a side")
    }

    let readers = (try RowReader(a), try RowReader(b))
    let source = PlaneSource(colours: colours, luma: planes == 1 && colours >= 3, range: range, format: a.format)
    let whole = metrics.contains(.msssim) || matlabDownsampling
    var accumulators = (0..<planes).map { _ in SSIMAccumulator(ssim(range), width: w, height: h) }
    var wholePlanes = [([Double], [Double])](repeating: ([], []), count: whole ? planes : 0)
    var squaredError = 0.0
    var rowsA = [[Double]](repeating: [Double](repeating: 0, count: w * Comparison.strip), count: planes)
    var rowsB = rowsA
    var y = 0
    while y < h {
      let n = min(Comparison.strip, h - y)
      let rect = Rect(left: crop, top: crop + y, width: w, height: n)
      source.convert(try readers.0.read(rect), rect, into: &rowsA)
      source.convert(try readers.1.read(rect), rect, into: &rowsB)
      for p in 0..<planes {
        rowsA[p].withUnsafeBufferPointer { ra in
          rowsB[p].withUnsafeBufferPointer { rb in
            for i in 0..<(n * w) {
              let d = ra[i] - rb[i]
              squaredError += d * d
            }
            if whole {
              wholePlanes[p].0 += ra[0..<(n * w)]
              wholePlanes[p].1 += rb[0..<(n * w)]
            } else {
              accumulators[p].consume(rows: n, a: ra.baseAddress!, b: rb.baseAddress!)
            }
          }
        }
      }
      y += n
    }

    var result: [Metric: Double] = [:]
    let mse = squaredError / Double(planes * w * h)
    result[.psnr] = mse == 0 ? .infinity : 10 * log10(range * range / mse)
    if whole {
      var ssimSum = 0.0, msSum = 0.0
      for (pa, pb) in wholePlanes {
        let x = Plane(width: w, height: h, samples: pa), z = Plane(width: w, height: h, samples: pb)
        if metrics.contains(.ssim) {
          let f = matlabDownsampling ? MatlabDownsample.factor(width: w, height: h) : 1
          ssimSum += ssim(range).compute(MatlabDownsample.apply(x, factor: f), MatlabDownsample.apply(z, factor: f))
        }
        if metrics.contains(.msssim) { msSum += MSSSIM.compute(x, z, ssim: ssim(range)) }
      }
      result[.ssim] = ssimSum / Double(planes)
      result[.msssim] = msSum / Double(planes)
    } else {
      result[.ssim] = accumulators.map { $0.result.ssim }.reduce(0, +) / Double(planes)
    }
    return result
  }

  static func range(of format: PixelFormat) throws -> Double {
    switch format {
    case .uchar: 255
    case .ushort: 65535
    default: throw InputFailure("\(format) samples have no fixed range: give --data-range")
    }
  }
}

/// Turns decoded rows into float64 planes: each colour band, or the luma of MATLAB's rgb2ycbcr.
struct PlaneSource {
  let colours: Int
  let luma: Bool
  let range: Double
  let format: PixelFormat

  func convert(_ region: Region, _ rect: Rect, into planes: inout [[Double]]) {
    let bands = region.bands
    for row in 0..<rect.height {
      let p = UnsafeRawPointer(region.address(x: rect.left, y: rect.top + row))
      switch format {
      case .uchar: convertRow(p.assumingMemoryBound(to: UInt8.self), bands, rect.width, row, &planes) { Double($0) }
      case .ushort: convertRow(p.assumingMemoryBound(to: UInt16.self), bands, rect.width, row, &planes) { Double($0) }
      default: convertRow(p.assumingMemoryBound(to: Float.self), bands, rect.width, row, &planes) { Double($0) }
      }
    }
  }

  @inline(__always)
  func convertRow<T>(_ src: UnsafePointer<T>, _ bands: Int, _ width: Int, _ row: Int, _ planes: inout [[Double]], _ value: (T) -> Double) {
    let base = row * width
    if luma {
      // MATLAB rgb2ycbcr: Y = 16 + 65.481 R + 128.553 G + 24.966 B on [0, 1] values, in the
      // 0-255 scale; integer images round it as MATLAB stores them.
      let integer = format != .float, scale = range / 255, inv = 1 / range
      planes[0].withUnsafeMutableBufferPointer { y in
        for x in 0..<width {
          let r = value(src[x * bands]) * inv, g = value(src[x * bands + 1]) * inv, b = value(src[x * bands + 2]) * inv
          let v = (16 + 65.481 * r + 128.553 * g + 24.966 * b) * scale
          y[base + x] = integer ? v.rounded(.toNearestOrAwayFromZero) : v
        }
      }
      return
    }
    for c in 0..<colours {
      planes[c].withUnsafeMutableBufferPointer { out in
        for x in 0..<width { out[base + x] = value(src[x * bands + c]) }
      }
    }
  }
}
