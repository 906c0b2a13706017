import Foundation
import XCTest

@testable import Inference

/// Each fast op against its plain reference, on odd sizes, padding and channel counts.
final class OpTests: XCTestCase {
  func random(_ n: Int, seed: UInt64) -> [Float] { randomValues(n, seed: seed) }

  func assertClose(_ a: Tensor, _ b: Tensor, _ tolerance: Float = 1e-4, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.shape, b.shape, file: file, line: line)
    let worst = zip(a.data, b.data).map { abs($0 - $1) }.max() ?? 0
    XCTAssertLessThan(worst, tolerance, file: file, line: line)
  }

  func testConvolutionMatchesReference() {
    let cases: [(cin: Int, cout: Int, k: (Int, Int), s: (Int, Int), d: (Int, Int), p: (Int, Int, Int, Int), g: Int, h: Int, w: Int)] = [
      (3, 5, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 1, 7, 9),
      (4, 6, (1, 1), (1, 1), (1, 1), (0, 0, 0, 0), 1, 5, 3),
      (4, 4, (3, 3), (2, 2), (1, 1), (1, 1, 0, 2), 2, 9, 8),
      (2, 3, (5, 3), (1, 2), (2, 1), (2, 0, 3, 1), 1, 11, 6),
      (6, 6, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 6, 4, 4),
      (3, 2, (9, 9), (1, 1), (1, 1), (4, 4, 4, 4), 1, 13, 10),
    ]
    for (i, c) in cases.enumerated() {
      var conv = Conv2D(
        inChannels: c.cin, outChannels: c.cout, kernel: (c.k.0, c.k.1),
        weight: random(c.cout * c.cin / c.g * c.k.0 * c.k.1, seed: UInt64(i)), bias: random(c.cout, seed: 99))
      conv.stride = (c.s.0, c.s.1)
      conv.dilation = (c.d.0, c.d.1)
      conv.padding = c.p
      conv.groups = c.g
      conv.activation = i % 2 == 0 ? .leakyReLU(slope: 0.2) : .relu
      let x = Tensor(channels: c.cin, height: c.h, width: c.w, data: random(c.cin * c.h * c.w, seed: 7))
      var scratch: [Float] = []
      assertClose(conv.forward(x, scratch: &scratch), conv.reference(x))
    }
  }

  func testWinogradMatchesReference() {
    // Images smaller than one 6x6 tile, not a multiple of it, one pixel wide, wide enough for rows
    // of eight whole tiles; paddings 0, 1 and uneven; channel counts that are not multiples of
    // eight; one to three threads; the input whole and as two parts read as one (a fused concat).
    let cases: [(cin: Int, cout: Int, p: (Int, Int, Int, Int), h: Int, w: Int, threads: Int)] = [
      (8, 8, (1, 1, 1, 1), 5, 4, 1),
      (9, 13, (1, 1, 1, 1), 13, 20, 3),
      (16, 8, (0, 0, 0, 0), 9, 9, 1),
      (8, 11, (2, 0, 1, 3), 17, 7, 2),
      (12, 8, (1, 1, 1, 1), 1, 31, 2),
      (10, 9, (1, 1, 1, 1), 40, 3, 3),
      (3, 16, (1, 1, 1, 1), 10, 11, 2),
      (8, 8, (1, 1, 1, 1), 7, 61, 2),
      (13, 10, (0, 1, 2, 1), 14, 50, 1),
    ]
    for (i, c) in cases.enumerated() {
      var conv = Conv2D(
        inChannels: c.cin, outChannels: c.cout, kernel: (3, 3),
        weight: random(c.cout * c.cin * 9, seed: UInt64(i + 20)), bias: random(c.cout, seed: 5))
      conv.padding = c.p
      conv.activation = [.none, .relu, .leakyReLU(slope: 0.2)][i % 3]
      if i % 2 == 1 { conv.slopes = random(c.cout, seed: 6) }
      conv.prepare()
      XCTAssertNotNil(conv.winogradWeight)
      let x = Tensor(channels: c.cin, height: c.h, width: c.w, data: random(c.cin * c.h * c.w, seed: 8))
      var scratch: [Float] = []
      let expected = conv.reference(x)
      assertClose(conv.forward(x, threads: c.threads, scratch: &scratch), expected, 2e-4)
      let k = c.cin / 2, plane = c.h * c.w
      let parts = [
        Tensor(channels: k, height: c.h, width: c.w, data: Array(x.data[..<(k * plane)])),
        Tensor(channels: c.cin - k, height: c.h, width: c.w, data: Array(x.data[(k * plane)...])),
      ]
      assertClose(conv.forward(parts, threads: c.threads, scratch: &scratch), expected, 2e-4)
    }
  }

  func testPointwiseAndBandedConvolutionSplitOverThreads() {
    for (k, p) in [(1, 0), (5, 2)] {
      var conv = Conv2D(inChannels: 6, outChannels: 4, kernel: (k, k), weight: random(4 * 6 * k * k, seed: 3), bias: random(4, seed: 4))
      conv.padding = (p, p, p, p)
      conv.slopes = random(4, seed: 9)
      let x = Tensor(channels: 6, height: 23, width: 37, data: random(6 * 23 * 37, seed: 2))
      var scratch: [Float] = []
      assertClose(conv.forward(x, threads: 3, scratch: &scratch), conv.reference(x))
    }
  }

  func testTransposedConvolutionMatchesReference() {
    for (i, (k, s, p, op)) in [(4, 2, 3, 0), (2, 2, 0, 0), (3, 2, 1, 1), (3, 1, 1, 0)].enumerated() {
      let d = ConvTranspose2D(
        inChannels: 3, outChannels: 2, kernel: (k, k), stride: (s, s), padding: (p, p, p, p), outputPadding: (op, op),
        weight: random(2 * 3 * k * k, seed: UInt64(i + 10)), bias: random(2, seed: 3), activation: .leakyReLU(slope: 0.1))
      let x = Tensor(channels: 3, height: 5, width: 7, data: random(105, seed: 4))
      var scratch: [Float] = []
      assertClose(d.forward(x, scratch: &scratch), d.reference(x))
    }
  }

  func testPixelShuffleAndUnshuffleInvert() throws {
    let x = Tensor(channels: 8, height: 3, width: 5, data: random(120, seed: 1))
    let up = try PixelShuffle.forward(x, factor: 2)
    XCTAssertEqual(up.shape, [2, 6, 10])
    XCTAssertEqual(up[1, 3, 4], x[4 + 2 * 1 + 0, 1, 2])  // c*r*r + i*r + j with c=1, i=1, j=0
    XCTAssertEqual(try PixelShuffle.inverse(up, factor: 2), x)
  }

  func testResizeModes() throws {
    let x = Tensor(channels: 1, height: 2, width: 2, data: [0, 1, 2, 3])
    let nearest = try Resize.forward(x, mode: .nearest, scaleY: 2, scaleX: 2)
    XCTAssertEqual(nearest.data, [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3])
    let bilinear = try Resize.forward(x, mode: .bilinear, scaleY: 2, scaleX: 2)
    // PyTorch: F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=False)
    XCTAssertEqual(bilinear.data[0..<4].map { ($0 * 1000).rounded() / 1000 }, [0, 0.25, 0.75, 1])
    let cubic = try Resize.forward(Tensor(channels: 1, height: 1, width: 4, data: [0, 1, 2, 3]), mode: .bicubic, scaleY: 1, scaleX: 0.5)
    XCTAssertEqual(cubic.shape, [1, 1, 2])
    // Sample at 0.5: taps -1, 0, 1, 2 with the edge repeated, weights w(1.5), w(0.5), w(0.5), w(1.5) of
    // Keys' cubic (A = -0.75): 0 + 0 + 0.59375 * 1 - 0.09375 * 2.
    XCTAssertEqual(cubic.data[0], 0.40625, accuracy: 1e-6)
  }

  func testPadModes() throws {
    let x = Tensor(channels: 1, height: 2, width: 3, data: [1, 2, 3, 4, 5, 6])
    // fast.ai's blur pad: nn.ReplicationPad2d((1, 0, 1, 0)).
    XCTAssertEqual(try Pad(mode: .replicate, top: 1, left: 1).forward(x).data, [1, 1, 2, 3, 1, 1, 2, 3, 4, 4, 5, 6])
    XCTAssertEqual(try Pad(mode: .zeros, left: 1, bottom: 1).forward(x).data, [0, 1, 2, 3, 0, 4, 5, 6, 0, 0, 0, 0])
    // nn.ReflectionPad2d((1, 2, 1, 0)): left, right, top, bottom.
    let reflected = try Pad(mode: .reflect, top: 1, left: 1, right: 2).forward(x)
    XCTAssertEqual(reflected.shape, [1, 3, 6])
    XCTAssertEqual(reflected.data, [5, 4, 5, 6, 5, 4, 2, 1, 2, 3, 2, 1, 5, 4, 5, 6, 5, 4])
    XCTAssertThrowsError(try Pad(mode: .reflect, top: 2).forward(x))
  }

  func testSelfAttentionMatchesReference() throws {
    let (c, k, h, w) = (16, 2, 5, 7)
    var a = SelfAttention(
      channels: c, keyChannels: k, query: random(k * c, seed: 21), key: random(k * c, seed: 22), value: random(c * c, seed: 23), gamma: 0.7)
    let x = Tensor(channels: c, height: h, width: w, data: random(c * h * w, seed: 24).map { $0 * 3 })
    var scratch: [Float] = []
    let expected = a.reference(x)
    assertClose(try a.forward(x, scratch: &scratch), expected)
    a.blockElements = 3 * h * w  // beta three columns at a time, the last block short
    assertClose(try a.forward(x, scratch: &scratch), expected)
    // A one-position map attends only to itself: out = gamma * value(x) + x.
    let one = Tensor(channels: c, height: 1, width: 1, data: random(c, seed: 25))
    let y = try a.forward(one, scratch: &scratch)
    for o in 0..<c {
      let v = (0..<c).reduce(Float(0)) { $0 + a.value[o * c + $1] * one.data[$1] }
      XCTAssertEqual(y.data[o], 0.7 * v + one.data[o], accuracy: 1e-5)
    }
  }

  func testPoolingAndLinear() throws {
    let x = Tensor(channels: 1, height: 3, width: 3, data: [1, 2, 3, 4, 5, 6, 7, 8, 9])
    let avg = try Pool(kind: .average, kernel: (3, 3), stride: (1, 1), padding: (1, 1), countIncludePad: false).forward(x)
    XCTAssertEqual(avg[0, 0, 0], 3)  // (1+2+4+5)/4
    let avgPad = try Pool(kind: .average, kernel: (3, 3), stride: (1, 1), padding: (1, 1), countIncludePad: true).forward(x)
    XCTAssertEqual(avgPad[0, 0, 0], 12 / 9)
    let mx = try Pool(kind: .max, kernel: (2, 2), stride: (2, 2)).forward(x)
    XCTAssertEqual(mx.data, [5])
    XCTAssertEqual(Pool.globalAverage(x).data, [5])
    let l = Linear(inFeatures: 9, outFeatures: 2, weight: [Float](repeating: 1, count: 9) + [Float](repeating: -1, count: 9), bias: [1, 0], activation: .relu)
    XCTAssertEqual(try l.forward(x).data, [46, 0])
  }

  func testElementwiseOps() throws {
    let a = Tensor(channels: 2, height: 1, width: 2, data: [1, 2, 3, 4]), b = Tensor(channels: 2, height: 1, width: 2, data: [10, 20, 30, 40])
    XCTAssertEqual(try WeightedSum.forward(a, [b], coefficients: [0.5, 0.1]).data, [1.5, 3, 4.5, 6])
    XCTAssertEqual(try Multiply.forward(a, Tensor(channels: 2, height: 1, width: 1, data: [2, 3])).data, [2, 4, 9, 12])
    XCTAssertEqual(try Concat.forward([a, b]).channels, 4)
    XCTAssertThrowsError(try WeightedSum.forward(a, [Tensor(channels: 1, height: 1, width: 2)], coefficients: nil))
    XCTAssertEqual(try Crop.forward(Tensor(channels: 1, height: 3, width: 3, data: (0..<9).map(Float.init)), top: 1, left: 1, height: 2, width: 1).data, [4, 7])
  }
}
