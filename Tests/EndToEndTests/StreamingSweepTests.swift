import Foundation
import Imaging
import XCTest

/// Every streaming path of every tool, 50 times over odd-sized images read top to bottom, with tiles
/// and strips from 16 px to larger than the image, while two busy processes load the cores: every run
/// succeeds, and copies of one image give the same result (byte for byte, but where memory halves tiles).
/// Strips of a shrink started out of order, and a halved tile going back up its file, once failed with
/// "out of order read".
final class StreamingSweepTests: ToolTestCase {
  static let copies = 50

  /// Copies of `name` in folder `set`: set/000.ext, set/001.ext, ...
  func copies(of name: String, in set: String) throws -> [String] {
    let ext = (name as NSString).pathExtension
    try FileManager.default.createDirectory(at: work.appendingPathComponent(set), withIntermediateDirectories: true)
    return try (0..<Self.copies).map { i in
      let copy = "\(set)/\(String(format: "%03d", i)).\(ext)"
      try FileManager.default.copyItem(at: work.appendingPathComponent(name), to: work.appendingPathComponent(copy))
      return copy
    }
  }

  enum Agreement { case bytes, withinOneLevel, none }

  /// Runs `tool` over the copies, into a new folder; checks success, silence and that every result
  /// decodes, and how the results of the copies agree with each other.
  func sweep(_ tool: String, _ options: [String], _ inputs: [String], agree: Agreement = .bytes, environment: [String: String] = [:]) throws {
    let label = "\(tool) \(options.joined(separator: " ")) \(inputs[0])"
    let out = "out-\(UUID().uuidString)/"
    let r = try Tool(name: tool).run(options + ["-o", out] + inputs, in: work, environment: environment)
    XCTAssertEqual(r.status, 0, "\(label): \(r.stderr)")
    XCTAssertEqual(r.stderr, "", label)
    let results = files(in: out)
    XCTAssertEqual(results.count, inputs.count, label)
    var first: (bytes: Data, pixels: [UInt8])?
    for f in results {
      let path = work.appendingPathComponent(out + f).path
      let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
      let pixels: [UInt8]
      do { pixels = try Image.load(path: path, sequential: false).pixels(as: UInt8.self) } catch {
        XCTFail("\(label): \(f): \(error)")
        continue
      }
      guard let first else { first = (bytes, pixels); continue }
      switch agree {
      case .bytes: XCTAssertEqual(bytes, first.bytes, "\(label): \(f) differs from the first copy's result")
      case .withinOneLevel:
        XCTAssertEqual(pixels.count, first.pixels.count, label)
        XCTAssertLessThanOrEqual(zip(pixels, first.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0, 1, "\(label): \(f)")
      case .none: break
      }
    }
    try FileManager.default.removeItem(at: work.appendingPathComponent(out))
  }

  func testEveryStreamingPathUnderLoad() throws {
    // Odd sizes: no multiple of any strip or tile height.
    try saveTexturedImage("tall.png", width: 23, height: 1201)
    try saveTexturedImage("small.png", width: 45, height: 37)
    try saveTexturedImage("wide.png", width: 797, height: 131)
    try saveTexturedImage("alpha.png", width: 67, height: 523, bands: 4)
    try Image.load(path: work.appendingPathComponent("wide.png").path).save(to: work.appendingPathComponent("wide.jpg").path)
    let tall = try copies(of: "tall.png", in: "tall"), small = try copies(of: "small.png", in: "small")
    let wide = try copies(of: "wide.jpg", in: "wide"), alpha = try copies(of: "alpha.png", in: "alpha")

    let models = work.appendingPathComponent("models")
    try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
    // A small compact x4 generator (SRVGGNetCompact, 16768 parameters): the tiling is under test.
    let weights = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("InferenceTests/Fixtures/torch/srvgg-x4.pth")
    XCTAssertEqual(try Tool(name: "srg").run(["import", weights.path, "-o", models.appendingPathComponent("net.srg").path]).status, 0)
    let env = ["SRG_MODEL_PATH": models.path]

    try loadCores()

    // upscale: network tiles from 16 px to past the image, halved ones (a tile as large as the image
    // under a small --memory), the baselines, a resized result, alpha, a JPEG.
    for tile in ["16", "37"] { try sweep("upscale", ["-q", "-m", "net", "--tile", tile], small, environment: env) }
    for tile in ["100", "256", "2048"] { try sweep("upscale", ["-q", "-m", "net", "--tile", tile], tall, environment: env) }
    // Which tiles are halved depends on what else runs at the time; halved tiles see less context.
    try sweep("upscale", ["-m", "net", "-q", "--tile", "2048", "--memory", "8"], tall, agree: .withinOneLevel, environment: env)
    try sweep(
      "upscale", ["-m", "net", "-j", "1", "-q", "--tile", "2048", "--memory", "8"], Array(tall.prefix(10)), agree: .withinOneLevel,
      environment: env)
    try sweep("upscale", ["-q", "-m", "net", "--tile", "64", "--outscale", "0.5"], tall, environment: env)
    try sweep("upscale", ["-q", "-m", "net", "--tile", "48"], alpha, environment: env)
    for inputs in [tall, alpha, wide] {
      try sweep("upscale", ["-q", "-m", "bicubic", "--scale", "3"], inputs)
      try sweep("upscale", ["-q", "-m", "lanczos", "--scale", "2"], inputs)
    }
    // downscale: every kernel, factors whose strips each need many input lines.
    for inputs in [tall, alpha, wide] {
      for kernel in ["matlab", "pil", "lanczos3", "cubic"] {
        for factor in ["3", "8"] { try sweep("downscale", ["-q", "-k", kernel, "-s", factor], inputs) }
      }
      try sweep("downscale", ["-q", "-j", "1", "-s", "7", "--modcrop"], inputs)
    }
    // crappify: both recipes and a chain of stages; draws differ by name, so results differ.
    for inputs in [tall, alpha, wide] {
      try sweep("crappify", ["-q", "--seed", "7"], inputs, agree: .none)
      try sweep("crappify", ["-q", "--seed", "7", "-j", "1"], Array(inputs.prefix(10)), agree: .none)
      try sweep("crappify", ["-q", "--seed", "7", "--recipe", "realesrgan", "--format", "png"], inputs, agree: .none)
      try sweep("crappify", ["-q", "--seed", "7", "--downscale", "3", "--blur", "1-2", "--noise", "3", "--jpeg", "40", "--text"],
        inputs, agree: .none)
    }
    // ssim: strips of both images, in every metric that streams.
    for set in ["tall/", "alpha/", "wide/"] {
      let r = try Tool(name: "ssim").run(["--metrics", "ssim,psnr", "--y", "--crop", "4", set, set], in: work)
      XCTAssertEqual(r.status, 0, r.stderr)
      XCTAssertEqual(r.stderr, "")
      XCTAssertEqual(r.stdoutText.split(separator: "\n").count, Self.copies + 1)
    }
  }
}
