import Foundation
import XCTest

final class SSIMTests: ToolTestCase {
  let ssim = Tool(name: "ssim")
  let downscale = Tool(name: "downscale")

  /// Makes lr/ (downscale x2) and sr/ (the same kernel enlarging x2) from the Set5 copy.
  func set5Restored() throws -> URL {
    let set5 = work.appendingPathComponent("hr")
    try FileManager.default.createDirectory(at: set5, withIntermediateDirectories: true)
    let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("ImagingTests/Set5")
    for n in ["baby", "bird", "butterfly", "head", "woman"] {
      try FileManager.default.copyItem(at: source.appendingPathComponent("\(n).png"), to: set5.appendingPathComponent("\(n).png"))
    }
    XCTAssertEqual(try downscale.run(["-s", "2", "--modcrop", "-o", "lr/", "-q"] + ["baby", "bird", "butterfly", "head", "woman"].map { "hr/\($0).png" }, in: work).status, 0)
    let lr = files(in: "lr").map { "lr/\($0)" }
    XCTAssertEqual(try downscale.run(["-s", "0.5", "-o", "sr/%s.png", "-q"] + lr, in: work).status, 0)
    return work
  }

  func testFoldersPairByNameAndPrintAMean() throws {
    _ = try set5Restored()
    let r = try ssim.run(["--y", "--crop", "2", "hr", "sr"], in: work)
    XCTAssertEqual(r.status, 0, r.stderr)
    let lines = r.stdoutText.split(separator: "\n")
    XCTAssertEqual(lines.count, 6)
    XCTAssertTrue(lines[0].hasSuffix("\thr/baby.png\tsr/baby.png"), String(lines[0]))
    let mean = lines[5].split(separator: "\t")
    XCTAssertEqual(mean[2], "mean of 5 pairs")
    // Set5 x2 bicubic through 8-bit files: the table's 33.66 dB / 0.9299, less the cost of rounding
    // the low-resolution RGB images to 8 bits (about 0.01 dB).
    XCTAssertEqual(Double(mean[1])!, 33.66, accuracy: 0.02)
    XCTAssertEqual(Double(mean[0])!, 0.9299, accuracy: 0.001)
  }

  func testPairsFromStandardInputAsLinesAndNULs() throws {
    _ = try set5Restored()
    let lines = try ssim.run(["--metrics", "psnr"], stdin: Data("hr/bird.png\tsr/bird.png\nhr/head.png\tsr/head.png\n".utf8), in: work)
    XCTAssertEqual(lines.status, 0, lines.stderr)
    XCTAssertEqual(lines.stdoutText.split(separator: "\n").count, 3)
    let nul = try ssim.run(["-0", "--json"], stdin: Data("hr/bird.png\0sr/bird.png\0".utf8), in: work)
    XCTAssertEqual(nul.status, 0, nul.stderr)
    let first = try JSONSerialization.jsonObject(with: Data(nul.stdoutText.split(separator: "\n")[0].utf8)) as! [String: Any]
    XCTAssertEqual(first["reference"] as? String, "hr/bird.png")
    XCTAssertNotNil(first["ssim"] as? Double)
  }

  func testIdenticalImagesGiveOneAndInfinity() throws {
    try copyFixtures(["chelsea.png"])
    let r = try ssim.run(["chelsea.png", "chelsea.png"], in: work)
    XCTAssertEqual(r.status, 0)
    XCTAssertTrue(r.stdoutText.hasPrefix("1.000000\tinf\t"), r.stdoutText)
  }

  func testMismatchesAreReportedAndTheBatchGoesOn() throws {
    _ = try set5Restored()
    try copyFixtures(["camera.png"])
    try FileManager.default.copyItem(at: work.appendingPathComponent("lr/hr/bird.png"), to: work.appendingPathComponent("small.png"))
    let list = "hr/bird.png\tsmall.png\nhr/baby.png\tcamera.png\nhr/head.png\tmissing.png\nhr/woman.png\tsr/woman.png\n"
    let r = try ssim.run([], stdin: Data(list.utf8), in: work)
    XCTAssertEqual(r.status, 1)
    XCTAssertEqual(r.stderrLines.count, 3, r.stderr)
    XCTAssertTrue(r.stderr.contains("ssim: small.png: sizes differ: 288x288 and 144x144"), r.stderr)
    XCTAssertTrue(r.stderr.contains("ssim: camera.png: channel counts differ: 3 and 1"), r.stderr)
    XCTAssertTrue(r.stderr.contains("ssim: missing.png: no such file"), r.stderr)
    XCTAssertTrue(r.stdoutText.contains("mean of 1 pairs"))
    let smaller = try ssim.run(["--crop-to-smaller", "hr/bird.png", "small.png"], in: work)
    XCTAssertEqual(smaller.status, 0, smaller.stderr)
  }

  func testUnpairedFilesInFoldersAreNamed() throws {
    _ = try set5Restored()
    try FileManager.default.removeItem(at: work.appendingPathComponent("sr/head.png"))
    let r = try ssim.run(["hr", "sr", "--csv"], in: work)
    XCTAssertEqual(r.status, 1)
    XCTAssertEqual(r.stderrLines, ["ssim: hr/head.png: no matching image in sr"])
    let csv = r.stdoutText.split(separator: "\n")
    XCTAssertEqual(csv.first, "ssim,psnr,reference,test")
    XCTAssertEqual(csv.count, 6)  // header, 4 pairs, mean
  }

  func testFloatImagesNeedADataRange() throws {
    let r = try ssim.run(["--metrics", "psnr", "--data-range", "0"], in: work)
    XCTAssertEqual(r.status, 64)
  }

  /// scikit-image and numpy transcriptions of each convention, within 1e-6 absolute.
  func testParityWithScikitImage() throws {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Reference/ssim_reference.py")
    try XCTSkipIf(try python(["-c", "import numpy, scipy, skimage, PIL"]).0 != 0, "needs python3 with numpy, scipy, scikit-image and Pillow")
    let (status, text) = try python([script.path, ssim.url.path, fixture("").path])
    XCTAssertEqual(status, 0, text)
  }
}
