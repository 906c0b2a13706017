import Foundation
import XCTest

@testable import Inference

/// The container never trusts its input: every damaged or hostile file is a clear error.
final class SRGFileTests: XCTestCase {
  /// A one-convolution model: 2 -> 1 channels, 3x3.
  func model(nodes: [NodeSpec]? = nil, weights: [String: SRGFile.Weight]? = nil) throws -> [UInt8] {
    var conv = NodeSpec(op: "conv2d", inputs: ["x"], output: "y")
    conv.kernel = [3, 3]
    conv.padding = [1, 1, 1, 1]
    conv.weights = ["weight": "w", "bias": "b"]
    let spec = GraphSpec(
      metadata: ModelMetadata(name: "tiny", architecture: "test", scale: 1, inputChannels: 2, outputChannels: 1, halo: 1),
      inputs: ["x"], outputs: ["y"], nodes: nodes ?? [conv])
    return try SRGFile.encode(spec, weights: weights ?? [
      "w": .init(shape: [1, 2, 3, 3], values: (0..<18).map { Float($0) / 10 }, dtype: .f16),
      "b": .init(shape: [1], values: [0.5]),
    ])
  }

  func expectError(_ bytes: [UInt8], _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try Network(SRGFile.decode(Data(bytes))), file: file, line: line) { error in
      XCTAssertTrue("\(error)".contains(fragment), "\"\(error)\" lacks \"\(fragment)\"", file: file, line: line)
    }
  }

  func testRoundTripKeepsMetadataAndWeights() throws {
    let contents = try SRGFile.decode(Data(try model()))
    XCTAssertEqual(contents.spec.metadata.name, "tiny")
    XCTAssertEqual(try contents.tensor("b"), [0.5])
    XCTAssertEqual(try contents.tensor("w")[5], Float(Float16(0.5)))
    let net = try Network(contents)
    let y = try net.run(Tensor(channels: 2, height: 4, width: 5, repeating: 1))
    XCTAssertEqual(y.shape, [1, 4, 5])
    XCTAssertEqual(contents.spec.tensors["w"]!.offset % 64, 0)
  }

  func testDamagedFilesAreRefused() throws {
    let good = try model()
    expectError(Array(good.prefix(20)), "not an .srg file")
    expectError(Array(good.dropLast(9)), "truncated or damaged")
    var flipped = good
    flipped[flipped.count - 20] ^= 0xFF
    expectError(flipped, "checksum")
    var magic = good
    magic[0] = 0x50
    expectError(magic, "bad magic")
    var version = good
    version[4] = 9
    expectError(version, "version")
  }

  func testHostileHeadersAreRefused() throws {
    // Re-sign a file whose header was edited, so only the validation stands in the way.
    func resigned(_ edit: (inout GraphSpec) -> Void) throws -> [UInt8] {
      let original = try SRGFile.decode(Data(try model()))
      var spec = original.spec
      edit(&spec)
      let header = Array(try JSONEncoder().encode(spec))
      var out: [UInt8] = SRGFile.magic
      SRGFile.append(&out, SRGFile.version)
      SRGFile.append(&out, SRGFile.byteOrderMark)
      SRGFile.append(&out, UInt32(header.count))
      let dataOffset = (32 + header.count + 63) / 64 * 64
      let data = Array(original.bytes[original.dataOffset..<(original.bytes.count - 8)])
      SRGFile.append(&out, UInt64(dataOffset))
      SRGFile.append(&out, UInt64(data.count))
      out += header + [UInt8](repeating: 0, count: dataOffset - 32 - header.count) + data
      SRGFile.append(&out, SRGFile.checksum(out[...]))
      return out
    }
    expectError(try resigned { $0.tensors["w"]!.offset = 1 << 40 }, "outside the data section")
    expectError(try resigned { $0.tensors["w"]!.offset = 3 }, "misaligned")
    expectError(try resigned { $0.tensors["b"]!.offset = $0.tensors["w"]!.offset }, "overlap")
    expectError(try resigned { $0.tensors["w"]!.shape = [1 << 40, 1 << 40] }, "too large")
    expectError(try resigned { $0.tensors["w"]!.shape = [1, -2, 3, 3] }, "not positive")
    expectError(try resigned { $0.nodes[0].inputs = ["y"] }, "before anything defines it")
    expectError(try resigned { $0.nodes[0].op = "launch_missiles" }, "unknown operation")
    expectError(try resigned { $0.nodes[0].weights = ["weight": "nope"] }, "must be a tensor")
    expectError(try resigned { $0.nodes[0].kernel = [5, 5] }, "expected")
    expectError(try resigned { $0.outputs = ["z"] }, "never defined")
  }

  func testShapeMismatchAtRunTimeIsAnError() throws {
    let net = try Network(SRGFile.decode(Data(try model())))
    XCTAssertThrowsError(try net.run(Tensor(channels: 3, height: 4, width: 4)))
  }
}
