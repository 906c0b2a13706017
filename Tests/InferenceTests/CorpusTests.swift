import Foundation
import XCTest

import Inference

/// Replays the fuzzing corpus (Corpus/srg: `.srg` files; Corpus/ncnn: param + NUL + bin) through the
/// same code as the fuzz harnesses. Each input must load, fail with an error, or run: a trap or a
/// memory error ends the test process, which fails the suite.
final class CorpusTests: XCTestCase {
  func inputs(_ kind: String) throws -> [URL] {
    let dir = try XCTUnwrap(Bundle.module.url(forResource: "Corpus", withExtension: nil)).appendingPathComponent(kind)
    let files = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
      .filter { !$0.lastPathComponent.hasPrefix(".") }
      .sorted { $0.lastPathComponent < $1.lastPathComponent }
    XCTAssertFalse(files.isEmpty, "no corpus in \(dir.path)")
    return files
  }

  func testSRGCorpus() throws {
    var ran = 0
    for url in try inputs("srg") where Probe.srg(try Data(contentsOf: url)).contains("ran:") { ran += 1 }
    // The seed models must still run end to end.
    XCTAssertGreaterThan(ran, 0)
  }

  func testNCNNCorpus() throws {
    var ran = 0
    for url in try inputs("ncnn") where Probe.ncnn(try Data(contentsOf: url)).contains("ran:") { ran += 1 }
    XCTAssertGreaterThan(ran, 0)
  }
}
