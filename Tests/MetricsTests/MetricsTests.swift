import XCTest

@testable import Metrics

final class MetricsTests: XCTestCase {
  func testPSNROfKnownError() {
    let a = Plane(width: 2, height: 2, samples: [0, 0, 0, 0])
    let b = Plane(width: 2, height: 2, samples: [1, 1, 1, 1])
    XCTAssertEqual(PSNR.compute(a, b), 10 * log10(255 * 255), accuracy: 1e-12)
    XCTAssertEqual(PSNR.compute(a, a), .infinity)
  }

  func testSSIMOfIdenticalPlanesIsOne() {
    let p = Plane(width: 16, height: 13, samples: (0..<208).map { Double(($0 * 37) % 256) })
    XCTAssertEqual(SSIM().compute(p, p), 1, accuracy: 1e-12)
  }

  /// Value computed with scikit-image 0.26: structural_similarity(a, b, gaussian_weights=True,
  /// sigma=1.5, use_sample_covariance=False, data_range=255) on these deterministic planes.
  func testSSIMMatchesGaussianReference() {
    let a = Plane(width: 16, height: 16, samples: (0..<256).map { Double(($0 * 37) % 256) })
    let b = Plane(width: 16, height: 16, samples: (0..<256).map { Double(($0 * 37 + $0 / 16 * 5) % 256) })
    XCTAssertEqual(SSIM().compute(a, b), 0.18812852221197718, accuracy: 1e-12)
  }

  func testLumaFollowsMatlabRgb2ycbcr() {
    let y = Plane.matlabLuma([255, 255, 255, 0, 0, 0, 255, 0, 0], width: 3, height: 1, bands: 3)
    XCTAssertEqual(y.samples, [235, 16, 81])
  }
}
