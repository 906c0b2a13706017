import XCTest
@testable import Numerics

final class NumericsTests: XCTestCase {
  func testSgemmMatchesNaiveProduct() {
    let m = 7, n = 5, k = 9
    let a = (0..<m * k).map { Float(($0 * 37) % 11) - 5 }
    let b = (0..<k * n).map { Float(($0 * 17) % 7) - 3 }
    var c = [Float](repeating: 1, count: m * n)
    BLAS.sgemm(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c, ldc: n)
    for i in 0..<m {
      for j in 0..<n {
        var s: Float = 0
        for p in 0..<k { s += a[i * k + p] * b[p * n + j] }
        XCTAssertEqual(c[i * n + j], s, accuracy: 1e-4)
      }
    }
  }

  func testSgemmTransposedOperands() {
    // A^T (2x3) from a 3x2 buffer, B^T (3x2) from a 2x3 buffer.
    let a: [Float] = [1, 4, 2, 5, 3, 6]
    let b: [Float] = [7, 9, 11, 8, 10, 12]
    var c = [Float](repeating: 0, count: 4)
    BLAS.sgemm(transA: true, transB: true, m: 2, n: 2, k: 3, a: a, lda: 2, b: b, ldb: 3, c: &c, ldc: 2)
    XCTAssertEqual(c, [58, 64, 139, 154])
  }

  func testThreadCountIsSettable() {
    let before = BLAS.threads
    BLAS.threads = 1
    XCTAssertEqual(BLAS.threads, 1)
    BLAS.threads = before
  }

  /// One thread stops OpenBLAS' workers; more threads afterwards start them again (fid goes from one
  /// to all cores), and a product large enough to be split still comes out right.
  func testWorkersRestartAfterOneThread() {
    let n = 384
    let a = (0..<n * n).map { Float(($0 * 37) % 11) - 5 }, b = (0..<n * n).map { Float(($0 * 17) % 7) - 3 }
    var single = [Float](repeating: 0, count: n * n), split = single
    let before = BLAS.threads
    defer { BLAS.threads = before }
    BLAS.threads = 1
    BLAS.sgemm(m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, c: &single, ldc: n)
    BLAS.threads = 2
    BLAS.sgemm(m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, c: &split, ldc: n)
    XCTAssertEqual(single, split)
    BLAS.threads = 1
    BLAS.threads = 1
    BLAS.threads = 2
    BLAS.sgemm(m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, c: &split, ldc: n)
    XCTAssertEqual(single, split)
  }

  func testDoubleEigenDecompositionReconstructsMatrix() throws {
    let n = 6
    var m = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0...i { let v = sin(Double(i * 7 + j * 3)); m[i * n + j] = v; m[j * n + i] = v } }
    let (w, v) = try SymmetricEigen.decompose(m, n: n)
    XCTAssertEqual(w, w.sorted())
    for i in 0..<n {
      for j in 0..<n {
        var s = 0.0
        for e in 0..<n { s += v[e * n + i] * w[e] * v[e * n + j] }
        XCTAssertEqual(s, m[i * n + j], accuracy: 1e-10)
      }
    }
  }

  func testFloatEigenvaluesOfKnownMatrix() throws {
    let (w, _) = try SymmetricEigen.decompose([2, 1, 1, 2] as [Float], n: 2, vectors: false)
    XCTAssertEqual(w[0], 1, accuracy: 1e-6)
    XCTAssertEqual(w[1], 3, accuracy: 1e-6)
  }
}
