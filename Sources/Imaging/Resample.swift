import CVips
import Foundation

/// Separable resampling with explicit weight tables, computed in float and rounded once
/// (or, with `roundBetweenPasses`, after each pass, as Pillow does for 8- and 16-bit images).
/// Horizontal pass first, then vertical; each output strip reads only the input rows it needs.
final class Resample: RegionOperation, @unchecked Sendable {
  let horizontal: ResampleTable
  let vertical: ResampleTable
  let bands: Int
  let format: PixelFormat
  let roundBetweenPasses: Bool
  /// Threads a strip is split over: 1 when libvips' workers run strips side by side, more when strips
  /// are made one at a time (see `Image.resampled(horizontal:vertical:roundBetweenPasses:)`).
  var threads = 1

  init(horizontal: ResampleTable, vertical: ResampleTable, bands: Int, format: PixelFormat, roundBetweenPasses: Bool) {
    (self.horizontal, self.vertical, self.bands, self.format, self.roundBetweenPasses) =
      (horizontal, vertical, bands, format, roundBetweenPasses)
  }

  final class Workspace {
    var rows: [Float] = []
    var lines: [Float] = []
  }

  func makeWorkspace() -> Workspace { Workspace() }

  func generate(output: Region, input: Region, workspace ws: Workspace) throws {
    let r = output.valid
    let xs = horizontal.span(r.left..<r.right), ys = vertical.span(r.top..<r.bottom)
    let rowLength = r.width * bands
    let shares = max(1, min(threads, r.height / 4))
    if ws.rows.count < rowLength * ys.count { ws.rows = [Float](repeating: 0, count: rowLength * ys.count) }
    if ws.lines.count < rowLength * shares { ws.lines = [Float](repeating: 0, count: rowLength * shares) }
    let maximum = format.maximum
    let rowBytes = xs.count * bands * format.size
    try input.prepare(Rect(left: xs.lowerBound, top: ys.lowerBound, width: xs.count, height: ys.count))
    let stride = input.lineStride, first = UnsafeRawPointer(input.address(x: xs.lowerBound, y: ys.lowerBound))
    ws.rows.withUnsafeMutableBufferPointer { rowBuffer in
      let rows = rowBuffer.baseAddress!
      // Input rows, in groups of four (the four-row pass's unit) per thread.
      Self.split(ys.count, into: shares, multiple: 4) { _, range in
        var i = range.lowerBound
        if format == .uchar && bands == 3 {
          // Four rows at once: four independent sums per tap keep the adder busy.
          while i + 4 <= range.upperBound {
            horizontalPassRGB8x4(first + i * stride, stride, xs.lowerBound, rowBytes, r, rows + i * rowLength, rowLength)
            i += 4
          }
        }
        for i in i..<range.upperBound {
          let src = first + i * stride, dst = rows + i * rowLength
          switch format {
          case .uchar where bands == 3:
            horizontalPassRGB8(src.assumingMemoryBound(to: UInt8.self), xs.lowerBound, rowBytes, r, dst)
          case .uchar: horizontalPass(src.assumingMemoryBound(to: UInt8.self), xs.lowerBound, r, dst)
          case .ushort: horizontalPass(src.assumingMemoryBound(to: UInt16.self), xs.lowerBound, r, dst)
          default: horizontalPass(src.assumingMemoryBound(to: Float.self), xs.lowerBound, r, dst)
          }
        }
        if roundBetweenPasses, let maximum { Self.round(rows + range.lowerBound * rowLength, range.count * rowLength, maximum) }
      }
      ws.lines.withUnsafeMutableBufferPointer { lineBuffer in
        let lines = lineBuffer.baseAddress!
        Self.split(r.height, into: shares, multiple: 1) { share, range in
          let line = lines + share * rowLength
          for y in r.top + range.lowerBound..<r.top + range.upperBound {
            verticalPass(y, rows: rows, firstRow: ys.lowerBound, rowLength: rowLength, into: line)
            let out = output.address(x: r.left, y: y)
            switch format {
            case .uchar: store(line, rowLength, out.assumingMemoryBound(to: UInt8.self), 255)
            case .ushort: store(line, rowLength, out.assumingMemoryBound(to: UInt16.self), 65535)
            default: out.assumingMemoryBound(to: Float.self).update(from: line, count: rowLength)
            }
          }
        }
      }
    }
  }

  /// Calls `body(share, range)` for items 0..<count split in up to `shares` contiguous ranges (whole
  /// multiples of `multiple` but the last), on as many threads.
  static func split(_ count: Int, into shares: Int, multiple: Int, _ body: (_ share: Int, _ range: Range<Int>) -> Void) {
    let size = ((count + shares - 1) / shares + multiple - 1) / multiple * multiple
    let parts = size == 0 ? 0 : (count + size - 1) / size
    if parts <= 1 { return body(0, 0..<count) }
    DispatchQueue.concurrentPerform(iterations: parts) { p in body(p, p * size..<min(count, (p + 1) * size)) }
  }

  /// Rounds `count` samples at `p` to whole numbers in 0...maximum (Pillow's rounding between passes).
  static func round(_ p: UnsafeMutablePointer<Float>, _ count: Int, _ maximum: Float) {
    let raw = UnsafeMutableRawPointer(p)
    let top = SIMD8<Float>(repeating: maximum)
    var j = 0
    while j + 8 <= count {
      let v = raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
      var u = (v + 0.5).rounded(.down)
      u.replace(with: 0, where: u .< 0)
      u.replace(with: top, where: u .> top)
      raw.storeBytes(of: u, toByteOffset: j * 4, as: SIMD8<Float>.self)
      j += 8
    }
    for j in j..<count { p[j] = min(max((p[j] + 0.5).rounded(.down), 0), maximum) }
  }

  @inline(__always)
  private func horizontalPass<T: BinaryInteger & Sendable>(
    _ src: UnsafePointer<T>, _ firstColumn: Int, _ r: Rect, _ dst: UnsafeMutablePointer<Float>
  ) {
    horizontalPass({ Float(src[$0]) }, firstColumn, r, dst)
  }

  @inline(__always)
  private func horizontalPass(
    _ src: UnsafePointer<Float>, _ firstColumn: Int, _ r: Rect, _ dst: UnsafeMutablePointer<Float>
  ) {
    horizontalPass({ src[$0] }, firstColumn, r, dst)
  }

  @inline(__always)
  private func horizontalPass(
    _ sample: (Int) -> Float, _ firstColumn: Int, _ r: Rect, _ dst: UnsafeMutablePointer<Float>
  ) {
    let taps = horizontal.taps, bands = self.bands
    horizontal.indices.withUnsafeBufferPointer { idx in
      horizontal.weights.withUnsafeBufferPointer { wts in
        // One- and three-band images (the common cases) sum in registers; the order of the
        // additions, and so the result, is the same as the general loop's.
        switch bands {
        case 1:
          for x in r.left..<r.right {
            var a: Float = 0
            for k in 0..<taps { a += wts[x * taps + k] * sample(Int(idx[x * taps + k]) - firstColumn) }
            dst[x - r.left] = a
          }
        case 3:
          for x in r.left..<r.right {
            var a0: Float = 0, a1: Float = 0, a2: Float = 0
            for k in 0..<taps {
              let w = wts[x * taps + k]
              let s = (Int(idx[x * taps + k]) - firstColumn) * 3
              a0 += w * sample(s)
              a1 += w * sample(s + 1)
              a2 += w * sample(s + 2)
            }
            let o = (x - r.left) * 3
            (dst[o], dst[o + 1], dst[o + 2]) = (a0, a1, a2)
          }
        default:
          for x in r.left..<r.right {
            let o = (x - r.left) * bands
            for b in 0..<bands { dst[o + b] = 0 }
            for k in 0..<taps {
              let w = wts[x * taps + k]
              let s = (Int(idx[x * taps + k]) - firstColumn) * bands
              for b in 0..<bands { dst[o + b] += w * sample(s + b) }
            }
          }
        }
      }
    }
  }

  /// The three-band 8-bit horizontal pass with the bands in one vector: the same multiplications
  /// and additions, in the same order, as the scalar loop, so the same result. Pixels are read
  /// four bytes at a time except where the fourth byte would lie past the row's `rowBytes`.
  @inline(__always)
  private func horizontalPassRGB8(
    _ src: UnsafePointer<UInt8>, _ firstColumn: Int, _ rowBytes: Int, _ r: Rect, _ dst: UnsafeMutablePointer<Float>
  ) {
    let taps = horizontal.taps
    let raw = UnsafeRawPointer(src)
    horizontal.indices.withUnsafeBufferPointer { idx in
      horizontal.weights.withUnsafeBufferPointer { wts in
        for x in r.left..<r.right {
          var a = SIMD4<Float>()
          // Taps past the last non-zero weight would add +0 to a sum that is never -0: no change.
          for k in 0..<Int(horizontal.used[x]) {
            let w = wts[x * taps + k]
            let s = (Int(idx[x * taps + k]) - firstColumn) * 3
            let p: SIMD4<UInt8>
            if s + 4 <= rowBytes {
              p = raw.loadUnaligned(fromByteOffset: s, as: SIMD4<UInt8>.self)
            } else {
              p = SIMD4(src[s], src[s + 1], src[s + 2], 0)
            }
            a += w * SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: p))
          }
          let o = (x - r.left) * 3
          (dst[o], dst[o + 1], dst[o + 2]) = (a[0], a[1], a[2])
        }
      }
    }
  }

  /// `horizontalPassRGB8` on four rows `stride` bytes apart, into four rows of `dst` `dstStride` floats
  /// apart: each row's sums are the same operations in the same order, so the same results.
  @inline(__always)
  private func horizontalPassRGB8x4(
    _ src: UnsafeRawPointer, _ stride: Int, _ firstColumn: Int, _ rowBytes: Int, _ r: Rect,
    _ dst: UnsafeMutablePointer<Float>, _ dstStride: Int
  ) {
    let taps = horizontal.taps
    let s0 = src, s1 = src + stride, s2 = src + 2 * stride, s3 = src + 3 * stride
    @inline(__always) func load(_ row: UnsafeRawPointer, _ s: Int) -> SIMD4<Float> {
      SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: row.loadUnaligned(fromByteOffset: s, as: SIMD4<UInt8>.self)))
    }
    @inline(__always) func edge(_ row: UnsafeRawPointer, _ s: Int) -> SIMD4<Float> {
      let b = row.assumingMemoryBound(to: UInt8.self)
      return SIMD4<Float>(Float(b[s]), Float(b[s + 1]), Float(b[s + 2]), 0)
    }
    horizontal.indices.withUnsafeBufferPointer { idx in
      horizontal.weights.withUnsafeBufferPointer { wts in
        horizontal.used.withUnsafeBufferPointer { used in
          horizontal.highest.withUnsafeBufferPointer { highest in
            for x in r.left..<r.right {
              var a0 = SIMD4<Float>(), a1 = SIMD4<Float>(), a2 = SIMD4<Float>(), a3 = SIMD4<Float>()
              let n = Int(used[x]), base = x * taps
              @inline(__always) func accumulate(_ read: (UnsafeRawPointer, Int) -> SIMD4<Float>) {
                for k in 0..<n {
                  let w = wts[base + k]
                  let s = (Int(idx[base + k]) - firstColumn) * 3
                  a0 += w * read(s0, s)
                  a1 += w * read(s1, s)
                  a2 += w * read(s2, s)
                  a3 += w * read(s3, s)
                }
              }
              // Pixels are read four bytes at a time, except for outputs whose last pixel is the row's.
              if (Int(highest[x]) - firstColumn) * 3 + 4 <= rowBytes { accumulate(load) } else { accumulate(edge) }
              let o = (x - r.left) * 3
              (dst[o], dst[o + 1], dst[o + 2]) = (a0[0], a0[1], a0[2])
              (dst[dstStride + o], dst[dstStride + o + 1], dst[dstStride + o + 2]) = (a1[0], a1[1], a1[2])
              (dst[2 * dstStride + o], dst[2 * dstStride + o + 1], dst[2 * dstStride + o + 2]) = (a2[0], a2[1], a2[2])
              (dst[3 * dstStride + o], dst[3 * dstStride + o + 1], dst[3 * dstStride + o + 2]) = (a3[0], a3[1], a3[2])
            }
          }
        }
      }
    }
  }

  @inline(__always)
  private func verticalPass(
    _ y: Int, rows: UnsafeMutablePointer<Float>, firstRow: Int, rowLength: Int, into line: UnsafeMutablePointer<Float>
  ) {
    let taps = vertical.taps
    line.update(repeating: 0, count: rowLength)
    for k in 0..<taps {
      let w = vertical.weights[y * taps + k]
      if w == 0 { continue }
      let row = rows + (Int(vertical.indices[y * taps + k]) - firstRow) * rowLength
      for j in 0..<rowLength { line[j] += w * row[j] }
    }
  }

  @inline(__always)
  private func store<T: FixedWidthInteger>(_ line: UnsafePointer<Float>, _ count: Int, _ out: UnsafeMutablePointer<T>, _ maximum: Float) {
    // Round half away from zero (MATLAB's conversion to integer types) and clip. The clipped value is
    // a whole number within T's range: it goes through Int32 (one instruction) rather than the
    // generic float-to-integer conversion.
    for j in 0..<count { out[j] = T(truncatingIfNeeded: Int32(min(max((line[j] + 0.5).rounded(.down), 0), maximum))) }
  }
}

extension PixelFormat {
  /// The largest sample value of integer formats the resampler writes directly.
  var maximum: Float? {
    switch self {
    case .uchar: 255
    case .ushort: 65535
    default: nil
    }
  }
}

/// The resampling rules `Image.resampled` offers beside libvips' own kernels.
public enum ResampleRule: String, Sendable, CaseIterable {
  /// MATLAB `imresize(..., 'bicubic')`: antialiased when shrinking, symmetric borders.
  case matlab
  /// Pillow `Image.resize(..., Image.BICUBIC)`.
  case pil
}

extension Image {
  /// Resizes to `width` x `height` with `rule`. `scale` is the factor MATLAB's rule places samples by
  /// (as in `imresize(A, scale)`); it defaults to the ratio of the sizes on each axis.
  /// 8-bit, 16-bit and float images keep their format; others are computed as float.
  public func resampled(
    width: Int, height: Int, rule: ResampleRule, horizontalScale: Double? = nil, verticalScale: Double? = nil
  ) throws -> Image {
    let tables: (ResampleTable, ResampleTable)
    switch rule {
    case .matlab:
      tables = (
        .matlab(inputLength: self.width, outputLength: width, scale: horizontalScale ?? Double(width) / Double(self.width)),
        .matlab(inputLength: self.height, outputLength: height, scale: verticalScale ?? Double(height) / Double(self.height))
      )
    case .pil:
      tables = (.pillow(inputLength: self.width, outputLength: width), .pillow(inputLength: self.height, outputLength: height))
    }
    return try resampled(horizontal: tables.0, vertical: tables.1, roundBetweenPasses: rule == .pil)
  }
}

extension Image {
  /// Resizes with one weight table per axis (output size: the tables' output lengths). With
  /// `roundBetweenPasses`, 8- and 16-bit results are rounded after the horizontal pass, as Pillow does.
  /// 8-bit, 16-bit and float images keep their format; others are computed as float.
  ///
  /// Each output strip of a shrink needs many input lines. Strips computed side by side from a file
  /// read top to bottom would ask for lines out of order (a strip started late finds its lines gone
  /// from the loader's cache: "out of order read"), so a shrink of such a file is computed top to
  /// bottom, a strip at a time, as libvips' own vertical shrinks are, each strip split over the cores.
  public func resampled(horizontal: ResampleTable, vertical: ResampleTable, roundBetweenPasses: Bool = false) throws -> Image {
    precondition(horizontal.inputLength == width && vertical.inputLength == height)
    let direct: Set<PixelFormat> = [.uchar, .ushort, .float]
    let source = direct.contains(format) ? self : try cast(.float)
    let op = Resample(horizontal: horizontal, vertical: vertical, bands: bands, format: source.format, roundBetweenPasses: roundBetweenPasses)
    let inOrder = isSequential && vertical.outputLength < vertical.inputLength
    if inOrder { op.threads = ProcessInfo.processInfo.activeProcessorCount }
    let out = try source.applying(
      op, width: horizontal.outputLength, height: vertical.outputLength, bands: bands, format: source.format, demand: .strips)
    return inOrder ? try out.sequentialised(lines: 16) : out
  }
}
