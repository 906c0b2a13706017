import Numerics

/// Winograd F(6x6, 3x3) (Lavin and Gray 2016, with ncnn's interpolation points 0, ±1, ±2, ±1/2 and
/// infinity): each 8x8 input tile d and 3x3 kernel g give the 6x6 outputs A^T [(G g G^T) ∘ (B^T d B)] A,
/// 64 multiplications per tile and channel pair instead of 324. The 64 element-wise products over
/// all channel pairs are 64 GEMMs (outputs x inputs times inputs x tiles), so the work lands in
/// OpenBLAS; the transforms run eight tiles at a time in SIMD lanes.
extension Conv2D {
  /// G, 8x3.
  static let winogradG: [[Double]] = [
    [1, 0, 0],
    [-2.0 / 9, -2.0 / 9, -2.0 / 9],
    [-2.0 / 9, 2.0 / 9, -2.0 / 9],
    [1.0 / 90, 1.0 / 45, 2.0 / 45],
    [1.0 / 90, -1.0 / 45, 2.0 / 45],
    [1.0 / 45, 1.0 / 90, 1.0 / 180],
    [1.0 / 45, -1.0 / 90, 1.0 / 180],
    [0, 0, 1],
  ]

  /// U[p][o][c] = (G g G^T)[p], p = 8 * row + column, computed in double precision.
  static func winogradWeights(_ w: [Float], outChannels: Int, inChannels: Int) -> [Float] {
    let G = winogradG
    var u = [Float](repeating: 0, count: 64 * outChannels * inChannels)
    for o in 0..<outChannels {
      for c in 0..<inChannels {
        let g = (o * inChannels + c) * 9
        var t = [[Double]](repeating: [0, 0, 0], count: 8)  // G g
        for i in 0..<8 {
          for kx in 0..<3 { t[i][kx] = (0..<3).reduce(0) { $0 + G[i][$1] * Double(w[g + $1 * 3 + kx]) } }
        }
        for i in 0..<8 {
          for k in 0..<8 {
            let v = (0..<3).reduce(0) { $0 + t[i][$1] * G[k][$1] }
            u[((i * 8 + k) * outChannels + o) * inChannels + c] = Float(v)
          }
        }
      }
    }
    return u
  }

  /// Output rows are cut into blocks of tile rows; a thread takes whole blocks, with its own padded
  /// input rows, transformed tiles and products, sized to stay near the caches.
  func winograd(
    _ src: UnsafePointer<Float>, _ ih: Int, _ iw: Int, _ u: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
    _ oh: Int, _ ow: Int, _ threads: Int, _ scratch: inout [Float]
  ) {
    let cin = inChannels, cout = outChannels
    let tilesY = (oh + 5) / 6, tilesX = (ow + 5) / 6
    let rows = max(1, min((tilesY + threads - 1) / threads, (1 << 20) / (64 * (cin + cout) * tilesX)))
    let blocks = (tilesY + rows - 1) / rows, shares = min(threads, blocks)
    let tpad = (rows * tilesX + 7) & ~7
    let pw = 6 * tilesX + 2, ph = 6 * rows + 2
    let share = ph * pw + 64 * (cin + cout) * tpad
    if scratch.count < shares * share { scratch = [Float](repeating: 0, count: shares * share) }
    scratch.withUnsafeMutableBufferPointer { s in
      Parallel.forEach(blocks, threads: shares) { b, k in
        let padded = s.baseAddress! + k * share, v = padded + ph * pw, m = v + 64 * cin * tpad
        let ty0 = b * rows, tiles = min(rows, tilesY - ty0) * tilesX
        let y0 = 6 * ty0 - padding.top
        for c in 0..<cin {
          // The block's input rows with zero margins, so tiles are read without bounds checks.
          let plane = src + c * ih * iw
          for r in 0..<ph {
            let line = padded + r * pw, iy = y0 + r
            guard iy >= 0 && iy < ih else {
              line.update(repeating: 0, count: pw)
              continue
            }
            let lo = min(pw, padding.left), n = max(0, min(iw, pw - lo))
            line.update(repeating: 0, count: lo)
            (line + lo).update(from: plane + iy * iw, count: n)
            (line + lo + n).update(repeating: 0, count: pw - lo - n)
          }
          Conv2D.transformInput(padded, pw, tilesX, tiles, v + c * tpad, stride: cin * tpad)
        }
        for p in 0..<64 {
          BLAS.sgemm(
            m: cout, n: tiles, k: cin, a: u + p * cout * cin, lda: cin, b: v + p * cin * tpad, ldb: tpad,
            c: m + p * cout * tpad, ldc: tpad)
        }
        for o in 0..<cout {
          transformOutput(m + o * tpad, stride: cout * tpad, tiles, tilesX, dst + o * oh * ow, row0: 6 * ty0, oh, ow, channel: o)
        }
      }
    }
  }

  /// B^T d for tiles t < `tiles` of the padded rows; tile p of the 64 goes to `v + p * stride`,
  /// eight tiles per vector store.
  static func transformInput(_ padded: UnsafePointer<Float>, _ pw: Int, _ tilesX: Int, _ tiles: Int, _ v: UnsafeMutablePointer<Float>, stride: Int) {
    withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 64) { buffer in
      let d = buffer.baseAddress!
      for t8 in Swift.stride(from: 0, to: tiles, by: 8) {
        // Lanes past the last tile repeat it; their results land in the padding columns.
        func base(_ l: Int) -> UnsafePointer<Float> {
          let t = Swift.min(t8 + l, tiles - 1)
          return padded + 6 * (t / tilesX) * pw + 6 * (t % tilesX)
        }
        let b0 = base(0), b1 = base(1), b2 = base(2), b3 = base(3), b4 = base(4), b5 = base(5), b6 = base(6), b7 = base(7)
        for r in 0..<8 {
          for j in 0..<8 {
            let o = r * pw + j
            d[r * 8 + j] = SIMD8(b0[o], b1[o], b2[o], b3[o], b4[o], b5[o], b6[o], b7[o])
          }
          inputLine(d + r * 8, 1)
        }
        for k in 0..<8 { inputLine(d + k, 8) }
        for p in 0..<64 { UnsafeMutableRawPointer(v + p * stride + t8).storeBytes(of: d[p], as: SIMD8<Float>.self) }
      }
    }
  }

  /// B^T applied along one line of eight vectors p[0], p[s], ..., p[7s], in place.
  @inline(__always)
  static func inputLine(_ p: UnsafeMutablePointer<SIMD8<Float>>, _ s: Int) {
    let d0 = p[0], d1 = p[s], d2 = p[2 * s], d3 = p[3 * s], d4 = p[4 * s], d5 = p[5 * s], d6 = p[6 * s], d7 = p[7 * s]
    p[0] = d0 - d6 + (d4 - d2) * 5.25
    p[7 * s] = d7 - d1 + (d3 - d5) * 5.25
    let t1 = d2 + d6 - d4 * 4.25, t2 = d1 + d5 - d3 * 4.25
    p[s] = t1 + t2
    p[2 * s] = t1 - t2
    let t3 = d6 + d2 * 0.25 - d4 * 1.25, t4 = d1 * 0.5 - d3 * 2.5 + d5 * 2
    p[3 * s] = t3 + t4
    p[4 * s] = t3 - t4
    let t5 = d6 + (d2 - d4 * 1.25) * 4, t6 = d1 * 2 - d3 * 2.5 + d5 * 0.5
    p[5 * s] = t5 + t6
    p[6 * s] = t5 - t6
  }

  /// A^T applied along one line of eight vectors, the six results written to p[0], ..., p[5s].
  @inline(__always)
  static func outputLine(_ p: UnsafeMutablePointer<SIMD8<Float>>, _ s: Int) {
    let m0 = p[0], m1 = p[s], m2 = p[2 * s], m3 = p[3 * s], m4 = p[4 * s], m5 = p[5 * s], m6 = p[6 * s], m7 = p[7 * s]
    let a1 = m1 + m2, b1 = m1 - m2, a2 = m3 + m4, b2 = m3 - m4, a3 = m5 + m6, b3 = m5 - m6
    p[0] = m0 + a1 + a2 + a3 * 32
    p[s] = b1 + b2 * 2 + b3 * 16
    p[2 * s] = a1 + a2 * 4 + a3 * 8
    p[3 * s] = b1 + b2 * 8 + b3 * 4
    p[4 * s] = a1 + a2 * 16 + a3 * 2
    p[5 * s] = m7 + b1 + b2 * 32 + b3
  }

  /// A^T M A for output channel `o` of tiles t < `tiles` (product p at `m + p * stride`), with the
  /// epilogue, written into the channel's plane from output row `row0`.
  func transformOutput(
    _ m: UnsafePointer<Float>, stride: Int, _ tiles: Int, _ tilesX: Int, _ plane: UnsafeMutablePointer<Float>,
    row0: Int, _ oh: Int, _ ow: Int, channel o: Int
  ) {
    let bias = self.bias?[o] ?? 0, slope = slopes?[o]
    withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 64) { buffer in
      let d = buffer.baseAddress!
      for t8 in Swift.stride(from: 0, to: tiles, by: 8) {
        for p in 0..<64 { d[p] = UnsafeRawPointer(m + p * stride + t8).loadUnaligned(as: SIMD8<Float>.self) }
        for k in 0..<8 { Conv2D.outputLine(d + k, 8) }
        for a in 0..<6 {
          Conv2D.outputLine(d + a * 8, 1)
          for b in 0..<6 { d[a * 8 + b] = epilogue(d[a * 8 + b] + bias, slope) }
        }
        for l in 0..<Swift.min(8, tiles - t8) {
          let t = t8 + l, y = row0 + 6 * (t / tilesX), x = 6 * (t % tilesX)
          let cols = Swift.min(6, ow - x)
          for a in 0..<Swift.min(6, oh - y) {
            let line = plane + (y + a) * ow + x
            for b in 0..<cols { line[b] = d[a * 8 + b][l] }
          }
        }
      }
    }
  }

  /// Activation and fused PReLU on eight values.
  @inline(__always)
  func epilogue(_ v: SIMD8<Float>, _ slope: Float?) -> SIMD8<Float> {
    var v = v
    switch activation {
    case .none: break
    case .relu: v = v.replacing(with: 0, where: v .< 0)
    case .leakyReLU(let s): v = v.replacing(with: v * s, where: v .< 0)
    default: for l in 0..<8 { v[l] = activation(v[l]) }
    }
    if let slope { v = v.replacing(with: v * slope, where: v .< 0) }
    return v
  }
}
