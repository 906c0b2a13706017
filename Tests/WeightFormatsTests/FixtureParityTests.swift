import XCTest

@testable import WeightFormats

/// Each fixture loads with the keys, shapes and values its writing library reported.
final class FixtureParityTests: XCTestCase {
  func testTorchFixturesMatchWhatTorchReported() throws {
    let expected = try Fixtures.expected("torch")
    XCTAssertGreaterThanOrEqual(expected.count, 9)
    for (name, tensors) in expected.sorted(by: { $0.key < $1.key }) {
      try Fixtures.check(name, against: tensors)
    }
  }

  func testSafetensorsFixtureMatchesWhatNumpyHeld() throws {
    let expected = try Fixtures.expected("safetensors")
    let tensors = try XCTUnwrap(expected["model.safetensors"])
    try Fixtures.check("model.safetensors", against: tensors, ordered: false)
    XCTAssertEqual(try StateDict.load(path: Fixtures.path("model.safetensors")).format, .safetensors)
  }

  func testPlainStateDict() throws {
    let sd = try StateDict.load(path: Fixtures.path("plain-fp32.pth"))
    XCTAssertEqual(sd.format, .torchZip)
    XCTAssertEqual(sd.keys.first, "conv_first.weight")
    XCTAssertEqual(sd["conv_first.weight"]?.shape, [4, 3, 3, 3])
    XCTAssertEqual(sd["conv_last.bias"]?.shape, [3])
  }

  func testHalfPrecisionConvertsExactly() throws {
    let half = try StateDict.load(path: Fixtures.path("plain-fp16.pth"))
    let single = try StateDict.load(path: Fixtures.path("plain-fp32.pth"))
    XCTAssertEqual(half.keys, single.keys)
    for key in half.keys {
      let h = try XCTUnwrap(half[key]), s = try XCTUnwrap(single[key])
      XCTAssertEqual(h.sourceType, .float16)
      // Rounding the fp32 values to fp16 and back gives exactly what the fp16 file holds.
      XCTAssertEqual(h.values, s.values.map { Float(Float16($0)) }, key)
    }
  }

  func testWrappedCheckpointPrefersParamsEma() throws {
    let wrapped = try StateDict.load(path: Fixtures.path("wrapped-params-ema.pth"))
    let plain = try StateDict.load(path: Fixtures.path("plain-fp32.pth"))
    XCTAssertEqual(wrapped.keys, plain.keys)
    for key in plain.keys { XCTAssertEqual(wrapped[key], plain[key], key) }
  }

  func testTrainingCheckpointUnwrapsStateDictBesidePlainValues() throws {
    let sd = try StateDict.load(path: Fixtures.path("wrapped-state-dict.pth"))
    XCTAssertEqual(sd.keys.count, 8)
    XCTAssertFalse(sd.keys.contains("epoch"))
  }

  func testDataParallelPrefixIsStripped() throws {
    let sd = try StateDict.load(path: Fixtures.path("data-parallel.pth"))
    XCTAssertFalse(sd.keys.isEmpty)
    XCTAssertTrue(sd.keys.allSatisfy { !$0.hasPrefix("module.") }, "\(sd.keys)")
    XCTAssertNotNil(sd["conv_first.weight"])
  }

  func testViewsHonourOffsetsAndStrides() throws {
    let sd = try StateDict.load(path: Fixtures.path("views.pth"))
    // base = arange(24).reshape(4, 6) / 7; transposed is base.t(), 6 × 4.
    let transposed = try XCTUnwrap(sd["transposed"])
    XCTAssertEqual(transposed.shape, [6, 4])
    XCTAssertEqual(transposed.values[1], Float(6) / 7)
    XCTAssertEqual(sd["scalar"], Tensor(shape: [], values: [2.5]))
    XCTAssertEqual(sd["empty"]?.shape, [0, 3])
    XCTAssertEqual(sd["empty"]?.values, [])
    // shared.a = s[2:8] and shared.b = s[5:17].view(3, 4) overlap in s[5:8].
    let a = try XCTUnwrap(sd["shared.a"]), b = try XCTUnwrap(sd["shared.b"])
    XCTAssertEqual(Array(a.values[3..<6]), Array(b.values[0..<3]))
  }

  func testZeroStridesRepeatValues() throws {
    let sd = try StateDict.load(path: Fixtures.path("expanded.pth"))
    XCTAssertEqual(sd["x"], Tensor(shape: [5], values: [1.5, 1.5, 1.5, 1.5, 1.5]))
    XCTAssertEqual(sd["row"]?.values, [0, 1, 2, 0, 1, 2])
  }

  func testZip64ArchiveReadsLikeTheOriginal() throws {
    let zip64 = try StateDict.load(path: Fixtures.path("zip64.pth"))
    let plain = try StateDict.load(path: Fixtures.path("plain-fp32.pth"))
    XCTAssertEqual(zip64.keys, plain.keys)
    for key in plain.keys { XCTAssertEqual(zip64[key], plain[key], key) }
  }

  func testParameterIsUnwrapped() throws {
    XCTAssertEqual(try StateDict.load(path: Fixtures.path("parameter.pth"))["weight"]?.shape, [2, 2])
  }
}
