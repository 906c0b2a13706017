import Metrics
import XCTest

@testable import Imaging

final class ResampleTests: XCTestCase {
  func testMatlabWeightsAreNormalisedAndIndicesStayInside() {
    for (n, out, scale) in [(17, 5, 1.0 / 3), (10, 40, 4.0), (7, 7, 1.0), (1000, 251, 0.25)] {
      let t = ResampleTable.matlab(inputLength: n, outputLength: out, scale: scale)
      for i in 0..<out {
        let w = t.weights[i * t.taps..<(i + 1) * t.taps].reduce(0, +)
        XCTAssertEqual(w, 1, accuracy: 1e-5)
      }
      XCTAssertTrue(t.indices.allSatisfy { $0 >= 0 && $0 < n })
    }
  }

  func testSymmetricMirrorRepeatsTheEdgeSample() {
    XCTAssertEqual((-3...7).map { ResampleTable.mirror($0, 4) }, [2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0])
  }

  func testResizingByOneIsIdentity() throws {
    let pixels = (0..<(37 * 23 * 3)).map { UInt8(($0 * 7919) % 251) }
    let image = try Image.fromPixels(pixels, width: 37, height: 23, bands: 3, format: .uchar)
    let same = try image.resampled(width: 37, height: 23, rule: .matlab).pixels(as: UInt8.self)
    XCTAssertEqual(same, pixels)
  }

  /// A shrink of a file read top to bottom gives every strip asked for, in any order: a strip asked for
  /// before the one above it would otherwise leave that one's lines behind the loader.
  func testShrinkOfASequentialFileServesStripsInAnyOrder() throws {
    let (w, h) = (50, 1200)
    let pixels = (0..<(w * h * 3)).map { UInt8(($0 * 7919) % 251) }
    let image = try Image.fromPixels(pixels, width: w, height: h, bands: 3, format: .uchar)
    let expected = try image.resampled(width: 6, height: 144, rule: .pil).pixels(as: UInt8.self)
    let shrunk = try sequentialFile(image).resampled(width: 6, height: 144, rule: .pil)
    let reader = try RowReader(shrunk)
    var got = [UInt8](repeating: 0, count: expected.count)
    for (top, height) in [(128, 16), (0, 16), (64, 48), (16, 48), (112, 16)] {
      let region = try reader.read(Rect(left: 0, top: top, width: 6, height: height))
      for y in top..<top + height {
        let row = region.address(x: 0, y: y).assumingMemoryBound(to: UInt8.self)
        for i in 0..<18 { got[y * 18 + i] = row[i] }
      }
    }
    XCTAssertEqual(got, expected)
  }

  /// The pixels do not depend on how the output is asked for (strips of any height, in any order, one
  /// thread or several): rows summed four at a time and one at a time give the same bits.
  func testResultDoesNotDependOnStripGeometry() throws {
    let (w, h) = (203, 157)
    let pixels = (0..<(w * h * 3)).map { UInt8(truncatingIfNeeded: ($0 * 7919) % 251 + ($0 / 600)) }
    let image = try Image.fromPixels(pixels, width: w, height: h, bands: 3, format: .uchar)
    for (hTable, vTable, round) in [
      (ResampleTable.pillow(inputLength: w, outputLength: 61, filter: .bilinear), ResampleTable.pillow(inputLength: h, outputLength: 47, filter: .bilinear), true),
      (ResampleTable.matlab(inputLength: w, outputLength: 68, scale: 1.0 / 3), ResampleTable.matlab(inputLength: h, outputLength: 53, scale: 1.0 / 3), false),
      (ResampleTable.pillow(inputLength: w, outputLength: 300), ResampleTable.pillow(inputLength: h, outputLength: 211), true),
    ] {
      let shrunk = try image.resampled(horizontal: hTable, vertical: vTable, roundBetweenPasses: round)
      let whole = try shrunk.pixels(as: UInt8.self)
      for strip in [1, 2, 3, 5, 7, 13] {
        let reader = try RowReader(shrunk)
        var got = [UInt8](repeating: 0, count: whole.count)
        let width = shrunk.width
        for top in stride(from: 0, to: shrunk.height, by: strip).reversed() {
          let height = min(strip, shrunk.height - top)
          let region = try reader.read(Rect(left: 0, top: top, width: width, height: height))
          for y in top..<top + height {
            let row = region.address(x: 0, y: y).assumingMemoryBound(to: UInt8.self)
            for i in 0..<(width * 3) { got[y * width * 3 + i] = row[i] }
          }
        }
        XCTAssertEqual(got, whole, "strips of \(strip)")
      }
    }
  }

  func testSixteenBitAndFloatKeepTheirFormat() throws {
    let u16 = (0..<(20 * 10)).map { UInt16($0 * 300) }
    let image = try Image.fromPixels(u16, width: 20, height: 10, bands: 1, format: .ushort)
    let half = try image.resampled(width: 10, height: 5, rule: .matlab)
    XCTAssertEqual(half.format, .ushort)
    let f = try Image.fromPixels(u16.map(Float.init), width: 20, height: 10, bands: 1, format: .float)
      .resampled(width: 10, height: 5, rule: .matlab)
    XCTAssertEqual(f.format, .float)
    // The 16-bit result is the rounded float result: nothing went through 8 bits.
    let a = try half.pixels(as: UInt16.self), b = try f.pixels(as: Float.self)
    for (x, y) in zip(a, b) { XCTAssertEqual(Float(x), min(max(y, 0), 65535).rounded(), accuracy: 0.5001) }
  }

  /// The SR literature's bicubic baseline on Set5 (SRCNN, VDSR, EDSR tables), as its code computes it:
  /// Y of MATLAB's rgb2ycbcr (uint8), imresize down by 1/s and up by s in floating point, rounded once,
  /// s pixels cut from each border, PSNR and Wang's SSIM averaged over the five images.
  /// Tolerance: 0.01 dB and 0.001 SSIM, the precision the tables print.
  func testSet5BicubicTable() throws {
    let table: [(Int, Double, Double)] = [(2, 33.66, 0.9299), (3, 30.39, 0.8682), (4, 28.42, 0.8104)]
    for (s, psnr, ssim) in table {
      let (p, q) = try set5(scale: s, eightBitRGB: false)
      XCTAssertEqual(p, psnr, accuracy: 0.01, "x\(s) PSNR")
      XCTAssertEqual(q, ssim, accuracy: 0.001, "x\(s) SSIM")
    }
  }

  /// The same check with 8-bit RGB files in between, as `downscale` and `upscale -m bicubic` write
  /// them: rounding twice costs about 0.01 dB at x2, so the tolerance is 0.02 dB.
  func testSet5BicubicTableThroughEightBitFiles() throws {
    let table: [(Int, Double, Double)] = [(2, 33.66, 0.9299), (3, 30.39, 0.8682), (4, 28.42, 0.8104)]
    for (s, psnr, ssim) in table {
      let (p, q) = try set5(scale: s, eightBitRGB: true)
      XCTAssertEqual(p, psnr, accuracy: 0.02, "x\(s) PSNR")
      XCTAssertEqual(q, ssim, accuracy: 0.001, "x\(s) SSIM")
    }
  }

  func set5(scale s: Int, eightBitRGB: Bool) throws -> (Double, Double) {
    let folder = Bundle.module.resourceURL!.appendingPathComponent("Set5")
    var psnr = 0.0, ssim = 0.0
    for name in ["baby", "bird", "butterfly", "head", "woman"] {
      var image = try Image.load(path: folder.appendingPathComponent("\(name).png").path, sequential: false)
      let (w, h) = (image.width / s * s, image.height / s * s)
      image = try image.cropped(left: 0, top: 0, width: w, height: h)
      let rgb = try image.pixels(as: UInt8.self)
      let truth = Plane.matlabLuma(rgb, width: w, height: h, bands: 3)
      let restored: Plane
      if eightBitRGB {
        let small = try image.resampled(width: w / s, height: h / s, rule: .matlab, horizontalScale: 1 / Double(s), verticalScale: 1 / Double(s))
        let big = try small.resampled(width: w, height: h, rule: .matlab, horizontalScale: Double(s), verticalScale: Double(s))
        restored = Plane.matlabLuma(try big.pixels(as: UInt8.self), width: w, height: h, bands: 3)
      } else {
        let y = try Image.fromPixels(truth.samples.map { Float($0) }, width: w, height: h, bands: 1, format: .float)
        let small = try y.resampled(width: w / s, height: h / s, rule: .matlab, horizontalScale: 1 / Double(s), verticalScale: 1 / Double(s))
        let big = try small.resampled(width: w, height: h, rule: .matlab, horizontalScale: Double(s), verticalScale: Double(s))
        restored = Plane(width: w, height: h, samples: try big.pixels(as: Float.self).map { Double(min(max($0, 0), 255)).rounded() })
      }
      psnr += PSNR.compute(truth.cropped(border: s), restored.cropped(border: s))
      ssim += SSIM().compute(truth.cropped(border: s), restored.cropped(border: s))
    }
    return (psnr / 5, ssim / 5)
  }
}

final class VipsFacadeTests: XCTestCase {
  func testLibvipsErrorsSurfaceAsText() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("not-an-image-\(getpid()).jpg")
    try Data("hello".utf8).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    XCTAssertThrowsError(try Image.load(path: url.path)) { error in
      XCTAssertEqual("\(error)", "not a known image format")
    }
  }

  func testPixelsRoundTripThroughMemory() throws {
    let px: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
    let image = try Image.fromPixels(px, width: 2, height: 2, bands: 2, format: .uchar)
    XCTAssertEqual(image.bands, 2)
    XCTAssertEqual(try image.pixels(as: UInt8.self), px)
  }
}
