import Foundation
import Imaging
import XCTest

/// ICC profiles: the model sees sRGB, the result is in (and carries) the input's own profile.
final class UpscaleColourTests: ToolTestCase {
  let upscale = Tool(name: "upscale")
  var temporary: URL { work.appendingPathComponent("tmp") }

  override func setUpWithError() throws {
    try super.setUpWithError()
    try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
    try copyFixtures(["chelsea-p3.jpg", "display-p3.icc", "camera-grey-linear.png", "grey-linear.icc", "bad-profile.jpg"])
  }

  /// Runs upscale with its temporary files in `temporary`, which must be left empty.
  func run(_ args: [String], environment: [String: String] = [:]) throws -> Tool.Result {
    let r = try upscale.run(args, in: work, environment: environment.merging(["TMPDIR": temporary.path]) { $1 })
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: temporary.path), [], "temporary profile files left")
    return r
  }

  func load(_ name: String) throws -> Image { try Image.load(path: work.appendingPathComponent(name).path, sequential: false) }
  func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: work.appendingPathComponent(name))) }
  func path(_ name: String) -> String { work.appendingPathComponent(name).path }

  func maxDifference<T: BinaryInteger>(_ a: [T], _ b: [T]) -> Int {
    XCTAssertEqual(a.count, b.count)
    return zip(a, b).map { abs(Int($0) - Int($1)) }.max() ?? 0
  }

  /// What colour management should do, done by hand: `source` converted to sRGB and saved untagged,
  /// enlarged by upscale with `args`, and converted back into `profile`.
  func expected(
    _ source: Image, profile: String, depth: Int, grey: Bool = false, _ args: [String], environment: [String: String] = [:]
  ) throws -> Image {
    var srgb = try source.iccTransformed(to: "srgb", depth: depth)
    if grey { srgb = try srgb.bandMean() }
    try srgb.save(to: path("srgb.png") + "[strip]")
    let r = try run(args + ["-o", "srgb-up.png", "srgb.png"], environment: environment)
    XCTAssertEqual(r.status, 0, r.stderr)
    var up = try load("srgb-up.png")
    if grey { up = try up.joined(with: up).joined(with: up) }
    return try up.iccTransformed(to: profile, ignoringEmbeddedFrom: "srgb", depth: depth)
  }

  /// -m bicubic on a Display P3 photo equals converting it to sRGB, bicubic, converting back; not
  /// bicubic on its P3 values. The result carries the P3 profile, byte for byte.
  func testBicubicOfAProfiledPhotoWorksInSRGB() throws {
    let args = ["-m", "bicubic", "--scale", "2"]
    let r = try run(args + ["-o", "up.png", "chelsea-p3.jpg"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(r.stderr, "")
    let out = try load("up.png")
    XCTAssertEqual(out.iccProfile, try bytes("display-p3.icc"))
    let ours = try out.pixels(as: UInt8.self)
    let want = try expected(load("chelsea-p3.jpg"), profile: path("display-p3.icc"), depth: 8, args).pixels(as: UInt8.self)
    XCTAssertLessThanOrEqual(maxDifference(ours, want), 1)
    // Without the conversion the result would be far off: the test can tell.
    let p3 = try load("chelsea-p3.jpg")
    let naive = try p3.resampled(width: p3.width * 2, height: p3.height * 2, rule: .matlab, horizontalScale: 2, verticalScale: 2)
    XCTAssertGreaterThan(maxDifference(ours, try naive.pixels(as: UInt8.self)), 8)
  }

  /// A network run: the model sees the sRGB pixels, as if the user had converted the photo first.
  func testNetworkSeesSRGB() throws {
    let models = work.appendingPathComponent("models")
    let param = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("InferenceTests/Fixtures/realesr-animevideov3-x4.param")
    let imported = try Tool(name: "srg").run(["import", param.path, "-o", models.appendingPathComponent("av3.srg").path])
    XCTAssertEqual(imported.status, 0, imported.stderr)
    let env = ["SRG_MODEL_PATH": models.path]
    try load("chelsea-p3.jpg").cropped(left: 20, top: 10, width: 24, height: 20).save(to: path("small.jpg[Q=95]"))
    let r = try run(["-m", "av3", "-o", "up.png", "small.jpg"], environment: env)
    XCTAssertEqual(r.status, 0, r.stderr)
    let out = try load("up.png")
    XCTAssertEqual(out.iccProfile, try bytes("display-p3.icc"))
    let want = try expected(load("small.jpg"), profile: path("display-p3.icc"), depth: 8, ["-m", "av3"], environment: env)
    XCTAssertLessThanOrEqual(maxDifference(try out.pixels(as: UInt8.self), try want.pixels(as: UInt8.self)), 1)
  }

  /// 16-bit stays 16-bit through the conversion, with the profile.
  func testSixteenBitProfiled() throws {
    try load("chelsea-p3.jpg").iccTransformed(to: path("display-p3.icc"), depth: 16).save(to: path("deep.png"))
    XCTAssertEqual(try load("deep.png").format, .ushort)
    let args = ["-m", "bicubic", "--scale", "2"]
    let r = try run(args + ["-o", "up.png", "deep.png"])
    XCTAssertEqual(r.status, 0, r.stderr)
    let out = try load("up.png")
    XCTAssertEqual(out.format, .ushort)
    XCTAssertEqual(out.iccProfile, try bytes("display-p3.icc"))
    let want = try expected(load("deep.png"), profile: path("display-p3.icc"), depth: 16, args)
    XCTAssertLessThanOrEqual(maxDifference(try out.pixels(as: UInt16.self), try want.pixels(as: UInt16.self)), 16)
  }

  /// Grey with a grey profile: grey out, in that profile.
  func testGreyProfiled() throws {
    let args = ["-m", "bicubic", "--scale", "2"]
    let r = try run(args + ["-o", "up.png", "camera-grey-linear.png"])
    XCTAssertEqual(r.status, 0, r.stderr)
    let out = try load("up.png")
    XCTAssertEqual(out.bands, 1)
    XCTAssertEqual(out.iccProfile, try bytes("grey-linear.icc"))
    let ours = try out.pixels(as: UInt8.self)
    let want = try expected(load("camera-grey-linear.png"), profile: path("grey-linear.icc"), depth: 8, grey: true, args)
    XCTAssertLessThanOrEqual(maxDifference(ours, try want.pixels(as: UInt8.self)), 1)
    let grey = try load("camera-grey-linear.png")
    let naive = try grey.resampled(width: grey.width * 2, height: grey.height * 2, rule: .matlab, horizontalScale: 2, verticalScale: 2)
    XCTAssertGreaterThan(maxDifference(ours, try naive.pixels(as: UInt8.self)), 4)
  }

  /// CMYK comes out as sRGB, tagged with libvips' sRGB profile, as vipsthumbnail makes it.
  func testCMYKBecomesSRGB() throws {
    let cmyk = try load("chelsea-p3.jpg").iccTransformed(to: "cmyk", depth: 8)
    try cmyk.save(to: path("cmyk.jpg"))
    XCTAssertEqual(try load("cmyk.jpg").bands, 4)
    let r = try run(["-m", "bicubic", "--scale", "2", "-o", "up.png", "cmyk.jpg"])
    XCTAssertEqual(r.status, 0, r.stderr)
    let out = try load("up.png")
    let srgb = try load("cmyk.jpg").iccTransformed(to: "srgb", depth: 8)
    XCTAssertEqual(out.bands, 3)
    XCTAssertEqual(out.iccProfile, srgb.iccProfile)
    let want = try srgb.resampled(width: srgb.width * 2, height: srgb.height * 2, rule: .matlab, horizontalScale: 2, verticalScale: 2)
    XCTAssertLessThanOrEqual(maxDifference(try out.pixels(as: UInt8.self), try want.pixels(as: UInt8.self)), 1)
  }

  /// --strip (or the saver's strip option) leaves the result in sRGB, since untagged pixels are read
  /// as sRGB; a garbage profile is a warning, not a failure.
  func testStripAndUnusableProfiles() throws {
    let r = try run(["-m", "bicubic", "--scale", "2", "--strip", "-o", "up.png", "chelsea-p3.jpg"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertNil(try load("up.png").iccProfile)
    let want = try load("chelsea-p3.jpg").iccTransformed(to: "srgb", depth: 8)
    let bicubic = try want.resampled(width: want.width * 2, height: want.height * 2, rule: .matlab, horizontalScale: 2, verticalScale: 2)
    XCTAssertLessThanOrEqual(maxDifference(try load("up.png").pixels(as: UInt8.self), try bicubic.pixels(as: UInt8.self)), 1)
    // The saver's own strip option does the same.
    let saver = try run(["-m", "bicubic", "--scale", "2", "-o", "up2.png[strip]", "chelsea-p3.jpg"])
    XCTAssertEqual(saver.status, 0, saver.stderr)
    XCTAssertNil(try load("up2.png").iccProfile)
    XCTAssertEqual(maxDifference(try load("up2.png").pixels(as: UInt8.self), try load("up.png").pixels(as: UInt8.self)), 0)
    let bad = try run(["-m", "bicubic", "--scale", "2", "-o", "bad.png", "bad-profile.jpg"])
    XCTAssertEqual(bad.status, 0, bad.stderr)
    XCTAssertEqual(bad.stderrLines.count, 1, bad.stderr)
    XCTAssertTrue(bad.stderr.hasPrefix("upscale: bad-profile.jpg: warning: its ICC profile"), bad.stderr)
    XCTAssertEqual(try load("bad.png").bands, 3)
    XCTAssertEqual(try run(["-q", "-m", "bicubic", "--scale", "2", "-o", "bad2.png", "bad-profile.jpg"]).stderr, "")
  }
}
