import XCTest

@testable import ToolSupport

final class PathTests: XCTestCase {
  func testStemExtensionDirectory() {
    let p = Path("a/b/photo.final.JPG")
    XCTAssertEqual(String(decoding: p.stem, as: UTF8.self), "photo.final")
    XCTAssertEqual(p.extension, "jpg")
    XCTAssertEqual(p.directory, Path("a/b"))
    XCTAssertEqual(Path(".hidden").extension, "")
    XCTAssertEqual(Path("name").directory, Path("."))
  }

  func testContainedComponentsCannotClimbOut() {
    let names = { (s: String) in Path(s).containedComponents.map { String(decoding: $0, as: UTF8.self) } }
    XCTAssertEqual(names("../../etc/passwd"), ["etc", "passwd"])
    XCTAssertEqual(names("a/./b/../c.png"), ["a", "c.png"])
    XCTAssertEqual(names("a/../../x.png"), ["x.png"])
  }
}

final class OutputNamingTests: XCTestCase {
  func destination(_ output: String?, format: String? = nil, _ input: Input) throws -> OutputNaming.Destination {
    try OutputNaming(output: output, format: format).destination(for: input, inputFormat: "png")
  }

  func testDirectoryMirrorsRelativeTreeAndFlattensAbsolute() throws {
    XCTAssertEqual(try destination("out/", .file(Path("a/b/c.png"))), .file(Path("out/a/b/c.png")))
    XCTAssertEqual(try destination("out/", .file(Path("/abs/x/c.png"))), .file(Path("out/c.png")))
    XCTAssertEqual(try destination("out/", .file(Path("../../up.png"))), .file(Path("out/up.png")))
  }

  func testTemplatePlaceholders() throws {
    XCTAssertEqual(try destination("%d/lr/%s_x4.%e", .file(Path("hr/cat.jpg"))), .file(Path("hr/lr/cat_x4.jpg")))
    XCTAssertEqual(try destination("100%%-%s.png", .file(Path("a.tif"))), .file(Path("100%-a.png")))
  }

  func testFormatReplacesExtensionAndCarriesSaverOptions() throws {
    let naming = OutputNaming(output: "out/[strip]", format: "jpg[Q=90]")
    XCTAssertEqual(try naming.destination(for: .file(Path("x/y.png")), inputFormat: "png"), .file(Path("out/x/y.jpg")))
    XCTAssertEqual(naming.saverOptions, "Q=90,strip")
    XCTAssertEqual(naming.suffix("jpg"), ".jpg[Q=90,strip]")
  }

  func testStripComesFromTheFlagOrTheSaverOptions() {
    XCTAssertTrue(OutputNaming(output: "out/", format: nil, strip: true).strips)
    XCTAssertTrue(OutputNaming(output: "out/[Q=90,strip]", format: nil).strips)
    XCTAssertTrue(OutputNaming(output: "out/", format: "png[ strip = TRUE ]").strips)
    XCTAssertFalse(OutputNaming(output: "out/[strip=false]", format: nil).strips)
    XCTAssertFalse(OutputNaming(output: "out/[stripes]", format: nil).strips)
    XCTAssertFalse(OutputNaming(output: "out/", format: "jpg[Q=90]").strips)
  }

  func testStandardStreams() throws {
    XCTAssertEqual(try destination("-", format: "webp", .standardInput), .standardOutput(suffix: ".webp"))
    XCTAssertEqual(try destination(nil, .standardInput), .standardOutput(suffix: ".png"))
    XCTAssertThrowsError(try destination("out/", .standardInput))
  }
}

final class InputListTests: XCTestCase {
  func testSplitsLinesAndNULs() {
    let bytes = Array("a.png\r\nb c.png\n\nd.png".utf8)
    XCTAssertEqual(InputList.split(bytes, separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }, ["a.png", "b c.png", "d.png"])
    let nul: [UInt8] = Array("x\ny.png".utf8) + [0] + Array("z.png".utf8) + [0]
    XCTAssertEqual(InputList.split(nul, separator: 0).map { String(decoding: $0, as: UTF8.self) }, ["x\ny.png", "z.png"])
  }
}

final class JSONRecordTests: XCTestCase {
  func testEscapesAndKeepsOrder() {
    var r = JSONRecord()
    r["input"] = .string("a \"b\"\n\u{1}")
    r["width"] = .int(3)
    r["seconds"] = .double(.nan)
    XCTAssertEqual(r.line, #"{"input":"a \"b\"\n\u0001","width":3,"seconds":null}"#)
  }
}

final class ProgressTests: XCTestCase {
  /// Images weigh their pixels: a 100-pixel and a 300-pixel image done is half of 800 pixels.
  func testItemsWeighTheirSizes() {
    var t = Tally(count: 3)
    t.setSize(100, item: 0)
    t.setSize(300, item: 1)
    t.setSize(400, item: 2)
    XCTAssertEqual(t.fraction, 0)
    t.finish(0)
    XCTAssertEqual(t.fraction, 0.125)
    t.finish(1)
    XCTAssertEqual(t.fraction, 0.5)
    t.finish(1)  // twice counts once
    XCTAssertEqual(t.fraction, 0.5)
    t.finish(2)
    XCTAssertEqual(t.fraction, 1)
  }

  /// Sizes not yet read count as the mean of the known ones, and a size arriving after its item
  /// finished replaces that guess.
  func testUnknownSizesTakeTheMean() {
    var t = Tally(count: 4)
    t.setSize(100, item: 0)
    t.setSize(300, item: 1)
    t.finish(2)  // unknown: 200 of 800
    XCTAssertEqual(t.fraction, 0.25)
    t.setSize(600, item: 2)  // known 1000 over 3 items; item 3 guessed at 1000 / 3
    XCTAssertEqual(t.fraction, 600 / (1000 + 1000 / 3), accuracy: 1e-12)
    t.setSize(5, item: 2)  // a size is set once
    XCTAssertEqual(t.fraction, 600 / (1000 + 1000 / 3), accuracy: 1e-12)
    XCTAssertEqual(t.finishedCount, 1)
  }

  /// An item under way counts its done part; finishing replaces it with the whole.
  func testItemsUnderWayCountTheirDonePart() {
    var t = Tally(count: 2)
    t.setSize(100, item: 0)
    t.setSize(300, item: 1)
    t.setDone(0.5, item: 1)
    XCTAssertEqual(t.fraction, 150.0 / 400)
    t.setDone(2, item: 0)  // clamped to the whole item
    XCTAssertEqual(t.fraction, 250.0 / 400)
    t.finish(1)
    XCTAssertEqual(t.fraction, 400.0 / 400)
    t.setDone(0.1, item: 1)  // finished: ignored
    XCTAssertEqual(t.fraction, 1)
    var unknown = Tally(count: 1)  // one image, size never read: its own share
    unknown.setDone(0.4, item: 0)
    XCTAssertEqual(unknown.fraction, 0.4, accuracy: 1e-12)
  }

  /// With no size known, or only zeros (unreadable headers), items are counted.
  func testFallsBackToCountingItems() {
    var none = Tally(count: 4)
    none.finish(3)
    XCTAssertEqual(none.fraction, 0.25)
    var zeros = Tally(count: 2)
    zeros.setSize(0, item: 0)
    zeros.setSize(0, item: 1)
    zeros.finish(0)
    XCTAssertEqual(zeros.fraction, 0.5)
    XCTAssertEqual(Tally(count: 0).fraction, 1)
  }

  func testUnitsAndETA() {
    var u = Tally(units: 10)
    u.advance(by: 3)
    XCTAssertEqual(u.fraction, 0.3, accuracy: 1e-12)
    u.advance(by: 30)
    XCTAssertEqual(u.fraction, 1)
    XCTAssertEqual(Progress.remaining(elapsed: 10, fraction: 0.25), 30)
    XCTAssertEqual(Progress.remaining(elapsed: 10, fraction: 0), 0)
    XCTAssertEqual(Progress.clock(65), "1:05")
    XCTAssertEqual(Progress.clock(3725), "1:02:05")
  }
}

final class IdleCoresTests: XCTestCase {
  func testAnItemTakesEveryIdleCoreAndAlwaysOne() {
    let cores = IdleCores(2)
    XCTAssertEqual(cores.take(), 2, "alone: every core")
    XCTAssertEqual(cores.take(), 1, "none idle: still one")
    cores.give(2)
    XCTAssertEqual(cores.take(), 1, "one still running: the other core")
    cores.give(1)
    cores.give(1)
    XCTAssertEqual(cores.take(), 2, "all given back")
    XCTAssertEqual(IdleCores(0).take(), 1)
  }
}
