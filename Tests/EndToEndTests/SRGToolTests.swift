import Foundation
import Imaging
import XCTest

/// The `srg` command: import, info, verify and bench on a real model.
final class SRGToolTests: ToolTestCase {
  let srg = Tool(name: "srg")

  var param: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("InferenceTests/Fixtures/realesr-animevideov3-x4.param").path
  }

  func testImportInfoVerifyBench() throws {
    let imported = try srg.run(["import", param, "-o", "av3.srg"], in: work)
    XCTAssertEqual(imported.status, 0, imported.stderr)
    XCTAssertEqual(try srg.run(["import", param, "-o", "av3.srg"], in: work).status, 2)  // no overwrite without -f

    let info = try srg.run(["info", "--json", "av3.srg"], in: work)
    XCTAssertEqual(info.status, 0, info.stderr)
    let record = try JSONSerialization.jsonObject(with: info.stdout) as! [String: Any]
    XCTAssertEqual(record["architecture"] as? String, "SRVGGNetCompact")
    XCTAssertEqual(record["scale"] as? Int, 4)
    XCTAssertEqual(record["parameters"] as? Int, 621_424)

    var damaged = try Data(contentsOf: work.appendingPathComponent("av3.srg"))
    damaged[damaged.count / 2] ^= 0x55
    try damaged.write(to: work.appendingPathComponent("bad.srg"))
    let verify = try srg.run(["verify", "av3.srg", "bad.srg"], in: work)
    XCTAssertEqual(verify.status, 1)
    XCTAssertEqual(verify.stdoutText, "av3.srg: OK\n")
    XCTAssertEqual(verify.stderrLines, ["srg: bad.srg: checksum mismatch: the file is damaged"])

    let bench = try srg.run(["bench", "--size", "16", "--runs", "1", "--json", "av3.srg"], in: work)
    XCTAssertEqual(bench.status, 0, bench.stderr)
    let timing = try JSONSerialization.jsonObject(with: bench.stdout) as! [String: Any]
    XCTAssertGreaterThan(timing["ms"] as? Double ?? 0, 0)
  }

  var torchFixtures: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("InferenceTests/Fixtures/torch")
  }

  /// fast.ai's U-Net from a PyTorch checkpoint: imported, described, and run by `upscale` on an image
  /// that fits one tile, which must give fastai's own forward pass (make-unet-fixtures.py) to within
  /// one 8-bit level.
  func testFastaiUNetImportInfoAndUpscale() throws {
    let imported = try srg.run(["import", torchFixtures.appendingPathComponent("unet-v2.pth").path, "-o", "unet.srg"], in: work)
    XCTAssertEqual(imported.status, 0, imported.stderr)
    XCTAssertEqual(imported.stderrLines, ["srg: wrote unet.srg: unet-v2, DynamicUnet (ResNet-34) x1"])

    let text = try srg.run(["info", "unet.srg"], in: work)
    XCTAssertEqual(text.status, 0, text.stderr)
    XCTAssertTrue(text.stdoutText.contains("architecture  DynamicUnet (ResNet-34)\n"), text.stdoutText)
    XCTAssertTrue(text.stdoutText.contains("input sides padded to a multiple of 32"), text.stdoutText)
    let info = try srg.run(["info", "--json", "unet.srg"], in: work)
    let record = try JSONSerialization.jsonObject(with: info.stdout) as! [String: Any]
    XCTAssertEqual(record["architecture"] as? String, "DynamicUnet (ResNet-34)")
    XCTAssertEqual(record["scale"] as? Int, 1)
    XCTAssertEqual(record["size_multiple"] as? Int, 32)

    let up = try Tool(name: "upscale").run(["-m", "unet.srg", "-o", "out.png", torchFixtures.appendingPathComponent("unet-input.png").path], in: work)
    XCTAssertEqual(up.status, 0, up.stderr)
    let ours = try Image.load(path: work.appendingPathComponent("out.png").path, sequential: false).pixels(as: UInt8.self)
    let theirs = try Image.load(path: torchFixtures.appendingPathComponent("unet-v2.output.png").path, sequential: false).pixels(as: UInt8.self)
    XCTAssertEqual(ours.count, theirs.count)
    XCTAssertLessThanOrEqual(zip(ours, theirs).map { abs(Int($0) - Int($1)) }.max() ?? 255, 1)
  }

  /// A ResNet body without the U-Net's decoder (a checkpoint of the wrong part) is refused in one line.
  func testPartialFastaiUNetIsRefusedInOneLine() throws {
    // A .safetensors file: an 8-byte header length, the JSON header, the (zero) data.
    let header = #"{"layers.0.0.weight":{"dtype":"F32","shape":[4,3,7,7],"data_offsets":[0,2352]},"#
      + #""layers.0.4.0.conv1.weight":{"dtype":"F32","shape":[4,4,3,3],"data_offsets":[2352,2928]}}"#
    var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Data($0) }
    bytes += Data(header.utf8) + Data(count: 2928)
    try bytes.write(to: work.appendingPathComponent("body.safetensors"))
    let r = try srg.run(["import", "body.safetensors", "-o", "body.srg"], in: work)
    XCTAssertEqual(r.status, 2)
    XCTAssertEqual(r.stderrLines.count, 1, r.stderr)
    XCTAssertTrue(r.stderr.hasPrefix("srg: body.safetensors: fast.ai U-Net: no UnetBlock"), r.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("body.srg").path))
  }

  func testUnknownSourcesAreRefusedInOneLine() throws {
    try Data("not a model".utf8).write(to: work.appendingPathComponent("x.pth"))
    let r = try srg.run(["import", "x.pth", "-o", "x.srg"], in: work)
    XCTAssertEqual(r.status, 2)
    XCTAssertEqual(r.stderrLines.count, 1, r.stderr)
    XCTAssertTrue(r.stderr.hasPrefix("srg: x.pth: "), r.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("x.srg").path))
  }
}
