import Foundation
import Numerics

/// Self-attention over every position of a C x H x W map, as SAGAN (Zhang et al. 2018) and fast.ai's
/// `SelfAttention` layer define it. With N = H*W positions and bias-free 1x1 projections
/// f = Wq x, g = Wk x (C' x N each, C' = C/8 in fast.ai) and h = Wv x (C x N):
///   beta[i][j] = exp(f_i . g_j) / sum_i' exp(f_i' . g_j)   (a softmax over i, for each j)
///   out[c][j]  = gamma * sum_i h[c][i] beta[i][j] + x[c][j]
/// Global and quadratic: every output sample depends on the whole map, the work is N*N*(C' + C)
/// multiply-adds, and `reference` holds all of beta, N*N = H*W*H*W floats (64 MB for a 64x64 map).
/// `forward` computes beta a block of columns at a time, so it holds at most 4M floats of it
/// (16 MB) plus f, g and h.
struct SelfAttention: Sendable {
  var channels: Int
  var keyChannels: Int
  var query: [Float]  // [keyChannels][channels]
  var key: [Float]  // [keyChannels][channels]
  var value: [Float]  // [channels][channels]
  var gamma: Float
  /// Elements of beta `forward` holds at once.
  var blockElements = 1 << 22

  /// Multiply-adds for a map of n positions.
  func macs(positions n: Int) -> Int {
    n * (2 * keyChannels + channels) * channels + n * n * (keyChannels + channels)
  }

  func forward(_ x: Tensor, scratch: inout [Float]) throws -> Tensor {
    guard x.channels == channels else { throw InferenceError("self_attention expects \(channels) channels, got \(x.channels)") }
    let n = x.plane, c = channels, k = keyChannels
    let block = max(1, min(n, blockElements / max(n, 1)))
    let projected = (2 * k + c) * n
    if scratch.count < projected + n * block { scratch = [Float](repeating: 0, count: projected + n * block) }
    var out = x
    scratch.withUnsafeMutableBufferPointer { buffer in
      let f = buffer.baseAddress!, g = f + k * n, h = g + k * n, s = h + c * n
      x.data.withUnsafeBufferPointer { xs in
        for (w, rows, dst) in [(query, k, f), (key, k, g), (value, c, h)] {
          w.withUnsafeBufferPointer { BLAS.sgemm(m: rows, n: n, k: c, a: $0.baseAddress!, lda: c, b: xs.baseAddress!, ldb: n, c: dst, ldc: n) }
        }
      }
      out.data.withUnsafeMutableBufferPointer { o in
        var top = [Float](repeating: 0, count: block), total = [Float](repeating: 0, count: block)
        for j0 in stride(from: 0, to: n, by: block) {
          let b = min(block, n - j0)
          // s[i][j] = f_i . g_(j0 + j), an n x b block of the scores.
          BLAS.sgemm(transA: true, m: n, n: b, k: k, a: f, lda: n, b: g + j0, ldb: n, c: s, ldc: b)
          for j in 0..<b { (top[j], total[j]) = (-.infinity, 0) }
          for i in 0..<n { for j in 0..<b { top[j] = max(top[j], s[i * b + j]) } }
          for i in 0..<n {
            for j in 0..<b {
              let e = Foundation.exp(s[i * b + j] - top[j])
              s[i * b + j] = e
              total[j] += e
            }
          }
          for j in 0..<b { total[j] = 1 / total[j] }
          for i in 0..<n { for j in 0..<b { s[i * b + j] *= total[j] } }
          // out[:, j0 ..< j0 + b] = gamma * h s + x (out already holds x).
          BLAS.sgemm(m: c, n: b, k: n, alpha: gamma, a: h, lda: n, b: s, ldb: b, beta: 1, c: o.baseAddress! + j0, ldc: n)
        }
      }
    }
    return out
  }

  /// The definition, plainly: the whole of beta at once, in double precision.
  func reference(_ x: Tensor) -> Tensor {
    let n = x.plane, c = channels, k = keyChannels
    func project(_ w: [Float], _ rows: Int) -> [Double] {
      var p = [Double](repeating: 0, count: rows * n)
      for r in 0..<rows { for i in 0..<c { for j in 0..<n { p[r * n + j] += Double(w[r * c + i]) * Double(x.data[i * n + j]) } } }
      return p
    }
    let f = project(query, k), g = project(key, k), h = project(value, c)
    var beta = [Double](repeating: 0, count: n * n)
    for j in 0..<n {
      var scores = (0..<n).map { i in (0..<k).reduce(0.0) { $0 + f[$1 * n + i] * g[$1 * n + j] } }
      let top = scores.max()!
      scores = scores.map { Foundation.exp($0 - top) }
      let total = scores.reduce(0, +)
      for i in 0..<n { beta[i * n + j] = scores[i] / total }
    }
    var out = x
    for ch in 0..<c {
      for j in 0..<n {
        var sum = 0.0
        for i in 0..<n { sum += h[ch * n + i] * beta[i * n + j] }
        out.data[ch * n + j] = Float(Double(gamma) * sum + Double(x.data[ch * n + j]))
      }
    }
    return out
  }
}
