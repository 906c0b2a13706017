import Foundation
import XCTest

@testable import WeightFormats

/// Malicious and broken files are refused with an error naming the file and the problem.
final class HostileFileTests: XCTestCase {
  func testGlobalOutsideTheAllowListIsRefused() {
    Fixtures.assertRejects(
      "hostile-os-system.pth", "pickle opcode 0x63 (GLOBAL) names 'os.system', which is not an allowed tensor constructor")
    Fixtures.assertRejects("hostile-nested-global.pth", "names 'posix.system'")
  }

  func testCompressedEntryIsRefused() {
    Fixtures.assertRejects("deflated.pth", "uses compression method 8 (deflate)")
  }

  func testTruncatedAndCorruptArchivesAreRefused() {
    Fixtures.assertRejects("truncated-half.pth", "no zip end-of-central-directory record")
    Fixtures.assertRejects("truncated-tail.pth", "no zip end-of-central-directory record")
    Fixtures.assertRejects("bad-local-offset.pth", "local header offset of zip entry 'plain-fp32/data.pkl'")
  }

  func testZeroStrideViewCannotInflateAllocation() {
    Fixtures.assertRejects("expanded-huge.pth", "more than the file's size can justify")
  }

  func testBrokenSafetensorsAreRefused() {
    Fixtures.assertRejects("offsets-past-end.safetensors", "data_offsets outside the data section of 16 bytes")
    Fixtures.assertRejects("header-too-long.safetensors", "header length 10000 is larger than the file (16 bytes)")
    Fixtures.assertRejects("overlapping.safetensors", "tensors 'a' and 'b' overlap")
    Fixtures.assertRejects("shape-mismatch.safetensors", "has shape [2, 3] of F32 but 16 bytes of data")
    Fixtures.assertRejects("unknown-dtype.safetensors", "dtype F8_E4M3, which is not supported")
  }

  func testMissingAndUnrecognisedFiles() throws {
    Fixtures.assertRejects("no-such-file.pth", "cannot read the file")
    XCTAssertThrowsError(try StateDict.load(data: Data(), name: "empty.pth")) {
      XCTAssertEqual("\($0)", "empty.pth: the file is empty")
    }
    XCTAssertThrowsError(try StateDict.load(data: Data("hello world".utf8), name: "x.bin")) {
      XCTAssertTrue("\($0)".contains("unrecognised format (first bytes 0x6865)"), "\($0)")
    }
    XCTAssertThrowsError(try StateDict.load(data: Data([0x80, 0x02, 0x8a, 0x0a]), name: "old.pth")) {
      XCTAssertTrue("\($0)".contains("legacy torch checkpoint"), "\($0)")
    }
  }
}
