import XCTest

@testable import WeightFormats

/// Hand-written pickles that torch never writes but a hostile file might.
final class UnpicklerTests: XCTestCase {
  private func run(_ bytes: [UInt8], storageLimit: Int = 1 << 20) throws -> (PickleValue, Unpickler) {
    let u = Unpickler(bytes) { storage in
      guard storage.count <= storageLimit else { throw failure("storage too large") }
    }
    return (try u.run(), u)
  }

  private func assertFails(_ bytes: [UInt8], _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try run(bytes), file: file, line: line) { error in
      XCTAssertTrue("\(error)".contains(fragment), "\(error) lacks '\(fragment)'", file: file, line: line)
    }
  }

  private let proto2: [UInt8] = [0x80, 0x02]

  private func unicode(_ s: String) -> [UInt8] {
    let u = Array(s.utf8)
    return [0x8c, UInt8(u.count)] + u
  }

  private func ints(_ values: [Int]) -> [UInt8] {
    [0x28] + values.flatMap { v -> [UInt8] in
      [0x8a, 8] + withUnsafeBytes(of: Int64(v).littleEndian, Array.init)
    } + [0x74]
  }

  /// {'w': _rebuild_tensor_v2(storage of `numel` floats, offset, size, stride, False, {})}
  private func tensorPickle(numel: Int, offset: Int, size: [Int], stride: [Int]) -> [UInt8] {
    var p: [UInt8] = [0x80, 0x02, 0x7d, 0x28] + unicode("w")
    p += Array("ctorch._utils\n_rebuild_tensor_v2\n(".utf8)
    p += [0x28] + unicode("storage") + Array("ctorch\nFloatStorage\n".utf8) + unicode("0") + unicode("cpu")
    p += [0x8a, 8] + withUnsafeBytes(of: Int64(numel).littleEndian, Array.init) + [0x74, 0x51]
    p += [0x8a, 8] + withUnsafeBytes(of: Int64(offset).littleEndian, Array.init)
    p += ints(size) + ints(stride) + [0x89, 0x7d, 0x74, 0x52, 0x75, 0x2e]
    return p
  }

  func testTensorViewInsideItsStorageIsAccepted() throws {
    let (root, u) = try run(tensorPickle(numel: 12, offset: 2, size: [2, 3], stride: [4, 1]))
    let chosen = try TorchCheckpoint.selectTensors(root, u)
    XCTAssertEqual(chosen.map(\.0), ["w"])
    XCTAssertEqual(u.tensors[0].layout.shape, [2, 3])
    XCTAssertEqual(u.tensors[0].layout.gather { Float($0) }, [2, 3, 4, 6, 7, 8])
  }

  func testTensorViewsOutsideTheirStorageAreRefused() {
    assertFails(tensorPickle(numel: 4, offset: 0, size: [2, 3], stride: [3, 1]), "reaches element 5 of a storage of 4 elements")
    assertFails(tensorPickle(numel: 4, offset: 4, size: [1], stride: [1]), "reaches element 4")
    assertFails(tensorPickle(numel: 4, offset: 0, size: [3, 3], stride: [Int.max / 2, 1]), "overflows its storage")
    assertFails(tensorPickle(numel: 4, offset: 0, size: [Int.max, 4], stride: [1, 1]), "more elements than can be addressed")
    assertFails(tensorPickle(numel: 4, offset: -1, size: [1], stride: [1]), "negative")
    assertFails(tensorPickle(numel: 4, offset: 0, size: [2], stride: [1, 1]), "1 sizes but 2 strides")
    assertFails(tensorPickle(numel: 1 << 40, offset: 0, size: [1], stride: [1]), "storage too large")
  }

  func testDisallowedGlobalsAreNamed() {
    assertFails(proto2 + Array("cbuiltins\neval\n.".utf8), "names 'builtins.eval'")
    // STACK_GLOBAL (protocol 4) is checked the same way.
    assertFails([0x80, 0x04] + unicode("os") + unicode("system") + [0x93, 0x2e], "pickle opcode 0x93 (STACK_GLOBAL) names 'os.system'")
    // An allowed global may still only be called as torch does.
    assertFails(proto2 + Array("ctorch\nFloatStorage\n)R.".utf8), "calls a storage class")
    assertFails(proto2 + Array("ccollections\nOrderedDict\nK\u{01}".utf8) + [0x85] + Array("R.".utf8), "called with arguments")
  }

  func testDeepNestingNeitherRecursesNorTraps() throws {
    // 300 000 nested one-tuples: built, kept and freed without recursion.
    let depth = 300_000
    let (root, u) = try run([0x80, 0x02, 0x29] + [UInt8](repeating: 0x85, count: depth) + [0x2e])
    guard case .tuple = root else { return XCTFail("\(root)") }
    XCTAssertEqual(u.tuples.count, depth + 1)
    XCTAssertThrowsError(try TorchCheckpoint.selectTensors(root, u)) {
      XCTAssertTrue("\($0)".contains("holds a tuple, not a dict of tensors"), "\($0)")
    }
  }

  func testSelfContainingListIsHarmless() throws {
    // l = []; l.append(l)
    let (root, u) = try run([0x80, 0x02, 0x5d, 0x71, 0x00, 0x68, 0x00, 0x61, 0x2e])
    guard case .list(let l) = root else { return XCTFail("\(root)") }
    XCTAssertEqual(u.lists[l].count, 1)
  }

  func testLimitsAndMalformedOperands() {
    assertFails([0x80, 0x02] + [UInt8](repeating: 0x4e, count: Unpickler.maxStack + 1) + [0x2e], "stack exceeds")
    assertFails([0x80, 0x02] + [UInt8](repeating: 0x28, count: Unpickler.maxMarks + 1) + [0x2e], "more than 65536 MARKs")
    assertFails([0x80, 0x02, 0x68, 0x07, 0x2e], "recalls memo entry 7, which was never stored")
    assertFails([0x80, 0x02, 0x58, 0xff, 0xff, 0xff, 0xff, 0x2e], "gives length 4294967295")
    assertFails([0x80, 0x02, 0x4e], "without a STOP")
    assertFails([0x80, 0x02, 0x2e], "pops an empty stack")
    assertFails([0x80, 0x02, 0x74, 0x2e], "has no MARK")
    assertFails([0x80, 0x02, 0x4e, 0x4e, 0x61, 0x2e], "appends to a None, not a list")
    assertFails([0x80, 0x02, 0x28, 0x4e, 0x64, 0x2e], "key without a value")
    assertFails([0x80, 0x02, 0x49, 0x2e], "0x49 (INT)")
    assertFails([0x80, 0x09, 0x2e], "protocol 9")
    assertFails(proto2 + [0x63] + [UInt8](repeating: 0x61, count: 300) + [0x0a], "overlong")
  }

  func testScalars() throws {
    func value(_ bytes: [UInt8]) throws -> PickleValue { try run([0x80, 0x02] + bytes + [0x2e]).0 }
    guard case .int(-2) = try value([0x8a, 0x01, 0xfe]) else { return XCTFail() }
    guard case .int(-1) = try value([0x4a, 0xff, 0xff, 0xff, 0xff]) else { return XCTFail() }
    guard case .int(0x1_0000) = try value([0x8a, 0x03, 0x00, 0x00, 0x01]) else { return XCTFail() }
    guard case .int(Int.min) = try value([0x8a, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x80]) else { return XCTFail() }
    guard case .bigInt = try value([0x8a, 0x09] + [UInt8](repeating: 0xff, count: 9)) else { return XCTFail() }
    guard case .float(1.5) = try value([0x47, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]) else { return XCTFail() }
    guard case .string("é") = try value([0x8c, 0x02, 0xc3, 0xa9]) else { return XCTFail() }
  }
}
