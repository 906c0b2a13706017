import Foundation
import Imaging
import XCTest

final class UpscaleTests: ToolTestCase {
  let upscale = Tool(name: "upscale")
  var models: URL { work.appendingPathComponent("models") }

  /// Imports the compact Real-ESRGAN model from the inference fixtures into a model folder.
  override func setUpWithError() throws {
    try super.setUpWithError()
    let param = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("InferenceTests/Fixtures/realesr-animevideov3-x4.param")
    try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
    let r = try Tool(name: "srg").run(["import", param.path, "-o", models.appendingPathComponent("av3.srg").path])
    XCTAssertEqual(r.status, 0, r.stderr)
  }

  func run(_ args: [String]) throws -> Tool.Result {
    try upscale.run(args, in: work, environment: ["SRG_MODEL_PATH": models.path])
  }

  func pixels(_ name: String) throws -> [UInt8] {
    try Image.load(path: work.appendingPathComponent(name).path, sequential: false).pixels(as: UInt8.self)
  }

  /// Saves a crop of a fixture into the work folder.
  func crop(_ fixtureName: String, _ rect: Rect, as name: String) throws {
    try Image.load(path: fixture(fixtureName).path, sequential: false)
      .cropped(left: rect.left, top: rect.top, width: rect.width, height: rect.height)
      .save(to: work.appendingPathComponent(name).path)
  }

  /// The whole-image result equals the `ncnn` package's output within 2/255 (0.2/255 on average).
  func testMatchesNCNN() throws {
    try copyFixtures(["bird-64x48.png", "bird-64x48-ncnn-animevideov3-x4.png"])
    let r = try run(["-m", "av3", "--tile", "512", "-o", "out.png", "bird-64x48.png"])
    XCTAssertEqual(r.status, 0, r.stderr)
    let ours = try pixels("out.png"), theirs = try pixels("bird-64x48-ncnn-animevideov3-x4.png")
    XCTAssertEqual(ours.count, theirs.count)
    let diffs = zip(ours, theirs).map { abs(Int($0) - Int($1)) }
    XCTAssertLessThanOrEqual(diffs.max()!, 2)
    XCTAssertLessThan(Double(diffs.reduce(0, +)) / Double(diffs.count), 0.2)
  }

  /// Tiles of any size from 32 up give the whole-image result within 1/255, on odd sizes, an image
  /// smaller than a tile and a one-pixel-wide strip.
  func testTilesJoinWithoutSeams() throws {
    try crop("chelsea.png", Rect(left: 150, top: 60, width: 45, height: 37), as: "odd.png")
    try crop("chelsea.png", Rect(left: 200, top: 10, width: 1, height: 40), as: "strip.png")
    for name in ["odd.png", "strip.png"] {
      XCTAssertEqual(try run(["-m", "av3", "--tile", "1024", "-o", "whole-\(name)", name]).status, 0)
      let whole = try pixels("whole-\(name)")
      for tile in [32, 40, 64] {
        let r = try run(["-m", "av3", "--tile", "\(tile)", "-o", "t\(tile)-\(name)", name])
        XCTAssertEqual(r.status, 0, r.stderr)
        let tiled = try pixels("t\(tile)-\(name)")
        XCTAssertEqual(whole.count, tiled.count)
        XCTAssertLessThanOrEqual(zip(whole, tiled).map { abs(Int($0) - Int($1)) }.max() ?? 0, 1, "\(name) tile \(tile)")
      }
    }
  }

  /// Tiles whose working memory would pass --memory are halved as they run (a warning says so), and
  /// the result is the same within 1/255.
  func testTilesHalveWhenMemoryIsShort() throws {
    try crop("chelsea.png", Rect(left: 100, top: 20, width: 96, height: 80), as: "c.png")
    XCTAssertEqual(try run(["-m", "av3", "--tile", "64", "-o", "ref.png", "c.png"]).stderr, "")
    // A 64-pixel tile with its context is estimated at over 8 MiB of working memory, a 32-pixel one under.
    let r = try run(["-m", "av3", "--tile", "64", "--memory", "8", "-o", "small.png", "c.png"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(r.stderrLines, ["upscale: c.png: warning: not enough memory for the tiles asked: some were halved down to 32 px (see --memory)"])
    let ref = try pixels("ref.png"), small = try pixels("small.png")
    XCTAssertEqual(ref.count, small.count)
    XCTAssertLessThanOrEqual(zip(ref, small).map { abs(Int($0) - Int($1)) }.max() ?? 0, 1)
    XCTAssertEqual(try run(["-q", "-f", "-m", "av3", "--tile", "64", "--memory", "8", "-o", "small.png", "c.png"]).stderr, "")
  }

  func testAlphaGreyAndSixteenBitKeepTheirForm() throws {
    try crop("cat-alpha.png", Rect(left: 0, top: 0, width: 40, height: 30), as: "alpha.png")
    try crop("camera.png", Rect(left: 200, top: 100, width: 30, height: 20), as: "grey.png")
    try crop("chelsea-16bit.png", Rect(left: 200, top: 100, width: 30, height: 20), as: "deep.png")
    let r = try run(["-m", "av3", "-o", "out/", "alpha.png", "grey.png", "deep.png"])
    XCTAssertEqual(r.status, 0, r.stderr)
    let alpha = try ImageFacts(work.appendingPathComponent("out/alpha.png"))
    XCTAssertEqual([alpha.width, alpha.height, alpha.bands], [160, 120, 4])
    XCTAssertEqual(try ImageFacts(work.appendingPathComponent("out/grey.png")).bands, 1)
    let deep = try ImageFacts(work.appendingPathComponent("out/deep.png"))
    XCTAssertEqual([deep.width, deep.bands], [120, 3])
    XCTAssertEqual(deep.format, .ushort)
  }

  func testBicubicBaselineIsTheMatlabKernel() throws {
    try copyFixtures(["bird-64x48.png"])
    XCTAssertEqual(try run(["-m", "bicubic", "--scale", "2", "-o", "up.png", "bird-64x48.png"]).status, 0)
    XCTAssertEqual(try Tool(name: "downscale").run(["-s", "0.5", "-o", "down.png", "bird-64x48.png"], in: work).status, 0)
    XCTAssertEqual(try pixels("up.png"), try pixels("down.png"))
    XCTAssertEqual(try run(["-m", "lanczos", "--scale", "3", "-o", "l.png", "bird-64x48.png"]).status, 0)
    XCTAssertEqual(try ImageFacts(work.appendingPathComponent("l.png")).width, 192)
  }

  func testOutscaleResizesTheResult() throws {
    try copyFixtures(["bird-64x48.png"])
    XCTAssertEqual(try run(["-m", "av3", "--outscale", "2", "-o", "o.png", "bird-64x48.png"]).status, 0)
    let f = try ImageFacts(work.appendingPathComponent("o.png"))
    XCTAssertEqual([f.width, f.height], [128, 96])
  }

  func testModelProblemsAreFatal() throws {
    try copyFixtures(["bird-64x48.png"])
    let mismatch = try run(["-m", "av3", "--scale", "2", "-o", "x.png", "bird-64x48.png"])
    XCTAssertEqual(mismatch.status, 2)
    XCTAssertTrue(mismatch.stderr.contains("scale is x4, not x2"), mismatch.stderr)
    let missing = try run(["-m", "no-such-model", "-o", "x.png", "bird-64x48.png"])
    XCTAssertEqual(missing.status, 2)
    XCTAssertEqual(missing.stderrLines.count, 1, missing.stderr)
    try Data("garbage".utf8).write(to: work.appendingPathComponent("bad.srg"))
    let bad = try run(["-m", "bad.srg", "-o", "x.png", "bird-64x48.png"])
    XCTAssertEqual(bad.status, 2)
    XCTAssertTrue(bad.stderr.hasPrefix("upscale: bad.srg: "), bad.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("x.png").path))
  }

  func testListModels() throws {
    let r = try run(["--list-models"])
    XCTAssertEqual(r.status, 0)
    XCTAssertTrue(r.stdoutText.hasPrefix("av3\tx4\tSRVGGNetCompact"), r.stdoutText)
  }

  func testOrientationProfileStripAndAlphaThroughTheModel() throws {
    try crop("rocket-rotated-icc.jpg", Rect(left: 300, top: 200, width: 40, height: 30), as: "turned.jpg")
    try crop("cat-alpha.png", Rect(left: 0, top: 0, width: 40, height: 30), as: "alpha.png")
    XCTAssertEqual(try run(["-m", "av3", "-o", "keep/", "turned.jpg"]).status, 0)
    let kept = try ImageFacts(work.appendingPathComponent("keep/turned.jpg"))
    XCTAssertEqual([kept.width, kept.height], [120, 160])  // upright: the tag said rotate 90 degrees
    XCTAssertTrue(kept.icc)
    XCTAssertEqual(try run(["-m", "av3", "--strip", "-o", "strip/", "turned.jpg"]).status, 0)
    XCTAssertFalse(try ImageFacts(work.appendingPathComponent("strip/turned.jpg")).icc)
    let r = try run(["-m", "av3", "--alpha", "model", "-o", "a.png", "alpha.png"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(try ImageFacts(work.appendingPathComponent("a.png")).bands, 4)
  }

  /// Models installed beside the binary (PREFIX/share/srg/models) are found when the tool is run by
  /// name through PATH, from any folder.
  func testFindsModelsOfItsInstallPrefix() throws {
    let prefix = work.appendingPathComponent("prefix")
    let bin = prefix.appendingPathComponent("bin"), share = prefix.appendingPathComponent("share/srg/models")
    try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: share, withIntermediateDirectories: true)
    try FileManager.default.copyItem(at: upscale.url, to: bin.appendingPathComponent("upscale"))
    try FileManager.default.copyItem(at: models.appendingPathComponent("av3.srg"), to: share.appendingPathComponent("av3.srg"))
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["upscale", "--list-models"]
    var env = ProcessInfo.processInfo.environment
    env["PATH"] = bin.path + ":" + (env["PATH"] ?? "")
    env["SRG_MODEL_PATH"] = ""
    env["XDG_DATA_HOME"] = work.appendingPathComponent("no-data").path
    p.environment = env
    p.currentDirectoryURL = FileManager.default.temporaryDirectory
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    XCTAssertTrue(text.hasPrefix("av3\tx4"), text)
  }

  /// Every frame of an animated GIF with --pages all, each upscaled on its own; the first by default.
  func testAnimatedFrames() throws {
    let source = try Image.load(path: fixture("chelsea.png").path, sequential: false)
    let frames = try (0..<3).map { try source.cropped(left: 150 + 10 * $0, top: 60, width: 20, height: 16) }
    try Image.stacking(frames).save(to: work.appendingPathComponent("anim.gif").path)
    XCTAssertEqual(try run(["-m", "av3", "--pages", "all", "-o", "all.gif", "anim.gif"]).status, 0)
    let all = try Image.loadAllPages(path: work.appendingPathComponent("all.gif").path)
    XCTAssertEqual([all.width, all.height, all.pageHeight], [80, 192, 64])
    XCTAssertEqual(try run(["-m", "av3", "-o", "first.gif", "anim.gif"]).status, 0)
    let first = try ImageFacts(work.appendingPathComponent("first.gif"))
    XCTAssertEqual([first.width, first.height], [80, 64])
  }
}
