import Foundation
import Imaging
import XCTest

final class DownscaleTests: ToolTestCase {
  let downscale = Tool(name: "downscale")

  func testShrinksABatchIntoAFolder() throws {
    try copyFixtures(["chelsea.png", "rocket.jpg", "camera.png"])
    let r = try downscale.run(["-s", "4", "-o", "out/", "chelsea.png", "rocket.jpg", "camera.png"], in: work)
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(r.stderr, "")
    XCTAssertEqual(files(in: "out"), ["camera.png", "chelsea.png", "rocket.jpg"])
    XCTAssertEqual(try ImageFacts(work.appendingPathComponent("out/chelsea.png")).width, 113)  // ceil(451/4)
    XCTAssertEqual(try ImageFacts(work.appendingPathComponent("out/rocket.jpg")).height, 107)  // ceil(427/4)
    XCTAssertEqual(try ImageFacts(work.appendingPathComponent("out/camera.png")).bands, 1)
  }

  func testBrokenInputsGetOneLineEachAndTheBatchGoesOn() throws {
    try copyFixtures(["chelsea.png", "rocket.jpg", "huge-header.png"])
    let fm = FileManager.default
    fm.createFile(atPath: work.appendingPathComponent("empty.png").path, contents: Data())
    fm.createFile(atPath: work.appendingPathComponent("text.jpg").path, contents: Data("not an image\n".utf8))
    let jpeg = try Data(contentsOf: fixture("rocket.jpg")), png = try Data(contentsOf: fixture("chelsea.png"))
    fm.createFile(atPath: work.appendingPathComponent("cut.jpg").path, contents: jpeg.prefix(jpeg.count / 2))
    fm.createFile(atPath: work.appendingPathComponent("cut.png").path, contents: png.prefix(png.count / 2))
    try fm.createDirectory(at: work.appendingPathComponent("folder.png"), withIntermediateDirectories: true)
    let bad = ["empty.png", "text.jpg", "cut.jpg", "cut.png", "folder.png", "missing.png", "huge-header.png"]
    let r = try downscale.run(["-s", "2", "-o", "out/", "chelsea.png"] + bad + ["rocket.jpg"], in: work)
    XCTAssertEqual(r.status, 1)
    XCTAssertEqual(r.stderrLines.count, bad.count, r.stderr)
    for name in bad {
      XCTAssertTrue(r.stderrLines.contains { $0.hasPrefix("downscale: \(name): ") }, "no error line for \(name): \(r.stderr)")
    }
    XCTAssertTrue(r.stderr.contains("downscale: huge-header.png: image is 100000x100000"), r.stderr)
    XCTAssertTrue(r.stderr.contains("downscale: missing.png: no such file"))
    // Good inputs are done; nothing half-written or temporary is left behind.
    XCTAssertEqual(files(in: "out"), ["chelsea.png", "rocket.jpg"])
  }

  func testPathListOnStandardInputKeepsNonUTF8Names() throws {
    let rawName: [UInt8] = Array("ph".utf8) + [0xE9, 0xFF] + Array(".png".utf8)  // not valid UTF-8
    let raw = work.path.withCString { base -> String in String(cString: base) }
    let path = Array(raw.utf8) + [UInt8(ascii: "/")] + rawName + [0]
    let source = try Data(contentsOf: fixture("chelsea.png"))
    _ = path.withUnsafeBufferPointer { p -> Int32 in
      let fd = open(UnsafeRawPointer(p.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644)
      source.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
      return close(fd)
    }
    try copyFixtures(["rocket.jpg"])
    // NUL-separated, as find -print0 writes.
    let list = Data(rawName + [0] + Array("rocket.jpg".utf8) + [0])
    let r = try downscale.run(["-0", "-s", "2", "-o", "out/"], stdin: list, in: work)
    XCTAssertEqual(r.status, 0, r.stderr)
    let names = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("out").path)
    XCTAssertEqual(names.count, 2)
    let outDir = Array(work.appendingPathComponent("out").path.utf8) + [UInt8(ascii: "/")] + rawName + [0]
    XCTAssertEqual(outDir.withUnsafeBufferPointer { access(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), F_OK) }, 0)
    // Newline-separated lists too.
    let r2 = try downscale.run(["-s", "2", "-o", "lines/"], stdin: Data("rocket.jpg\n".utf8), in: work)
    XCTAssertEqual(r2.status, 0, r2.stderr)
    XCTAssertEqual(files(in: "lines"), ["rocket.jpg"])
  }

  func testStandardInputToStandardOutput() throws {
    let r = try downscale.run(["-s", "2", "-", "--format", "png"], stdin: try Data(contentsOf: fixture("rocket.jpg")))
    XCTAssertEqual(r.status, 0, r.stderr)
    let out = work.appendingPathComponent("x.png")
    try r.stdout.write(to: out)
    let facts = try ImageFacts(out)
    XCTAssertEqual([facts.width, facts.height], [320, 214])
  }

  func testMirroredTreeNeverLeavesTheOutputFolder() throws {
    try copyFixtures(["chelsea.png"], to: "in/a/b")
    try copyFixtures(["rocket.jpg"], to: "in")
    let r = try downscale.run(["-s", "4", "-o", "out/", "a/b/chelsea.png", "../in/rocket.jpg"], in: work.appendingPathComponent("in"))
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(files(in: "in/out"), ["a/b/chelsea.png", "in/rocket.jpg"])
    XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("rocket.jpg").path))
  }

  func testTemplateAndFormatName() throws {
    try copyFixtures(["chelsea.png"], to: "hr")
    let r = try downscale.run(["-s", "2", "-o", "%d/%s_x2.%e", "hr/chelsea.png"], in: work)
    XCTAssertEqual(r.status, 0, r.stderr)
    let r2 = try downscale.run(["-s", "2", "-o", "lr/", "--format", "jpg[Q=80]", "hr/chelsea.png"], in: work)
    XCTAssertEqual(r2.status, 0, r2.stderr)
    XCTAssertEqual(files(in: "hr"), ["chelsea.png", "chelsea_x2.png"])
    XCTAssertEqual(files(in: "lr"), ["hr/chelsea.jpg"])
  }

  func testNoClobberForceAndSkipExisting() throws {
    try copyFixtures(["chelsea.png"])
    XCTAssertEqual(try downscale.run(["-s", "2", "-o", "small.png", "chelsea.png"], in: work).status, 0)
    let before = try Data(contentsOf: work.appendingPathComponent("small.png"))
    let again = try downscale.run(["-s", "4", "-o", "small.png", "chelsea.png"], in: work)
    XCTAssertEqual(again.status, 1)
    XCTAssertTrue(again.stderr.contains("exists"), again.stderr)
    XCTAssertEqual(try Data(contentsOf: work.appendingPathComponent("small.png")), before)
    let skip = try downscale.run(["-s", "4", "-o", "small.png", "--skip-existing", "chelsea.png"], in: work)
    XCTAssertEqual(skip.status, 0)
    XCTAssertEqual(try Data(contentsOf: work.appendingPathComponent("small.png")), before)
    XCTAssertEqual(try downscale.run(["-s", "4", "-f", "-o", "small.png", "chelsea.png"], in: work).status, 0)
    XCTAssertEqual(try ImageFacts(work.appendingPathComponent("small.png")).width, 113)
  }

  func testJSONRecords() throws {
    try copyFixtures(["chelsea.png"])
    let r = try downscale.run(["-s", "2", "-o", "out/", "--json", "chelsea.png", "nope.png"], in: work)
    XCTAssertEqual(r.status, 1)
    let records = try r.stdoutText.split(separator: "\n").map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
    XCTAssertEqual(records.count, 2)
    let ok = records.first { $0["input"] as? String == "chelsea.png" }!
    XCTAssertEqual(ok["output"] as? String, "out/chelsea.png")
    XCTAssertEqual(ok["output_width"] as? Int, 226)
    XCTAssertNotNil(ok["seconds"])
    XCTAssertEqual(records.first { $0["input"] as? String == "nope.png" }?["error"] as? String, "no such file")
  }

  func testKeepsAlphaDepthProfileAndAppliesOrientation() throws {
    try copyFixtures(["cat-alpha.png", "chelsea-16bit.png", "rocket-rotated-icc.jpg"])
    let r = try downscale.run(["-s", "2", "-o", "out/", "cat-alpha.png", "chelsea-16bit.png", "rocket-rotated-icc.jpg"], in: work)
    XCTAssertEqual(r.status, 0, r.stderr)
    let cat = try ImageFacts(work.appendingPathComponent("out/cat-alpha.png"))
    XCTAssertEqual([cat.width, cat.bands], [150, 4])
    XCTAssertEqual(try ImageFacts(work.appendingPathComponent("out/chelsea-16bit.png")).format, .ushort)
    let rocket = try ImageFacts(work.appendingPathComponent("out/rocket-rotated-icc.jpg"))
    XCTAssertEqual([rocket.width, rocket.height], [214, 320])  // 427x640 upright, halved
    XCTAssertTrue(rocket.icc)
    let stripped = try downscale.run(["-s", "2", "-o", "strip/[strip]", "rocket-rotated-icc.jpg"], in: work)
    XCTAssertEqual(stripped.status, 0, stripped.stderr)
    XCTAssertFalse(try ImageFacts(work.appendingPathComponent("strip/rocket-rotated-icc.jpg")).icc)
  }

  func testPremultipliedAlphaLeavesNoDarkFringe() throws {
    // Opaque white next to fully transparent black: the colour of the edge must stay white.
    var px = [UInt8]()
    for _ in 0..<8 { for x in 0..<8 { px += x < 4 ? [255, 255, 255, 255] : [0, 0, 0, 0] } }
    try Image.fromPixels(px, width: 8, height: 8, bands: 4, format: .uchar).save(to: work.appendingPathComponent("edge.png").path)
    XCTAssertEqual(try downscale.run(["-s", "2", "-o", "half.png", "edge.png"], in: work).status, 0)
    let out = try Image.load(path: work.appendingPathComponent("half.png").path).pixels(as: UInt8.self)
    for i in stride(from: 0, to: out.count, by: 4) where out[i + 3] > 0 {
      XCTAssertGreaterThanOrEqual(out[i], 250, "dark fringe at sample \(i / 4): \(out[i..<i + 4])")
    }
  }

  func testUsageErrorsExit64() throws {
    XCTAssertEqual(try downscale.run(["-s", "0", "-o", "x/", "a.png"], in: work).status, 64)
    XCTAssertEqual(try downscale.run(["-o", "x/", "a.png"], in: work).status, 64)
    XCTAssertEqual(try downscale.run(["-s", "2", "a.png", "b.png"], in: work).status, 64)
    XCTAssertEqual(try downscale.run(["-s", "2.5", "--modcrop", "-o", "x/", "a.png"], in: work).status, 64)
  }

  func testModcropAndCropSquare() throws {
    try copyFixtures(["rocket.jpg"])
    XCTAssertEqual(try downscale.run(["-s", "3", "--modcrop", "-o", "m.png", "rocket.jpg"], in: work).status, 0)
    let m = try ImageFacts(work.appendingPathComponent("m.png"))
    XCTAssertEqual([m.width, m.height], [213, 142])  // 639x426 / 3
    XCTAssertEqual(try downscale.run(["--size", "100x100", "--crop-square", "-k", "lanczos3", "-o", "s.png", "rocket.jpg"], in: work).status, 0)
    let s = try ImageFacts(work.appendingPathComponent("s.png"))
    XCTAssertEqual([s.width, s.height], [100, 100])
    XCTAssertEqual(try downscale.run(["--width", "64", "-o", "w.png", "rocket.jpg"], in: work).status, 0)
    XCTAssertEqual(try ImageFacts(work.appendingPathComponent("w.png")).height, 43)
  }

  func testInterruptRemovesTemporaryFiles() throws {
    // A large, slow-to-encode input so the signal arrives mid-write.
    let side = 6000
    var px = [UInt8](repeating: 0, count: side * side * 3)
    var seed: UInt32 = 1
    for i in 0..<px.count { seed = seed &* 1_664_525 &+ 1_013_904_223; px[i] = UInt8(seed >> 24) }
    try Image.fromPixels(px, width: side, height: side, bands: 3, format: .uchar).save(to: work.appendingPathComponent("big.png").path)
    let p = try downscale.start(["-s", "0.5", "-j", "1", "-o", "out/", "big.png"], in: work)
    Thread.sleep(forTimeInterval: 1.0)
    p.terminate()
    p.waitUntilExit()
    XCTAssertEqual(files(in: "out"), [], "temporary or partial files left behind")
    if p.terminationReason == .exit { XCTAssertEqual(p.terminationStatus, 128 + SIGTERM) }
  }

  /// On a terminal, stderr shows a progress bar with an ETA (run under script(1) for a pseudo-TTY);
  /// through a pipe it stays silent (see testShrinksABatchIntoAFolder).
  func testProgressBarOnlyOnATerminal() throws {
    try XCTSkipIf(!FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "script(1) is needed")
    try copyFixtures(["chelsea.png", "rocket.jpg"])
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
    p.arguments = ["-qec", "\(downscale.url.path) -s 2 -j 1 -o out/ chelsea.png rocket.jpg", "/dev/null"]
    p.currentDirectoryURL = work
    var env = ProcessInfo.processInfo.environment
    env["TERM"] = "xterm"
    p.environment = env
    let out = Pipe()
    p.standardOutput = out
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    XCTAssertEqual(p.terminationStatus, 0, text)
    XCTAssertTrue(text.contains("ETA"), text)
    XCTAssertTrue(text.contains("100%"), text)
  }
}
