import Foundation
import XCTest

@testable import Inference

/// Ops fused at load give what the graph's ops give one by one.
final class FusionTests: XCTestCase {
  /// x -> conv a -> PReLU -> concat(x, a) -> conv b: the PReLU runs in conv a's epilogue and conv b
  /// reads x and a without the concatenation being built.
  func testPReLUAndConcatenationFuseIntoConvolutions() throws {
    func conv(_ input: [String], _ output: String, _ weight: String) -> NodeSpec {
      var n = NodeSpec(op: "conv2d", inputs: input, output: output)
      n.kernel = [3, 3]
      n.padding = [1, 1, 1, 1]
      n.weights = ["weight": weight + "w", "bias": weight + "b"]
      return n
    }
    var prelu = NodeSpec(op: "prelu", inputs: ["a0"], output: "a")
    prelu.weights = ["slope": "s"]
    let nodes = [conv(["x"], "a0", "a"), prelu, NodeSpec(op: "concat", inputs: ["x", "a"], output: "xa"), conv(["xa"], "y", "b")]
    let weights: [String: SRGFile.Weight] = [
      "aw": .init(shape: [8, 8, 3, 3], values: randomValues(576, seed: 1)), "ab": .init(shape: [8], values: randomValues(8, seed: 2)),
      "s": .init(shape: [8], values: randomValues(8, seed: 3)),
      "bw": .init(shape: [8, 16, 3, 3], values: randomValues(1152, seed: 4)), "bb": .init(shape: [8], values: randomValues(8, seed: 5)),
    ]
    let spec = GraphSpec(
      metadata: ModelMetadata(name: "fused", architecture: "test", scale: 1, inputChannels: 8, outputChannels: 8, halo: 2),
      inputs: ["x"], outputs: ["y"], nodes: nodes)
    let net = try Network(SRGFile.decode(Data(try SRGFile.encode(spec, weights: weights))))
    XCTAssertEqual(net.steps.count, 2, "PReLU and concat fused")

    let x = Tensor(channels: 8, height: 13, width: 17, data: randomValues(8 * 13 * 17, seed: 6))
    var a = Conv2D(inChannels: 8, outChannels: 8, kernel: (3, 3), weight: weights["aw"]!.values, bias: weights["ab"]!.values)
    a.padding = (1, 1, 1, 1)
    var b = Conv2D(inChannels: 16, outChannels: 8, kernel: (3, 3), weight: weights["bw"]!.values, bias: weights["bb"]!.values)
    b.padding = (1, 1, 1, 1)
    var ax = a.reference(x)
    PReLU.apply(&ax, slopes: weights["s"]!.values)
    let expected = b.reference(try Concat.forward([x, ax]))
    for threads in [1, 2] {
      let y = try net.run(x, workspace: Network.Workspace(threads: threads))
      XCTAssertEqual(y.shape, expected.shape)
      // Winograd F(6x6, 3x3) in single precision: relative to the largest output.
      let scale = expected.data.map(abs).max()!
      XCTAssertLessThan(zip(y.data, expected.data).map { abs($0 - $1) }.max()! / scale, 2e-5)
    }
  }
}
