import Foundation
import XCTest

/// The `srg` command: import, info, verify and bench on a real model.
final class SRGToolTests: ToolTestCase {
  let srg = Tool(name: "srg")

  var param: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("InferenceTests/Fixtures/realesr-animevideov3-x4.param").path
  }

  func testImportInfoVerifyBench() throws {
    let imported = try srg.run(["import", param, "-o", "av3.srg"], in: work)
    XCTAssertEqual(imported.status, 0, imported.stderr)
    XCTAssertEqual(try srg.run(["import", param, "-o", "av3.srg"], in: work).status, 2)  // no overwrite without -f

    let info = try srg.run(["info", "--json", "av3.srg"], in: work)
    XCTAssertEqual(info.status, 0, info.stderr)
    let record = try JSONSerialization.jsonObject(with: info.stdout) as! [String: Any]
    XCTAssertEqual(record["architecture"] as? String, "SRVGGNetCompact")
    XCTAssertEqual(record["scale"] as? Int, 4)
    XCTAssertEqual(record["parameters"] as? Int, 621_424)

    var damaged = try Data(contentsOf: work.appendingPathComponent("av3.srg"))
    damaged[damaged.count / 2] ^= 0x55
    try damaged.write(to: work.appendingPathComponent("bad.srg"))
    let verify = try srg.run(["verify", "av3.srg", "bad.srg"], in: work)
    XCTAssertEqual(verify.status, 1)
    XCTAssertEqual(verify.stdoutText, "av3.srg: OK\n")
    XCTAssertEqual(verify.stderrLines, ["srg: bad.srg: checksum mismatch: the file is damaged"])

    let bench = try srg.run(["bench", "--size", "16", "--runs", "1", "--json", "av3.srg"], in: work)
    XCTAssertEqual(bench.status, 0, bench.stderr)
    let timing = try JSONSerialization.jsonObject(with: bench.stdout) as! [String: Any]
    XCTAssertGreaterThan(timing["ms"] as? Double ?? 0, 0)
  }

  func testUnknownSourcesAreRefusedInOneLine() throws {
    try Data("not a model".utf8).write(to: work.appendingPathComponent("x.pth"))
    let r = try srg.run(["import", "x.pth", "-o", "x.srg"], in: work)
    XCTAssertEqual(r.status, 2)
    XCTAssertEqual(r.stderrLines.count, 1, r.stderr)
    XCTAssertTrue(r.stderr.hasPrefix("srg: x.pth: "), r.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("x.srg").path))
  }
}
