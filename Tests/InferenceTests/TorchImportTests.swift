import Foundation
import WeightFormats
import XCTest

@testable import Inference

/// PyTorch checkpoints imported and run by the engine against torch's own forward pass on the same
/// weights and input (Fixtures/torch, written by make-torch-fixtures.py). Tolerance: 1e-4 relative
/// (largest difference over the largest reference value).
final class TorchImportTests: XCTestCase {
  static func fixture(_ name: String) -> URL { Bundle.module.resourceURL!.appendingPathComponent("Fixtures/torch/\(name)") }

  static func relativeError(_ output: Inference.Tensor, _ expected: Inference.Tensor) -> Float {
    var diff: Float = 0, peak: Float = 0
    for (a, b) in zip(output.data, expected.data) {
      diff = max(diff, abs(a - b))
      peak = max(peak, abs(b))
    }
    return diff / peak
  }

  @discardableResult
  func check(_ file: String, reference: String, input: String = "input", architecture: String, scale: Int) throws -> ModelMetadata {
    let imported = try TorchImporter.load(path: Self.fixture(file).path)
    let m = imported.spec.metadata
    XCTAssertEqual(m.architecture, architecture, file)
    XCTAssertEqual(m.scale, scale, file)
    let net = try Network(SRGFile.decode(Data(SRGFile.encode(imported.spec, weights: imported.weights))))
    let x = try loadNPY(Self.fixture("\(input).npy"))
    let expected = try loadNPY(Self.fixture("\(reference).output.npy"))
    let output = try net.run(x)
    XCTAssertEqual(output.shape, expected.shape, file)
    XCTAssertEqual(output.shape, [m.outputChannels, x.height * scale, x.width * scale], file)
    guard output.shape == expected.shape else { return m }
    let error = Self.relativeError(output, expected)
    print("\(file): \(architecture) x\(scale), relative error \(error)")
    XCTAssertLessThan(error, 1e-4, "\(file): relative error \(error)")
    return m
  }

  func testESRGANOriginalLayout() throws {
    try check("esrgan-x4.pth", reference: "rrdbnet-x4", architecture: "RRDBNet", scale: 4)
  }

  func testRRDBNetBasicSRLayoutFromSafetensors() throws {
    try check("rrdbnet-x4.safetensors", reference: "rrdbnet-x4", architecture: "RRDBNet", scale: 4)
  }

  func testRRDBNetPixelUnshuffleX2() throws {
    let m = try check("rrdbnet-x2.pth", reference: "rrdbnet-x2", architecture: "RRDBNet", scale: 2)
    XCTAssertEqual(m.sizeMultiple, 2)
  }

  func testRRDBNetPixelUnshuffleX1() throws {
    let m = try check("rrdbnet-x1.pth", reference: "rrdbnet-x1", input: "input-12x8", architecture: "RRDBNet", scale: 1)
    XCTAssertEqual(m.sizeMultiple, 4)
  }

  func testSRVGGNetCompact() throws {
    try check("srvgg-x4.pth", reference: "srvgg-x4", architecture: "SRVGGNetCompact", scale: 4)
  }

  func testMSRResNet() throws {
    try check("msrresnet-x4.pth", reference: "msrresnet-x4", architecture: "MSRResNet", scale: 4)
  }

  func testSRGANResNetWithBatchNorm() throws {
    try check("srgan-x4.pth", reference: "srgan-x4", architecture: "SRResNet", scale: 4)
  }

  func testEDSR() throws {
    try check("edsr-x2.pth", reference: "edsr-x2", architecture: "EDSR", scale: 2)
  }

  func testUnrecognisedStateDictNamesWhatItFound() throws {
    let t = WeightFormats.Tensor(shape: [4, 3, 3, 3], values: [Float](repeating: 0, count: 108))
    let state = try StateDict([("encoder.0.weight", t), ("encoder.0.bias", t), ("decoder.head.weight", t)], format: .torchZip)
    XCTAssertThrowsError(try TorchImporter.convert(state, name: "x")) { error in
      let text = "\(error)"
      XCTAssertTrue(text.contains("unrecognised state dict"), text)
      XCTAssertTrue(text.contains("encoder (2)") && text.contains("decoder (1)"), text)
      XCTAssertTrue(text.contains("encoder.0.weight [4, 3, 3, 3]"), text)
      XCTAssertTrue(text.contains("RRDBNet"), text)
    }
  }

  func testLeftoverTensorsAreRefused() throws {
    // A checkpoint with a layer the recognised architecture has no place for is refused, not half-used.
    var entries = try StateDict.load(path: Self.fixture("rrdbnet-x4.safetensors").path)
    let extra = entries["conv_hr.weight"]!
    entries = try StateDict(entries.keys.map { ($0, entries[$0]!) } + [("attention.weight", extra)], format: .safetensors)
    XCTAssertThrowsError(try TorchImporter.convert(entries, name: "x")) { error in
      XCTAssertTrue("\(error)".contains("attention.weight"), "\(error)")
    }
  }

  // MARK: examples/export/export_srg.py

  /// Runs `python` with `arguments`; nil when it cannot start or fails.
  static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    p.arguments = arguments
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: output, as: UTF8.self))
  }

  func testExportScriptWritesFilesTheEngineRuns() throws {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), (try? Self.python(["-c", "import torch, numpy"]))?.status == 0 else {
      throw XCTSkip("/usr/bin/python3 cannot import torch")
    }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("srg-export-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: out) }
    let run = try Self.python([root.appendingPathComponent("Tests/InferenceTests/Fixtures/torch/export-check.py").path, root.path, out.path])
    XCTAssertEqual(run.status, 0, run.output)
    let x = try loadNPY(Self.fixture("input.npy"))
    for (name, scale) in [("srvgg", 4), ("msrresnet", 4), ("rrdbnet-x2", 2), ("srgan", 4), ("decoder", 4)] {
      let net = try Network(path: out.appendingPathComponent("\(name).srg").path)
      XCTAssertEqual(net.metadata.scale, scale, name)
      let expected = try loadNPY(out.appendingPathComponent("\(name).output.npy"))
      let output = try net.run(x)
      XCTAssertEqual(output.shape, expected.shape, name)
      guard output.shape == expected.shape else { continue }
      let error = Self.relativeError(output, expected)
      print("export_srg.py \(name): relative error \(error)")
      XCTAssertLessThan(error, 1e-4, "\(name): relative error \(error)")
    }
  }
}
