import XCTest

@testable import Metrics

final class FIDTests: XCTestCase {
  /// Diagonal covariances commute: tr sqrt(S1 S2) = sum sqrt(a_i b_i).
  func testFrechetDistanceOfDiagonalCovariances() throws {
    let d = 4
    let mu1 = [0.0, 1, 2, 3], mu2 = [1.0, 1, 0, 3.5]
    let a = [1.0, 2, 0.5, 4], b = [2.0, 2, 3, 0.25]
    var s1 = [Double](repeating: 0, count: d * d), s2 = s1
    for i in 0..<d { (s1[i * d + i], s2[i * d + i]) = (a[i], b[i]) }
    var expected = zip(mu1, mu2).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    for i in 0..<d { expected += a[i] + b[i] - 2 * (a[i] * b[i]).squareRoot() }
    let fid = try FrechetDistance.compute(mean1: mu1, covariance1: s1, mean2: mu2, covariance2: s2)
    XCTAssertEqual(fid, expected, accuracy: 1e-12)
  }

  /// Non-commuting full covariances: tr sqrtm(S1 S2) from a closed form for 2 x 2 matrices,
  /// tr sqrt(M) = sqrt(tr M + 2 sqrt(det M)) for M with non-negative eigenvalues.
  func testFrechetDistanceOfFullCovariances() throws {
    let s1 = [2.0, 0.6, 0.6, 1.0], s2 = [1.5, -0.4, -0.4, 0.8]
    let p = [s1[0] * s2[0] + s1[1] * s2[2], s1[0] * s2[1] + s1[1] * s2[3], s1[2] * s2[0] + s1[3] * s2[2], s1[2] * s2[1] + s1[3] * s2[3]]
    let tr = p[0] + p[3], det = p[0] * p[3] - p[1] * p[2]
    let expected = 1.0 + 4 + 3 + 2.3 - 2 * (tr + 2 * det.squareRoot()).squareRoot()
    let fid = try FrechetDistance.compute(mean1: [1, 0], covariance1: s1, mean2: [0, 2], covariance2: s2)
    XCTAssertEqual(fid, expected, accuracy: 1e-12)
    // Identical statistics: zero, also for singular covariances.
    XCTAssertEqual(try FrechetDistance.compute(mean1: [1, 2], covariance1: [1, 1, 1, 1], mean2: [1, 2], covariance2: [1, 1, 1, 1]), 0, accuracy: 1e-12)
  }

  func testStatisticsMatchTwoPassDefinition() {
    let d = 3, n = 150
    var vectors: [[Float]] = []
    var s: UInt64 = 1
    for _ in 0..<n {
      vectors.append((0..<d).map { _ in
        s = s &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return 1000 + Float(Int(s >> 40) % 2001 - 1000) / 1000
      })
    }
    var stats = FeatureStatistics(dimension: d)
    for v in vectors { stats.add(v) }
    let (mean, cov) = stats.finish()
    let m = (0..<d).map { j in vectors.reduce(0.0) { $0 + Double($1[j]) } / Double(n) }
    for j in 0..<d { XCTAssertEqual(mean[j], m[j], accuracy: 1e-12) }
    for i in 0..<d {
      for j in 0..<d {
        let c = vectors.reduce(0.0) { $0 + (Double($1[i]) - m[i]) * (Double($1[j]) - m[j]) } / Double(n - 1)
        XCTAssertEqual(cov[i * d + j], c, accuracy: 1e-12 * max(1, abs(c)))
      }
    }
  }

  /// KID of one-dimensional features where every subset is the whole set: the unbiased MMD^2
  /// with k(x, y) = (xy + 1)^3, worked out by hand.
  func testKIDOfKnownSets() {
    let x: [Float] = [0, 1], y: [Float] = [1, 2]
    // Kxx off-diagonal: 2 * (0 + 1)^3 = 2; Kyy: 2 * (2 + 1)^3 = 54; Kxy: 1 + 1 + 8 + 27 = 37.
    let expected = (2.0 + 54) / 2 - 2 * 37 / 4
    let k = KernelInceptionDistance.compute(x, count: 2, y, count: 2, dimension: 1, subsets: 5, subsetSize: 2, seed: 3)
    XCTAssertEqual(k.mean, expected, accuracy: 1e-9)
    XCTAssertEqual(k.std, 0, accuracy: 1e-9)
    // Same distribution: close to 0; seeded: repeatable.
    var s: UInt64 = 7
    let big = (0..<(300 * 8)).map { _ -> Float in
      s = s &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Float(Int(s >> 40) % 2001 - 1000) / 1000
    }
    let a = KernelInceptionDistance.compute(Array(big[0..<1200]), count: 150, Array(big[1200...]), count: 150, dimension: 8, subsets: 10, subsetSize: 100, seed: 1)
    let b = KernelInceptionDistance.compute(Array(big[0..<1200]), count: 150, Array(big[1200...]), count: 150, dimension: 8, subsets: 10, subsetSize: 100, seed: 1)
    XCTAssertEqual(a.mean, b.mean)
    XCTAssertLessThan(abs(a.mean), 0.05)
  }
}
