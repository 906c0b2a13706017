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
