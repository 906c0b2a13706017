import CVips

/// Separable resampling with explicit weight tables, computed in float and rounded once
/// (or, with `roundBetweenPasses`, after each pass, as Pillow does for 8- and 16-bit images).
/// Horizontal pass first, then vertical; each output strip reads only the input rows it needs.
final class Resample: RegionOperation, @unchecked Sendable {
  let horizontal: ResampleTable
  let vertical: ResampleTable
  let bands: Int
  let format: PixelFormat
  let roundBetweenPasses: Bool
  let soleReader: Bool

  init(horizontal: ResampleTable, vertical: ResampleTable, bands: Int, format: PixelFormat, roundBetweenPasses: Bool, soleReader: Bool = false) {
    (self.horizontal, self.vertical, self.bands, self.format, self.roundBetweenPasses, self.soleReader) =
      (horizontal, vertical, bands, format, roundBetweenPasses, soleReader)
  }

  final class Workspace {
    var rows: [Float] = []
    var line: [Float] = []
  }

  func makeWorkspace() -> Workspace { Workspace() }

  func generate(output: Region, input: Region, workspace ws: Workspace) throws {
    let r = output.valid
    let xs = horizontal.span(r.left..<r.right), ys = vertical.span(r.top..<r.bottom)
    let rowLength = r.width * bands
    if ws.rows.count < rowLength * ys.count { ws.rows = [Float](repeating: 0, count: rowLength * ys.count) }
    if ws.line.count < rowLength { ws.line = [Float](repeating: 0, count: rowLength) }
    let maximum = format.maximum
    let rowBytes = xs.count * bands * format.size
    // When nothing else reads the input and this strip is the whole output, no one will ask for these
    // input rows again, so they can come a band of about 64 KB (a multiple of four rows) at a time,
    // top to bottom: each pipeline stage upstream then reuses one small buffer instead of allocating
    // (and zeroing) one the size of the whole input, and the rows are still in cache when the
    // horizontal pass reads them. Otherwise the rows come in one request, which lets a sequential
    // loader's line cache grow to hold the rows that other strips or readers ask for again.
    let whole = r.left == 0 && r.top == 0 && r.width == horizontal.outputLength && r.height == vertical.outputLength
    let chunk = soleReader && whole ? max(4, (65536 / max(1, rowBytes)) & ~3) : ys.count
    try ws.rows.withUnsafeMutableBufferPointer { rows in
      var first = ys.lowerBound
      while first <= ys.upperBound {
        let last = min(first + chunk - 1, ys.upperBound)
        try input.prepare(Rect(left: xs.lowerBound, top: first, width: xs.count, height: last - first + 1))
        var y = first
        if format == .uchar && bands == 3 {
          // Four rows at once: four independent sums per tap keep the adder busy.
          let stride = input.lineStride
          while y + 3 <= last {
            let src = UnsafeRawPointer(input.address(x: xs.lowerBound, y: y))
            horizontalPassRGB8x4(src, stride, xs.lowerBound, rowBytes, r, rows.baseAddress! + (y - ys.lowerBound) * rowLength, rowLength)
            y += 4
          }
        }
        while y <= last {
          let dst = rows.baseAddress! + (y - ys.lowerBound) * rowLength
          let src = UnsafeRawPointer(input.address(x: xs.lowerBound, y: y))
          switch format {
          case .uchar where bands == 3:
            horizontalPassRGB8(src.assumingMemoryBound(to: UInt8.self), xs.lowerBound, rowBytes, r, dst)
          case .uchar: horizontalPass(src.assumingMemoryBound(to: UInt8.self), xs.lowerBound, r, dst)
          case .ushort: horizontalPass(src.assumingMemoryBound(to: UInt16.self), xs.lowerBound, r, dst)
          default: horizontalPass(src.assumingMemoryBound(to: Float.self), xs.lowerBound, r, dst)
          }
          y += 1
        }
        first = last + 1
      }
      if roundBetweenPasses, let maximum {
        let count = rowLength * ys.count, raw = UnsafeMutableRawPointer(rows.baseAddress!)
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
        for j in j..<count { rows[j] = min(max((rows[j] + 0.5).rounded(.down), 0), maximum) }
      }
      ws.line.withUnsafeMutableBufferPointer { line in
        for y in r.top..<r.bottom {
          verticalPass(y, rows: rows.baseAddress!, firstRow: ys.lowerBound, rowLength: rowLength, into: line.baseAddress!)
          let out = output.address(x: r.left, y: y)
          switch format {
          case .uchar: store(line.baseAddress!, rowLength, out.assumingMemoryBound(to: UInt8.self), 255)
          case .ushort: store(line.baseAddress!, rowLength, out.assumingMemoryBound(to: UInt16.self), 65535)
          default: out.assumingMemoryBound(to: Float.self).update(from: line.baseAddress!, count: rowLength)
          }
        }
      }
    }
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
    let direct: Set<PixelFormat> = [.uchar, .ushort, .float]
    let source = direct.contains(format) ? self : try cast(.float)
    let op = Resample(
      horizontal: tables.0, vertical: tables.1, bands: bands, format: source.format, roundBetweenPasses: rule == .pil)
    return try source.applying(op, width: width, height: height, bands: bands, format: source.format, demand: .strips)
  }
}

extension Image {
  /// Resizes with one weight table per axis (output size: the tables' output lengths). With
  /// `roundBetweenPasses`, 8- and 16-bit results are rounded after the horizontal pass, as Pillow does.
  /// 8-bit, 16-bit and float images keep their format; others are computed as float. `soleReader`
  /// promises that nothing else reads this image's pixels (when the whole result is computed at once,
  /// its input then streams through small buffers even from a sequential loader).
  public func resampled(
    horizontal: ResampleTable, vertical: ResampleTable, roundBetweenPasses: Bool = false, soleReader: Bool = false
  ) throws -> Image {
    precondition(horizontal.inputLength == width && vertical.inputLength == height)
    let direct: Set<PixelFormat> = [.uchar, .ushort, .float]
    let source = direct.contains(format) ? self : try cast(.float)
    let op = Resample(
      horizontal: horizontal, vertical: vertical, bands: bands, format: source.format, roundBetweenPasses: roundBetweenPasses,
      soleReader: soleReader)
    return try source.applying(
      op, width: horizontal.outputLength, height: vertical.outputLength, bands: bands, format: source.format, demand: .strips)
  }
}
