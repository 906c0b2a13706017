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
  func check(
    _ file: String, reference: String, input: String = "input", architecture: String, scale: Int, options: TorchImporter.Options = .init()
  ) throws -> ModelMetadata {
    let imported = try TorchImporter.load(path: Self.fixture(file).path, options: options)
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

  // MARK: fast.ai U-Net (make-unet-fixtures.py, with fastai's own DynamicUnet)

  /// The decrappify generator (blur, weight norm, self-attention, y_range (-3, 3)) in fastai v2's layout.
  func testFastaiUNetV2() throws {
    let m = try check("unet-v2.pth", reference: "unet-v2", input: "unet-input", architecture: "DynamicUnet (ResNet-34)", scale: 1)
    XCTAssertEqual(m.sizeMultiple, 32)
    let ops = try TorchImporter.load(path: Self.fixture("unet-v2.pth").path).spec.nodes.map(\.op)
    XCTAssertEqual(ops.filter { $0 == "self_attention" }.count, 1)
    XCTAssertEqual(ops.filter { $0 == "pad" }.count, 4)  // one blur per UnetBlock, none after the last upsampling
  }

  /// The same model in fastai v1's layout, wrapped as learn.save writes it ({'model': ..., 'opt': ...}).
  func testFastaiUNetV1LearnSave() throws {
    try check("unet-v1.pth", reference: "unet-v1", input: "unet-input", architecture: "DynamicUnet (ResNet-34)", scale: 1)
  }

  /// fastai v1's conv_layer with batch norm after the ReLU, a bottleneck res block, a ResNet-18 encoder.
  func testFastaiUNetV1BatchNorm() throws {
    try check("unet-v1-batchnorm.pth", reference: "unet-v1-batchnorm", input: "unet-input", architecture: "DynamicUnet (ResNet-18)", scale: 1)
  }

  /// fastai v2's unet_learner defaults: no blur, no self-attention, no y_range, plain convolutions.
  func testFastaiUNetV2Defaults() throws {
    var options = TorchImporter.Options()
    options.blur = false
    options.yRange = nil
    try check("unet-v2-plain.pth", reference: "unet-v2-plain", input: "unet-input", architecture: "DynamicUnet (ResNet-18)", scale: 1, options: options)
  }

  /// A ResNet-50-shaped encoder (Bottleneck blocks, a stride-1 downsample in layer1) and fastai v2's
  /// ConvLayers with batch norm before the ReLU; the checkpoint holds float16 tensors.
  func testFastaiUNetResNet50BatchNorm() throws {
    try check("unet-v2-resnet50.pth", reference: "unet-v2-resnet50", input: "unet-input", architecture: "DynamicUnet (ResNet-50)", scale: 1)
  }

  /// torch.nn.utils.parametrizations names weight and spectral norm's tensors differently; the
  /// same weights under those names give the same output.
  func testFastaiUNetParametrizationNames() throws {
    let state = try StateDict.load(path: Self.fixture("unet-v2.pth").path)
    let renamed = try StateDict(
      state.keys.map { key -> (String, WeightFormats.Tensor) in
        let spectral = [".query.", ".key.", ".value."].contains { key.contains($0) }
        let names: [(String, String)] =
          spectral
          ? [("weight_orig", "parametrizations.weight.original"), ("weight_u", "parametrizations.weight.0._u"), ("weight_v", "parametrizations.weight.0._v")]
          : [("weight_g", "parametrizations.weight.original0"), ("weight_v", "parametrizations.weight.original1")]
        guard let (old, new) = names.first(where: { key.hasSuffix(".\($0.0)") }) else { return (key, state[key]!) }
        return (String(key.dropLast(old.count)) + new, state[key]!)
      }, format: state.format)
    XCTAssertTrue(renamed.keys.contains { $0.hasSuffix("parametrizations.weight.original0") })
    XCTAssertTrue(renamed.keys.contains { $0.hasSuffix("parametrizations.weight.0._u") })
    let a = try TorchImporter.convert(state, name: "a"), b = try TorchImporter.convert(renamed, name: "b")
    let x = try loadNPY(Self.fixture("unet-input.npy"))
    let ya = try Network(SRGFile.decode(Data(SRGFile.encode(a.spec, weights: a.weights)))).run(x)
    let yb = try Network(SRGFile.decode(Data(SRGFile.encode(b.spec, weights: b.weights)))).run(x)
    XCTAssertEqual(ya, yb)
  }

  /// A U-Net state dict with parts missing or out of shape is refused in one line that says what is wrong.
  func testIncompleteFastaiUNetIsRefusedClearly() throws {
    let state = try StateDict.load(path: Self.fixture("unet-v2.pth").path)
    func refusal(_ keep: (String) -> Bool, _ change: [String: WeightFormats.Tensor] = [:]) throws -> String {
      let entries = state.keys.filter(keep).map { ($0, change[$0] ?? state[$0]!) }
      var text = ""
      XCTAssertThrowsError(try TorchImporter.convert(try StateDict(entries, format: state.format), name: "x")) { text = "\($0)" }
      XCTAssertFalse(text.contains("\n"), text)
      return text
    }
    // The encoder alone (a checkpoint of the body, not the generator).
    var text = try refusal { $0.hasPrefix("layers.0.") }
    XCTAssertTrue(text.hasPrefix("fast.ai U-Net: no UnetBlock"), text)
    XCTAssertTrue(text.contains("decoder is missing"), text)
    // One tensor lost.
    text = try refusal { $0 != "layers.5.conv2.2.gamma" }
    XCTAssertTrue(text.contains("fastai v2 layout") && text.contains("'layers.5.conv2.2.gamma'"), text)
    // A block of the encoder lost.
    text = try refusal { !$0.hasPrefix("layers.0.6.") }
    XCTAssertTrue(text.contains("layer3"), text)
    // The res block and head lost.
    text = try refusal { !$0.hasPrefix("layers.11.") && !$0.hasPrefix("layers.12.") }
    XCTAssertTrue(text.contains("1x1 convolution"), text)
    // Widths that do not fit: a middle convolution with the wrong number of inputs.
    let w = state["layers.3.1.0.weight_v"]!
    let narrow = WeightFormats.Tensor(shape: [w.shape[0], w.shape[1] / 2] + w.shape.dropFirst(2), values: Array(w.values.prefix(w.values.count / 2)))
    text = try refusal({ _ in true }, ["layers.3.1.0.weight_v": narrow])
    XCTAssertTrue(text.contains("do not fit together"), text)
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
