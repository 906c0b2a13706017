import Foundation
import XCTest

/// `downscale` against independent references: a float64 numpy transcription of MATLAB's imresize.m
/// (Tests/Reference/matlab_imresize.py) and Pillow itself. Needs python3 with numpy and Pillow, which
/// `.ci/run` installs.
final class ReferenceParityTests: ToolTestCase {
  let downscale = Tool(name: "downscale")

  var script: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Reference/matlab_imresize.py")
  }

  override func setUpWithError() throws {
    try super.setUpWithError()
    let (status, _) = try python(["-c", "import numpy, PIL"])
    try XCTSkipIf(status != 0, "python3 with numpy and Pillow is needed (pip install numpy pillow)")
  }

  /// Tolerance 0.5/255 from the unrounded float64 MATLAB result (8-bit output, rounded once).
  func testMatlabKernelMatchesImresizeFormula() throws {
    try copyFixtures(["chelsea.png", "rocket.jpg", "camera.png"])
    for (scale, fraction) in [("4", "1/4"), ("3", "1/3"), ("2", "1/2"), ("0.5", "2")] {
      let r = try downscale.run(["-s", scale, "-o", "x\(scale)/", "chelsea.png", "rocket.jpg", "camera.png"], in: work)
      XCTAssertEqual(r.status, 0, r.stderr)
      for name in ["chelsea.png", "rocket.jpg", "camera.png"] {
        // JPEG output would add its own error: compare a PNG of the same result.
        let ours = name.hasSuffix(".jpg") ? "x\(scale)/rocket.png" : "x\(scale)/\(name)"
        if name.hasSuffix(".jpg") {
          XCTAssertEqual(try downscale.run(["-s", scale, "-o", ours, name], in: work).status, 0)
        }
        let (status, text) = try python([script.path, "compare", "--input", name, "--ours", ours, "--scale", fraction])
        XCTAssertEqual(status, 0, "\(name) x\(scale): \(text)")
      }
    }
  }

  /// Pillow's own BICUBIC resize: within 1/255 (its fixed-point arithmetic rounds differently).
  func testPilKernelMatchesPillow() throws {
    try copyFixtures(["chelsea.png", "camera.png"])
    for name in ["chelsea.png", "camera.png"] {
      XCTAssertEqual(try downscale.run(["-s", "4", "-k", "pil", "-o", "pil/", name], in: work).status, 0)
      let (status, text) = try python([script.path, "compare-pil", "--input", name, "--ours", "pil/\(name)", "--scale", "0.25"])
      XCTAssertEqual(status, 0, "\(name): \(text)")
    }
  }
}
