import Foundation
import XCTest

@testable import Imaging

final class DegradationTests: XCTestCase {
  func testSplitMix64MatchesTheReferenceSequence() {
    // Vigna's splitmix64.c seeded with 0.
    var g = SplitMix64(seed: 0)
    XCTAssertEqual([g.next(), g.next(), g.next()], [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
  }

  func testFNV1aMatchesItsPublishedValues() {
    XCTAssertEqual(fnv1a64([UInt8]()), 0xCBF2_9CE4_8422_2325)
    XCTAssertEqual(fnv1a64(Array("a".utf8)), 0xAF63_DC4C_8601_EC8C)
    XCTAssertEqual(fnv1a64(Array("foobar".utf8)), 0x8594_4171_F739_67E8)
  }

  func testDrawsDependOnlyOnSeedAndName() {
    func sample(_ seed: UInt64, _ name: String) -> [Int] {
      var d = Draws(seed: seed, name: Array(name.utf8))
      return (0..<8).map { _ in d.int(0...1000) }
    }
    XCTAssertEqual(sample(1, "a/b.png"), sample(1, "a/b.png"))
    XCTAssertNotEqual(sample(1, "a/b.png"), sample(2, "a/b.png"))
    XCTAssertNotEqual(sample(1, "a/b.png"), sample(1, "a/c.png"))
  }

  func testDrawsStayInRangeAndFollowWeights() {
    var d = Draws(seed: 3, name: [])
    var counts = [0, 0, 0]
    for _ in 0..<20000 {
      let i = d.int(10...70)
      XCTAssertTrue((10...70).contains(i))
      let u = d.uniform(0.2...3)
      XCTAssertTrue(u >= 0.2 && u < 3)
      counts[d.pick([0, 1, 2], weights: [0.2, 0.7, 0.1])] += 1
    }
    XCTAssertEqual(Double(counts[0]) / 20000, 0.2, accuracy: 0.015)
    XCTAssertEqual(Double(counts[1]) / 20000, 0.7, accuracy: 0.015)
  }

  func testRepeatedKeysAreNumbered() {
    var d = Draws(seed: 0, name: [])
    d.record("jpeg_quality", .int(30))
    d.record("jpeg_quality", .int(40))
    XCTAssertEqual(d.log.map(\.0), ["jpeg_quality", "jpeg_quality_2"])
  }

  func testKernelsAreNormalisedAndShaped() {
    let iso = BlurKernel.gaussian(size: 21, sigmaX: 2, sigmaY: 2, theta: 0)
    XCTAssertEqual(iso.weights.reduce(0, +), 1, accuracy: 1e-12)
    // exp(-r²/2σ²) up to the normalisation: centre over the sample one pixel right.
    XCTAssertEqual(iso.weights[10 * 21 + 10] / iso.weights[10 * 21 + 11], exp(1.0 / 8), accuracy: 1e-9)
    // An anisotropic kernel turned by 90 degrees is the transposed one.
    let a = BlurKernel.gaussian(size: 9, sigmaX: 3, sigmaY: 1, theta: 0)
    let b = BlurKernel.gaussian(size: 9, sigmaX: 3, sigmaY: 1, theta: Double.pi / 2)
    for r in 0..<9 { for c in 0..<9 { XCTAssertEqual(a.weights[r * 9 + c], b.weights[c * 9 + r], accuracy: 1e-12) } }
    // Wide along x: the row through the centre falls off slower than the column.
    XCTAssertGreaterThan(a.weights[4 * 9 + 6], a.weights[6 * 9 + 4])
    for k in [
      BlurKernel.generalizedGaussian(size: 13, sigmaX: 1.5, sigmaY: 0.7, theta: 0.3, beta: 3),
      BlurKernel.plateau(size: 13, sigmaX: 1.5, sigmaY: 0.7, theta: 0.3, beta: 1.5),
      BlurKernel.sinc(size: 15, omega: Double.pi / 3),
    ] {
      XCTAssertEqual(k.weights.reduce(0, +), 1, accuracy: 1e-12)
      // Point symmetric, as every Real-ESRGAN kernel is.
      XCTAssertEqual(k.weights, k.weights.reversed().map { $0 }, accuracy: 1e-12)
    }
    // The sinc's centre is the largest weight, with negative lobes around it.
    let sinc = BlurKernel.sinc(size: 21, omega: Double.pi / 4)
    XCTAssertEqual(sinc.weights.max(), sinc.weights[10 * 21 + 10])
    XCTAssertLessThan(sinc.weights.min()!, 0)
  }

  func testTorchTablesMatchInterpolate() {
    // Halving with bilinear averages pairs; area does the same.
    for mode in [ResampleTable.TorchMode.bilinear, .area] {
      let t = ResampleTable.torch(mode, inputLength: 8, outputLength: 4)
      for i in 0..<4 {
        var w = [Float](repeating: 0, count: 8)
        for k in 0..<t.taps { w[Int(t.indices[i * t.taps + k])] += t.weights[i * t.taps + k] }
        XCTAssertEqual(w[2 * i], 0.5, accuracy: 1e-6)
        XCTAssertEqual(w[2 * i + 1], 0.5, accuracy: 1e-6)
      }
    }
    // Doubling with bicubic (a = -0.75): output 1 sits at input 0.25.
    let t = ResampleTable.torch(.bicubic, inputLength: 10, outputLength: 20)
    XCTAssertEqual(t.indices[4..<8].map { $0 }, [0, 0, 1, 2])
    let expected: [Float] = [-0.10546875, 0.87890625, 0.26171875, -0.03515625]
    for k in 0..<4 { XCTAssertEqual(t.weights[4 + k], expected[k], accuracy: 1e-6) }
    // Same size: identity.
    let same = ResampleTable.torch(.bicubic, inputLength: 5, outputLength: 5)
    for i in 0..<5 { XCTAssertEqual(same.weights[i * 4 + 1], 1, accuracy: 1e-6) }
  }

  func testPillowBilinearIsTheWidenedTriangle() {
    let t = ResampleTable.pillow(inputLength: 8, outputLength: 2, filter: .bilinear)
    // Output 0 centres on 2.0; shrinking by 4 widens the triangle to half-width 4: weights
    // 1 - |i + 0.5 - 2|/4 over inputs 0...5.
    let w = (0..<6).map { 1 - abs(Double($0) + 0.5 - 2) / 4 }
    let sum = w.reduce(0, +)
    for k in 0..<6 { XCTAssertEqual(Double(t.weights[k]), w[k] / sum, accuracy: 1e-6) }
  }

  func testPoissonAndNormalSamplers() {
    var g = SplitMix64(seed: 99)
    for lambda in [3.0, 40.0, 250.0] {
      let n = 40000
      let xs = (0..<n).map { _ in NoiseOperation.poisson(lambda, &g) }
      let mean = xs.reduce(0, +) / Double(n)
      let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
      XCTAssertEqual(mean, lambda, accuracy: lambda * 0.02 + 0.05)
      XCTAssertEqual(variance, lambda, accuracy: lambda * 0.05 + 0.1)
    }
    let zs = (0..<40000).map { _ in NoiseOperation.normal(&g) }
    let m = zs.reduce(0, +) / 40000
    XCTAssertEqual(m, 0, accuracy: 0.02)
    XCTAssertEqual((zs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 40000).squareRoot(), 1, accuracy: 0.02)
  }

  func testNoiseDoesNotDependOnTiling() throws {
    let flat = try Image.fromPixels([Float](repeating: 100, count: 300 * 200 * 3), width: 300, height: 200, bands: 3, format: .float)
    let a = try flat.addingNoise(.poisson(scale: 2), gray: false, key: 42).pixels(as: Float.self)
    let region = try flat.addingNoise(.poisson(scale: 2), gray: false, key: 42).cropped(left: 77, top: 51, width: 90, height: 60)
      .pixels(as: Float.self)
    for y in 0..<60 {
      for x in 0..<90 {
        for b in 0..<3 { XCTAssertEqual(region[(y * 90 + x) * 3 + b], a[((y + 51) * 300 + x + 77) * 3 + b]) }
      }
    }
    let gray = try flat.addingNoise(.gaussian(sigma: 5), gray: true, key: 1).pixels(as: Float.self)
    for i in stride(from: 0, to: gray.count, by: 3) where gray[i] != gray[i + 1] || gray[i] != gray[i + 2] {
      XCTFail("gray noise differs between bands at sample \(i)")
      break
    }
  }

  func testJPEGRoundTripAndTextMask() throws {
    let pixels: [UInt8] = (0..<(64 * 48 * 3)).map { (i: Int) -> UInt8 in UInt8(truncatingIfNeeded: (i / 3) % 64 * 4) }
    let image = try Image.fromPixels(pixels, width: 64, height: 48, bands: 3, format: .uchar)
    let bytes = try image.jpegEncoded(quality: 90)
    XCTAssertEqual(Array(bytes.prefix(2)), [0xFF, 0xD8])
    let back = try Image.load(bytes: bytes)
    XCTAssertEqual([back.width, back.height, back.bands], [64, 48, 3])
    let mask = try Image.textMask("42", pixelSize: 20)
    XCTAssertEqual(mask.bands, 1)
    XCTAssertGreaterThan(mask.width, 10)
    XCTAssertGreaterThan(try mask.pixels(as: UInt8.self).max()!, 200)
  }
}

func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
  XCTAssertEqual(a.count, b.count, file: file, line: line)
  for (x, y) in zip(a, b) where abs(x - y) > accuracy {
    XCTFail("\(x) != \(y)", file: file, line: line)
    return
  }
}
