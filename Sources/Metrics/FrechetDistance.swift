import Numerics

/// Mean and covariance of feature vectors, accumulated in float64 a block at a time: sums of
/// deviations from a shift (the first vector) and their outer products, so the covariance does not
/// lose precision to large means. Memory: d x d, whatever the number of vectors.
public struct FeatureStatistics {
  public let dimension: Int
  public private(set) var count = 0
  private var shift: [Double] = []
  private var sum: [Double]
  private var products: [Double]
  private var block: [Double] = []
  private var blockRows = 0
  static let blockSize = 64

  public init(dimension: Int) {
    self.dimension = dimension
    sum = [Double](repeating: 0, count: dimension)
    products = [Double](repeating: 0, count: dimension * dimension)
  }

  public mutating func add(_ features: [Float]) {
    precondition(features.count == dimension, "feature vector has the wrong size")
    if shift.isEmpty {
      shift = features.map(Double.init)
      block = [Double](repeating: 0, count: Self.blockSize * dimension)
    }
    let base = blockRows * dimension
    for i in 0..<dimension {
      let d = Double(features[i]) - shift[i]
      block[base + i] = d
      sum[i] += d
    }
    blockRows += 1
    count += 1
    if blockRows == Self.blockSize { flush() }
  }

  private mutating func flush() {
    guard blockRows > 0 else { return }
    let d = dimension, rows = blockRows
    block.withUnsafeBufferPointer { b in
      products.withUnsafeMutableBufferPointer { p in
        BLAS.dgemm(transA: true, m: d, n: d, k: rows, a: b.baseAddress!, lda: d, b: b.baseAddress!, ldb: d, beta: 1, c: p.baseAddress!, ldc: d)
      }
    }
    blockRows = 0
  }

  /// The mean and the unbiased (N-1) covariance, d x d row-major; NaN covariance below two vectors.
  public mutating func finish() -> (mean: [Double], covariance: [Double]) {
    flush()
    let n = Double(count), d = dimension
    guard count > 0 else { return ([Double](repeating: .nan, count: d), [Double](repeating: .nan, count: d * d)) }
    let mean = (0..<d).map { shift[$0] + sum[$0] / n }
    var cov = [Double](repeating: .nan, count: d * d)
    if count > 1 {
      for i in 0..<d {
        for j in 0..<d { cov[i * d + j] = (products[i * d + j] - sum[i] * sum[j] / n) / (n - 1) }
      }
    }
    return (mean, cov)
  }
}

public enum FrechetDistance {
  /// |mu1 - mu2|^2 + tr S1 + tr S2 - 2 tr sqrt(S1^1/2 S2 S1^1/2), in float64 with symmetric
  /// eigensolvers: S1^1/2 from S1's eigendecomposition (negative eigenvalues, round-off of a
  /// semidefinite matrix, taken as 0), then the sum of the square roots of the non-negative
  /// eigenvalues of the symmetrised product. Equals pytorch-fid's value (scipy's sqrtm of S1 S2,
  /// real part of the trace) where sqrtm is accurate.
  public static func compute(mean1: [Double], covariance1: [Double], mean2: [Double], covariance2: [Double]) throws -> Double {
    let d = mean1.count
    precondition(mean2.count == d && covariance1.count == d * d && covariance2.count == d * d, "statistics of different sizes")
    var diff = 0.0
    for i in 0..<d { diff += (mean1[i] - mean2[i]) * (mean1[i] - mean2[i]) }
    var trace = 0.0
    for i in 0..<d { trace += covariance1[i * d + i] + covariance2[i * d + i] }
    return diff + trace - 2 * (try traceOfSquareRoot(covariance1, covariance2, d))
  }

  /// tr sqrt(S1^1/2 S2 S1^1/2) = tr sqrtm(S1 S2) for symmetric positive semidefinite S1, S2.
  /// With S1 = V^T W V (eigenvectors as the rows of V), S1^1/2 S2 S1^1/2 = V^T (W^1/2 V S2 V^T W^1/2) V
  /// has the eigenvalues of the bracket, which takes two matrix products instead of three.
  public static func traceOfSquareRoot(_ s1: [Double], _ s2: [Double], _ d: Int) throws -> Double {
    let (w, v) = try SymmetricEigen.decompose(s1, n: d)
    let r = w.map { max($0, 0).squareRoot() }
    var t = [Double](repeating: 0, count: d * d), m = t
    BLAS.dgemm(m: d, n: d, k: d, a: v, lda: d, b: s2, ldb: d, c: &t, ldc: d)
    BLAS.dgemm(transB: true, m: d, n: d, k: d, a: t, lda: d, b: v, ldb: d, c: &m, ldc: d)
    for i in 0..<d {
      m[i * d + i] *= r[i] * r[i]
      for j in (i + 1)..<max(i + 1, d) {
        let s = (m[i * d + j] + m[j * d + i]) / 2 * r[i] * r[j]
        m[i * d + j] = s
        m[j * d + i] = s
      }
    }
    let values = try SymmetricEigen.decompose(m, n: d, vectors: false).values
    return values.reduce(0) { $0 + max($1, 0).squareRoot() }
  }
}

/// Kernel Inception Distance (Bińkowski et al. 2018): the unbiased MMD^2 estimate with the cubic
/// polynomial kernel k(x, y) = (x.y / d + 1)^3, averaged over random subsets, as clean-fid and
/// torch-fidelity compute it. Subsets are drawn without replacement from a seeded generator.
public enum KernelInceptionDistance {
  /// Features are n x d row-major float32. Returns the mean and the (population) standard deviation
  /// of the per-subset estimates.
  public static func compute(
    _ x: [Float], count n1: Int, _ y: [Float], count n2: Int, dimension d: Int,
    subsets: Int = 100, subsetSize: Int = 1000, seed: UInt64 = 0
  ) -> (mean: Double, std: Double) {
    let m = min(subsetSize, n1, n2)
    guard m >= 2 else { return (.nan, .nan) }
    var rng = SplitMix64(seed: seed)
    var estimates: [Double] = []
    var a = [Float](repeating: 0, count: m * d), b = a
    var kxx = [Float](repeating: 0, count: m * m), kyy = kxx, kxy = kxx
    for _ in 0..<subsets {
      let ix = rng.sample(m, from: n1), iy = rng.sample(m, from: n2)
      for (r, i) in ix.enumerated() { for j in 0..<d { a[r * d + j] = x[i * d + j] } }
      for (r, i) in iy.enumerated() { for j in 0..<d { b[r * d + j] = y[i * d + j] } }
      BLAS.sgemm(transB: true, m: m, n: m, k: d, a: a, lda: d, b: a, ldb: d, c: &kxx, ldc: m)
      BLAS.sgemm(transB: true, m: m, n: m, k: d, a: b, lda: d, b: b, ldb: d, c: &kyy, ldc: m)
      BLAS.sgemm(transB: true, m: m, n: m, k: d, a: a, lda: d, b: b, ldb: d, c: &kxy, ldc: m)
      let invD = 1 / Double(d)
      func k(_ dot: Float) -> Double { let t = Double(dot) * invD + 1; return t * t * t }
      var sxx = 0.0, syy = 0.0, sxy = 0.0
      for i in 0..<m {
        for j in 0..<m {
          if i != j {
            sxx += k(kxx[i * m + j])
            syy += k(kyy[i * m + j])
          }
          sxy += k(kxy[i * m + j])
        }
      }
      let mm = Double(m)
      estimates.append((sxx + syy) / (mm * (mm - 1)) - 2 * sxy / (mm * mm))
    }
    let mean = estimates.reduce(0, +) / Double(estimates.count)
    let variance = estimates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(estimates.count)
    return (mean, variance.squareRoot())
  }
}

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64).
public struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9e37_79b9_7f4a_7c15
    var z = state
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }

  /// `k` distinct indices below `n` (a partial Fisher-Yates shuffle), in draw order.
  mutating func sample(_ k: Int, from n: Int) -> [Int] {
    var pool = Array(0..<n)
    for i in 0..<k {
      let j = i + Int(next(upperBound: UInt64(n - i)))
      pool.swapAt(i, j)
    }
    return Array(pool[0..<k])
  }
}
