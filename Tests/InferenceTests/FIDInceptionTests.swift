import Foundation
import XCTest

@testable import Inference

final class FIDInceptionTests: XCTestCase {
  /// Every tensor of pytorch-fid's weights file (shapes from inception-tensors.txt), filled with a constant.
  static func stateDict() -> [String: (shape: [Int], values: [Float])] {
    var b = FIDInception.Builder(tensors: [:])
    b.build()
    // The builder reports each missing tensor with its expected shape: "missing NAME AxBxCxD".
    var out: [String: (shape: [Int], values: [Float])] = [:]
    for p in b.problems {
      let parts = p.split(separator: " ")
      let shape = parts[2].split(separator: "x").map { Int($0)! }
      out[String(parts[1])] = (shape, [Float](repeating: 0.01, count: shape.reduce(1, *)))
    }
    return out
  }

  func testGraphShapesForEveryDims() throws {
    let dict = Self.stateDict()
    XCTAssertEqual(dict.count, 94 * 5, "94 BasicConv2d modules, 5 tensors each")
    let result = try FIDInception.convert(dict)
    let contents = try SRGFile.decode(Data(try SRGFile.encode(result.spec, weights: result.weights)))
    let input = Network.Shape(channels: 3, height: 299, width: 299)
    for dims in FIDInception.dimensions {
      let net = try Network(try contents.pruned(to: FIDInception.output(dims: dims)))
      XCTAssertEqual(try net.plan(input).output, Network.Shape(channels: dims, height: 1, width: 1), "dims \(dims)")
    }
    XCTAssertEqual(try Network(contents).plan(input).output.channels, 2048)
  }

  func testMissingAndMisshapenTensorsAreNamed() {
    var dict = Self.stateDict()
    dict["Mixed_6b.branch7x7_2.conv.weight"] = ([128, 128, 7, 1], [Float](repeating: 0, count: 128 * 128 * 7))
    dict["Mixed_7c.branch_pool.bn.running_var"] = nil
    XCTAssertThrowsError(try FIDInception.convert(dict)) { error in
      let text = "\(error)"
      XCTAssertTrue(text.contains("Mixed_6b.branch7x7_2.conv.weight is 128x128x7x1, expected 128x128x1x7"), text)
      XCTAssertTrue(text.contains("missing Mixed_7c.branch_pool.bn.running_var 192"), text)
    }
  }

  /// Batch norm folded into the convolution: conv(x) * g / sqrt(v + 0.001) + b - m * g / sqrt(v + 0.001).
  func testBatchNormIsFolded() throws {
    var b = FIDInception.Builder(tensors: [
      "c.conv.weight": ([1, 1, 1, 1], [2]), "c.bn.weight": ([1], [3]), "c.bn.bias": ([1], [0.5]),
      "c.bn.running_mean": ([1], [1]), "c.bn.running_var": ([1], [4]),
    ])
    b.conv("c", "x", 1, 1, kernel: (1, 1))
    XCTAssertTrue(b.problems.isEmpty)
    let s = 3 / (4.001 as Double).squareRoot()
    XCTAssertEqual(b.weights["c.weight"]!.values[0], Float(2 * s), accuracy: 1e-6)
    XCTAssertEqual(b.weights["c.bias"]!.values[0], Float(0.5 - s), accuracy: 1e-6)
  }

  /// F.interpolate(x, size, mode="bilinear", align_corners=False), values from torch 1.13 on the CPU.
  func testBilinearResizeMatchesPyTorch() throws {
    let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/bilinear-resize.json")
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    let x = Tensor(channels: 3, height: 7, width: 11, data: (0..<231).map { Float(($0 * 37) % 256) / 255 })
    for c in json["cases"] as! [[String: Any]] {
      let (h, w) = (c["height"] as! Int, c["width"] as! Int)
      let expected = (c["values"] as! [Double]).map(Float.init)
      let y = x.resizedBilinear(height: h, width: w)
      XCTAssertEqual(y.shape, [3, h, w])
      let worst = zip(y.data, expected).map { abs($0 - $1) }.max()!
      XCTAssertLessThan(worst, 1e-6, "\(h)x\(w)")
    }
  }
}
