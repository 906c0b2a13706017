import Foundation
import Imaging
import XCTest

final class CrappifyTests: ToolTestCase {
  let crappify = Tool(name: "crappify")

  func url(_ name: String) -> URL { work.appendingPathComponent(name) }

  func pixels(_ name: String) throws -> [UInt8] {
    try Image.load(path: url(name).path, sequential: false).pixels(as: UInt8.self)
  }

  func manifest(_ name: String) throws -> [[String: Any]] {
    try String(contentsOf: url(name), encoding: .utf8).split(separator: "\n").map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
  }

  /// A flat or stepped 8-bit grey test card saved as PNG.
  func card(_ name: String, width: Int, height: Int, value: (Int, Int) -> UInt8) throws {
    var px = [UInt8]()
    for y in 0..<height { for x in 0..<width { px.append(value(x, y)) } }
    try Image.fromPixels(px, width: width, height: height, bands: 1, format: .uchar).save(to: url(name).path)
  }

  func testFastAIRecipeShrinksDrawsAndCompresses() throws {
    try copyFixtures(["chelsea.png", "rocket.jpg", "cat-alpha.png", "chelsea-16bit.png", "camera.png"])
    let r = try crappify.run(
      ["-o", "out/", "--manifest", "m.jsonl", "chelsea.png", "rocket.jpg", "cat-alpha.png", "chelsea-16bit.png", "camera.png"], in: work)
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(files(in: "out"), ["camera.png", "cat-alpha.png", "chelsea-16bit.png", "chelsea.png", "rocket.jpg"])
    let chelsea = try ImageFacts(url("out/chelsea.png"))
    XCTAssertEqual([chelsea.width, chelsea.height, chelsea.bands], [144, 96, 3])  // int(451 * 96/300)
    XCTAssertEqual(chelsea.format, .uchar)
    XCTAssertEqual(try ImageFacts(url("out/camera.png")).bands, 3)
    XCTAssertEqual(try ImageFacts(url("out/cat-alpha.png")).bands, 3)
    let lines = try manifest("m.jsonl")
    XCTAssertEqual(lines.map { $0["input"] as! String }, ["camera.png", "cat-alpha.png", "chelsea-16bit.png", "chelsea.png", "rocket.jpg"])
    for line in lines {
      XCTAssertTrue((10...70).contains(line["jpeg_quality"] as! Int))
      XCTAssertNotNil(line["text"])
    }
    // A .jpg output is the JPEG the recipe made, not a second compression of it.
    let rocket = lines.first { $0["input"] as! String == "rocket.jpg" }!
    XCTAssertTrue(try JPEGQuality.estimate(Data(contentsOf: url("out/rocket.jpg"))).contains(rocket["jpeg_quality"] as! Int))
    let small = try crappify.run(["--size", "48", "-o", "small.png", "chelsea.png"], in: work)
    XCTAssertEqual(small.status, 0, small.stderr)
    XCTAssertEqual(try ImageFacts(url("small.png")).height, 48)
  }

  func testSameSeedSameBytesWhateverJobsAndOrder() throws {
    let names = ["chelsea.png", "rocket.jpg", "camera.png", "cat-alpha.png"]
    try copyFixtures(names, to: "in")
    for recipe in ["fastai", "realesrgan"] {
      let a = try crappify.run(["--recipe", recipe, "--seed", "5", "-j", "1", "-o", "a-\(recipe)/", "--manifest", "a-\(recipe).jsonl"] + names, in: url("in"))
      let b = try crappify.run(
        ["--recipe", recipe, "--seed", "5", "-j", "2", "-o", "b-\(recipe)/", "--manifest", "b-\(recipe).jsonl"] + names.reversed(), in: url("in"))
      let c = try crappify.run(["--recipe", recipe, "--seed", "6", "-o", "c-\(recipe)/"] + names, in: url("in"))
      for r in [a, b, c] { XCTAssertEqual(r.status, 0, r.stderr) }
      for n in names {
        let x = try Data(contentsOf: url("in/a-\(recipe)/\(n)")), y = try Data(contentsOf: url("in/b-\(recipe)/\(n)"))
        XCTAssertEqual(x, y, "\(recipe) \(n) differs between -j 1 and -j 2")
        XCTAssertNotEqual(x, try Data(contentsOf: url("in/c-\(recipe)/\(n)")), "\(recipe) \(n): another seed gave the same bytes")
      }
      XCTAssertEqual(try Data(contentsOf: url("in/a-\(recipe).jsonl")), try Data(contentsOf: url("in/b-\(recipe).jsonl")))
    }
  }

  /// 20 batches at -j 2 of photos of mixed sizes, on cores another process keeps busy, give the bytes
  /// of a -j 1 batch: no result depends on timing (text rendering, strips, threads).
  func testSameBytesUnderLoad() throws {
    try copyFixtures(["chelsea.png", "rocket.jpg", "cat-alpha.png", "camera.png", "chelsea-16bit.png"], to: "in")
    for (i, (w, h)) in [(97, 61), (333, 501), (1024, 683), (640, 427), (129, 1024), (211, 211)].enumerated() {
      try Image.load(path: url("in/rocket.jpg").path, sequential: false).resampled(width: w, height: h, rule: .pil)
        .save(to: url("in/p\(i).\(i % 2 == 0 ? "jpg" : "png")").path)
    }
    let names = try FileManager.default.contentsOfDirectory(atPath: url("in").path).sorted()
    let reference = try crappify.run(["--seed", "7", "-j", "1", "-o", "ref/"] + names, in: url("in"))
    XCTAssertEqual(reference.status, 0, reference.stderr)
    try loadCores()
    for run in 0..<20 {
      let r = try crappify.run(["--seed", "7", "-j", "2", "-o", "run\(run)/"] + names, in: url("in"))
      XCTAssertEqual(r.status, 0, r.stderr)
      for n in names {
        XCTAssertEqual(
          try Data(contentsOf: url("in/run\(run)/\(n)")), try Data(contentsOf: url("in/ref/\(n)")), "run \(run): \(n) differs from -j 1's")
      }
    }
  }

  func testJPEGQualityReadFromTheQuantisationTables() throws {
    try copyFixtures(["chelsea.png"])
    for q in [12, 37, 50, 83] {
      let r = try crappify.run(["--jpeg", "\(q)", "-o", "q\(q).jpg", "chelsea.png"], in: work)
      XCTAssertEqual(r.status, 0, r.stderr)
      XCTAssertTrue(try JPEGQuality.estimate(Data(contentsOf: url("q\(q).jpg"))).contains(q), "quality \(q)")
    }
    let r = try crappify.run(["--jpeg", "30-90", "--manifest", "m.jsonl", "-o", "range.jpg", "chelsea.png"], in: work)
    XCTAssertEqual(r.status, 0, r.stderr)
    let drawn = try manifest("m.jsonl")[0]["jpeg_quality"] as! Int
    XCTAssertTrue((30...90).contains(drawn))
    XCTAssertTrue(try JPEGQuality.estimate(Data(contentsOf: url("range.jpg"))).contains(drawn))
  }

  func testNoiseSigmaMeasuredOnAFlatImage() throws {
    try card("flat.png", width: 256, height: 256) { _, _ in 128 }
    for sigma in [5.0, 12.0] {
      let r = try crappify.run(["--noise", "\(sigma)", "-o", "n\(Int(sigma)).png", "flat.png"], in: work)
      XCTAssertEqual(r.status, 0, r.stderr)
      let px = try pixels("n\(Int(sigma)).png").map(Double.init)
      let mean = px.reduce(0, +) / Double(px.count)
      let std = (px.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(px.count)).squareRoot()
      XCTAssertEqual(mean, 128, accuracy: 0.5)
      XCTAssertEqual(std, sigma, accuracy: sigma * 0.1, "noise sigma \(sigma)")
    }
  }

  func testBlurWidensAStepEdgeBySigma() throws {
    try card("edge.png", width: 200, height: 32) { x, _ in x < 100 ? 40 : 215 }
    var widths: [Double] = []
    for sigma in [1.0, 3.0] {
      let r = try crappify.run(["--blur", "\(sigma)", "-o", "b\(Int(sigma)).png", "edge.png"], in: work)
      XCTAssertEqual(r.status, 0, r.stderr)
      let px = try pixels("b\(Int(sigma)).png")
      let row = (0..<200).map { Double(px[(16 * 200 + $0) * 3]) }
      // The 10%-90% rise, interpolated between samples: 2.563 sigma for a Gaussian.
      func crossing(_ level: Double) -> Double {
        let i = (0..<199).first { row[$0] < level && row[$0 + 1] >= level }!
        return Double(i) + (level - row[i]) / (row[i + 1] - row[i])
      }
      let width = crossing(40 + 0.9 * 175) - crossing(40 + 0.1 * 175)
      XCTAssertEqual(width, 2.563 * sigma, accuracy: 0.15 * 2.563 * sigma + 0.3, "edge width for sigma \(sigma)")
      widths.append(width)
    }
    XCTAssertGreaterThan(widths[1], 2 * widths[0])
  }

  func testTextChangesPixelsOnlyInsideItsBox() throws {
    try card("grey.png", width: 240, height: 180) { _, _ in 90 }
    let r = try crappify.run(["--text", "--seed", "3", "--manifest", "m.jsonl", "-o", "t.png", "grey.png"], in: work)
    XCTAssertEqual(r.status, 0, r.stderr)
    let m = try manifest("m.jsonl")[0]
    let (x0, y0) = (m["text_x"] as! Int, m["text_y"] as! Int)
    let (w, h) = (m["text_width"] as! Int, m["text_height"] as! Int)
    let px = try pixels("t.png")
    var changed = 0
    for y in 0..<180 {
      for x in 0..<240 where px[(y * 240 + x) * 3..<(y * 240 + x) * 3 + 3] != [90, 90, 90] {
        changed += 1
        XCTAssertTrue((x0..<x0 + w).contains(x) && (y0..<y0 + h).contains(y), "pixel (\(x), \(y)) outside the text box")
      }
    }
    XCTAssertGreaterThan(changed, (m["text_size"] as! Int) * 3, "too little text drawn")
  }

  func testStagesRunInTheOrderGiven() throws {
    try copyFixtures(["chelsea.png"])
    _ = try crappify.run(["--jpeg", "50", "--text", "--manifest", "a.jsonl", "-o", "a.jpg", "chelsea.png"], in: work)
    _ = try crappify.run(["--text", "--jpeg", "50", "--manifest", "b.jsonl", "-o", "b.jpg", "chelsea.png"], in: work)
    let a = try String(contentsOf: url("a.jsonl"), encoding: .utf8), b = try String(contentsOf: url("b.jsonl"), encoding: .utf8)
    XCTAssertLessThan(a.range(of: "jpeg_quality")!.lowerBound, a.range(of: "\"text\"")!.lowerBound)
    XCTAssertLessThan(b.range(of: "\"text\"")!.lowerBound, b.range(of: "jpeg_quality")!.lowerBound)
    // JPEG last: its bytes are the output.
    XCTAssertEqual(try JPEGQuality.estimate(Data(contentsOf: url("b.jpg"))), [50])
  }

  func testPairsAlignWithTheDownscaledHR() throws {
    try copyFixtures(["chelsea.png", "rocket.jpg"])
    let r = try crappify.run(["--downscale", "4", "--noise", "2", "--jpeg", "95", "--pairs", "p", "chelsea.png", "rocket.jpg"], in: work)
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(files(in: "p"), ["hr/chelsea.png", "hr/rocket.png", "lr/chelsea.png", "lr/rocket.png"])
    let hr = try Image.load(path: url("p/hr/chelsea.png").path, sequential: false)
    XCTAssertEqual([hr.width, hr.height], [448, 300])  // cropped to a multiple of 4
    let lr = try pixels("p/lr/chelsea.png")
    let shrunk = try hr.resampled(width: 112, height: 75, rule: .matlab).pixels(as: UInt8.self)
    XCTAssertGreaterThan(psnr(lr, shrunk), 33)
  }

  func testPatchesAlignBetweenHRAndLR() throws {
    try copyFixtures(["chelsea.png"])
    let r = try crappify.run(
      ["--downscale", "2", "--jpeg", "95", "--pairs", "p/", "--patch", "64", "--patches-per-image", "3", "--manifest", "m.jsonl", "chelsea.png"],
      in: work)
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(
      files(in: "p"),
      ["hr/chelsea_000.png", "hr/chelsea_001.png", "hr/chelsea_002.png", "lr/chelsea_000.png", "lr/chelsea_001.png", "lr/chelsea_002.png"])
    XCTAssertEqual((try manifest("m.jsonl")[0]["patches"] as! String).split(separator: " ").count, 3)
    for i in 0..<3 {
      let hr = try Image.load(path: url("p/hr/chelsea_00\(i).png").path, sequential: false)
      XCTAssertEqual([hr.width, hr.height], [64, 64])
      let lr = try pixels("p/lr/chelsea_00\(i).png")
      XCTAssertEqual(lr.count, 32 * 32 * 3)
      let shrunk = try hr.resampled(width: 32, height: 32, rule: .matlab).pixels(as: UInt8.self)
      XCTAssertGreaterThan(psnr(lr, shrunk), 28, "patch \(i)")
    }
    // fast.ai's size rule gives no whole-number scale to align patches by.
    let bad = try crappify.run(["--recipe", "fastai", "--pairs", "q", "--patch", "64", "chelsea.png"], in: work)
    XCTAssertEqual(bad.status, 64)
  }

  func testRealESRGANRecipe() throws {
    try copyFixtures(["chelsea.png"])
    let r = try crappify.run(["--recipe", "realesrgan", "--manifest", "m.jsonl", "-o", "x4.png", "chelsea.png"], in: work)
    XCTAssertEqual(r.status, 0, r.stderr)
    let facts = try ImageFacts(url("x4.png"))
    XCTAssertEqual([facts.width, facts.height], [112, 75])
    let m = try manifest("m.jsonl")[0]
    for key in ["blur1", "resize1_scale", "resize1_mode", "noise1", "jpeg1_quality", "blur2_applied", "resize2_mode", "noise2", "final_order", "jpeg2_quality"] {
      XCTAssertNotNil(m[key], "manifest lacks \(key)")
    }
    let x2 = try crappify.run(["--recipe", "realesrgan", "--scale", "2", "-o", "x2.png", "chelsea.png"], in: work)
    XCTAssertEqual(x2.status, 0, x2.stderr)
    XCTAssertEqual(try ImageFacts(url("x2.png")).width, 225)
  }

  func testUsageErrorsAndBrokenInputs() throws {
    try copyFixtures(["chelsea.png"])
    for args in [
      ["--recipe", "fastai", "--blur", "1", "-o", "o/"], ["--jpeg", "0", "-o", "o/"], ["--jpeg", "90-30", "-o", "o/"],
      ["--blur", "x", "-o", "o/"], ["--patch", "64", "-o", "o/"], ["--pairs", "p", "-o", "o/"],
      ["--size", "96", "--recipe", "realesrgan", "-o", "o/"],
    ] {
      let r = try crappify.run(args + ["chelsea.png"], in: work)
      XCTAssertEqual(r.status, 64, "\(args): \(r.stderr)")
    }
    FileManager.default.createFile(atPath: url("bad.png").path, contents: Data("nope".utf8))
    let r = try crappify.run(["-o", "out/", "bad.png", "chelsea.png"], in: work)
    XCTAssertEqual(r.status, 1)
    XCTAssertEqual(r.stderrLines.count, 1, r.stderr)
    XCTAssertTrue(r.stderr.hasPrefix("crappify: bad.png: "), r.stderr)
    XCTAssertEqual(files(in: "out"), ["chelsea.png"])
  }

  func psnr(_ a: [UInt8], _ b: [UInt8]) -> Double {
    var sum = 0.0
    for (x, y) in zip(a, b) {
      let d = Double(x) - Double(y)
      sum += d * d
    }
    let mse = sum / Double(a.count)
    return 10 * log10(255 * 255 / mse)
  }
}

/// The JPEG quality a file was saved at, recovered from its luminance quantisation table: the
/// qualities whose libjpeg scaling of the standard table (jpeg_quality_scaling) gives that table.
enum JPEGQuality {
  static let standardLuminance: [Int] = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
  ]
  /// Zig-zag position k holds natural position zigzag[k].
  static let zigzag: [Int] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
    35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
  ]

  static func table(quality q: Int) -> [Int] {
    let scale = q < 50 ? 5000 / q : 200 - 2 * q
    return standardLuminance.map { min(max(($0 * scale + 50) / 100, 1), 255) }
  }

  /// The first table (id 0) of the first DQT segment, in natural order.
  static func luminanceTable(_ data: Data) -> [Int]? {
    let b = [UInt8](data)
    var i = 2
    while i + 4 <= b.count, b[i] == 0xFF {
      let marker = b[i + 1], length = Int(b[i + 2]) << 8 | Int(b[i + 3])
      if marker == 0xDB {
        var p = i + 4
        while p < i + 2 + length {
          let precision = b[p] >> 4, id = b[p] & 15
          let size = precision == 0 ? 1 : 2
          var natural = [Int](repeating: 0, count: 64)
          for k in 0..<64 {
            let o = p + 1 + k * size
            natural[zigzag[k]] = size == 1 ? Int(b[o]) : Int(b[o]) << 8 | Int(b[o + 1])
          }
          if id == 0 { return natural }
          p += 1 + 64 * size
        }
      }
      if marker == 0xDA { break }
      i += 2 + length
    }
    return nil
  }

  static func estimate(_ data: Data) -> [Int] {
    guard let t = luminanceTable(data) else { return [] }
    return (1...100).filter { table(quality: $0) == t }
  }
}
