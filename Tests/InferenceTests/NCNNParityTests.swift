import Foundation
import XCTest

@testable import Inference

/// The engine against the `ncnn` package on the same weights and input (raw network outputs, fp32).
/// Tolerance: 1e-4 absolute on values in [0, 1], and at most 1/255 after 8-bit quantisation (a value
/// on a rounding boundary may land either side).
final class NCNNParityTests: XCTestCase {
  func fixture(_ name: String) -> URL { Bundle.module.resourceURL!.appendingPathComponent("Fixtures/\(name)") }

  func check(model: String, reference: String) throws {
    let imported = try NCNNModels.load(paramPath: fixture("\(model).param").path)
    let net = try Network(SRGFile.decode(Data(SRGFile.encode(imported.spec, weights: imported.weights))))
    let input = try loadNPY(fixture("ncnn-\(reference).input.npy"))
    let expected = try loadNPY(fixture("ncnn-\(reference).output.npy"))
    let output = try net.run(input)
    XCTAssertEqual(output.shape, expected.shape)
    var maxDiff: Float = 0, maxQuantised = 0
    for (a, b) in zip(output.data, expected.data) {
      maxDiff = max(maxDiff, abs(a - b))
      let qa = Int((min(max(a, 0), 1) * 255).rounded()), qb = Int((min(max(b, 0), 1) * 255).rounded())
      maxQuantised = max(maxQuantised, abs(qa - qb))
    }
    XCTAssertLessThan(maxDiff, 1e-4, "\(model): largest difference \(maxDiff)")
    XCTAssertLessThanOrEqual(maxQuantised, 1, "\(model)")
  }

  func testRealESRGANCompactMatchesNCNN() throws {
    try check(model: "realesr-animevideov3-x4", reference: "av3")
  }

  func testWaifu2xUpConv7MatchesNCNN() throws {
    try check(model: "upconv_7_photo-noise0_scale2.0x", reference: "up7")
  }

  func testImportedMetadata() throws {
    let av3 = try NCNNModels.load(paramPath: fixture("realesr-animevideov3-x4.param").path).spec.metadata
    XCTAssertEqual([av3.architecture, "\(av3.scale)", "\(av3.consumes)", "\(av3.halo)"], ["SRVGGNetCompact", "4", "0", "10"])
    let up7 = try NCNNModels.load(paramPath: fixture("upconv_7_photo-noise0_scale2.0x.param").path).spec.metadata
    XCTAssertEqual([up7.architecture, "\(up7.scale)", "\(up7.consumes)"], ["UpConv7", "2", "7"])
  }
}
