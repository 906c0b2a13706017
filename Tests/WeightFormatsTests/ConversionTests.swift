import Foundation
import XCTest

@testable import WeightFormats

final class ConversionTests: XCTestCase {
  func testHalfConversionMatchesFloat16ForEveryBitPattern() {
    for bits in 0...UInt16.max {
      let mine = floatFromHalf(bits)
      let reference = Float(Float16(bitPattern: bits))
      if reference.isNaN {
        XCTAssertTrue(mine.isNaN, "\(bits)")
      } else {
        XCTAssertEqual(mine.bitPattern, reference.bitPattern, "\(bits)")
      }
    }
  }

  func testBFloat16IsTheUpperHalf() {
    XCTAssertEqual(floatFromBFloat16(0x3fc0), 1.5)
    XCTAssertEqual(floatFromBFloat16(0xc000), -2)
  }

  func testStridedGatherWalksInRowMajorOrder() throws {
    // A 3 × 2 transpose of a 2 × 3 row-major block.
    let layout = try StridedLayout(shape: [3, 2], strides: [1, 3], offset: 0, storageCount: 6)
    XCTAssertFalse(layout.isContiguous)
    XCTAssertEqual(layout.gather { Float($0) }, [0, 3, 1, 4, 2, 5])
    let contiguous = try StridedLayout(contiguous: [2, 1, 3], storageCount: 6)
    XCTAssertTrue(contiguous.isContiguous)
    XCTAssertEqual(contiguous.gather { Float($0) }, [0, 1, 2, 3, 4, 5])
  }

  func testJSONHeaderParser() throws {
    let json = try JSON.parse(Array(#" {"b": [1, 18446744073709551615, 1e3], "a\u00e9\n": {"x": null, "y": true}} "#.utf8))
    guard case .object(let members) = json else { return XCTFail() }
    XCTAssertEqual(members.map(\.0), ["b", "aé\n"])
    guard case .array(let items)? = json["b"], case .number(_, let big?) = items[1], case .number(1000, nil) = items[2] else {
      return XCTFail("\(json)")
    }
    XCTAssertEqual(big, .max)
    XCTAssertThrowsError(try JSON.parse(Array(String(repeating: "[", count: 100_000).utf8)))
    XCTAssertThrowsError(try JSON.parse(Array(#"{"a": 1,}"#.utf8)))
    XCTAssertThrowsError(try JSON.parse(Array(#""unterminated"#.utf8)))
  }

  func testSafetensorsFromBytes() throws {
    func file(_ header: String, _ data: [UInt8]) -> Data {
      let h = Array(header.utf8)
      return Data(withUnsafeBytes(of: UInt64(h.count).littleEndian, Array.init) + h + data)
    }
    let bf16 = file(#"{"__metadata__": {"format": "pt"}, "w": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}"#,
                    [0xc0, 0x3f, 0x00, 0xc0])
    XCTAssertEqual(try StateDict.load(data: bf16)["w"], Tensor(shape: [2], values: [1.5, -2], sourceType: .bfloat16))

    let huge = file(#"{"w": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 0]}}"#, [])
    XCTAssertThrowsError(try StateDict.load(data: huge)) { XCTAssertTrue("\($0)".contains("too large to address"), "\($0)") }
    let past = file(#"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [18446744073709551615, 4]}}"#, [0, 0, 0, 0])
    XCTAssertThrowsError(try StateDict.load(data: past)) { XCTAssertTrue("\($0)".contains("data_offsets outside"), "\($0)") }
    var maxLength = Data(repeating: 0xff, count: 8)
    maxLength.append(contentsOf: Array("{}".utf8))
    XCTAssertThrowsError(try StateDict.load(data: maxLength)) { XCTAssertTrue("\($0)".contains("larger than the file"), "\($0)") }
    let twice = file(#"{"w": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]}, "w": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]}}"#, [0, 0, 0, 0])
    XCTAssertThrowsError(try StateDict.load(data: twice)) { XCTAssertTrue("\($0)".contains("twice"), "\($0)") }
  }

  func testModulePrefixCollisionIsRefused() {
    let t = Tensor(shape: [1], values: [0])
    XCTAssertThrowsError(try StateDict.stripModulePrefix([("module.w", t), ("w", t)])) {
      XCTAssertTrue("\($0)".contains("both become 'w'"), "\($0)")
    }
  }
}
