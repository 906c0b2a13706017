/// Winograd F(6x6, 3x3) (Lavin and Gray 2016, with ncnn's interpolation points 0, ±1, ±2, ±1/2 and
/// infinity): each 8x8 input tile d and 3x3 kernel g give the 6x6 outputs A^T [(G g G^T) ∘ (B^T d B)] A,
/// 64 multiplications per tile and channel pair instead of 324. The 64 element-wise products over
/// all channel pairs are 64 GEMMs (outputs x inputs times inputs x tiles) with weights packed at
/// load; the input transform runs on eight channels in SIMD lanes, the output transform on eight
/// tiles.
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

  /// U = G g G^T for every channel pair, in double precision, packed for `multiply`: position p,
  /// then blocks of six output channels (the last one zero-filled), then input channel, then the six.
  static func winogradWeights(_ w: [Float], outChannels: Int, inChannels: Int) -> [Float] {
    let blocks = (outChannels + 5) / 6
    var u = [Float](repeating: 0, count: 64 * blocks * 6 * inChannels)
    let G = winogradG.flatMap { $0 }  // G[i * 3 + k]
    var t = [Double](repeating: 0, count: 24)  // G g, 8x3
    for o in 0..<outChannels {
      for c in 0..<inChannels {
        let g = (o * inChannels + c) * 9
        for i in 0..<8 {
          for kx in 0..<3 {
            t[i * 3 + kx] = G[i * 3] * Double(w[g + kx]) + G[i * 3 + 1] * Double(w[g + 3 + kx]) + G[i * 3 + 2] * Double(w[g + 6 + kx])
          }
        }
        for i in 0..<8 {
          for k in 0..<8 {
            let v = t[i * 3] * G[k * 3] + t[i * 3 + 1] * G[k * 3 + 1] + t[i * 3 + 2] * G[k * 3 + 2]
            u[(((i * 8 + k) * blocks + o / 6) * inChannels + c) * 6 + o % 6] = Float(v)
          }
        }
      }
    }
    return u
  }

  /// The input is first copied with zero margins and its channels interleaved in groups of eight
  /// (so a tile is read with whole-vector loads and no bounds checks), then tiles go in chunks,
  /// threads taking chunks in turn: a chunk's transformed inputs (V[p][c][t], one compact panel per
  /// position) are small enough to stay in L2 while the GEMM reads them once per six output
  /// channels, whose 64 products (M[o][p][t]) stay in L1 until their output transform.
  func winograd(
    _ planes: [UnsafePointer<Float>], _ ih: Int, _ iw: Int, _ u: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
    _ oh: Int, _ ow: Int, _ threads: Int, _ scratch: inout [Float]
  ) {
    let cin = inChannels, cout = outChannels, groups = (cin + 7) / 8
    let tilesY = (oh + 5) / 6, tilesX = (ow + 5) / 6, tiles = tilesY * tilesX
    let ph = 6 * tilesY + 2, pw = 6 * tilesX + 2, group = 8 * ph * pw
    let chunk = max(16, (1 << 16) / (64 * cin) & ~15), chunks = (tiles + chunk - 1) / chunk
    let shares = min(threads, chunks)
    // A thread's share holds V, M and the input transform's eight tiles of 64 vectors. Every part
    // starts on a 64-byte boundary, so the GEMM's vector loads never straddle cache lines.
    let paddedSize = (groups * group + 15) & ~15, share = 64 * (cin + 6) * chunk + 8 * 64 * 8
    if scratch.count < paddedSize + shares * share + 16 { scratch = [Float](repeating: 0, count: paddedSize + shares * share + 16) }
    scratch.withUnsafeMutableBufferPointer { s in
      let padded = s.baseAddress! + (16 - Int(bitPattern: s.baseAddress!) / 4 % 16) % 16
      planes.withUnsafeBufferPointer { planes in
        Parallel.forEach(groups * ph, threads: threads) { i, _ in
          let g = i / ph, r = i % ph
          copyInterleaved(planes.baseAddress! + 8 * g, min(8, cin - 8 * g), ih, iw, row: r, padded + g * group + r * 8 * pw, pw)
        }
      }
      Parallel.forEach(chunks, threads: shares) { k, share0 in
        let v = padded + paddedSize + share0 * share, m = v + 64 * cin * chunk
        let tiles8 = UnsafeMutableRawPointer(m + 64 * 6 * chunk).assumingMemoryBound(to: SIMD8<Float>.self)
        let t0 = k * chunk, n = min(chunk, tiles - t0)
        withUnsafeTemporaryAllocation(of: Int.self, capacity: chunk) { origins in
          // Where each tile starts in a padded group; the columns up to the next multiple of 16
          // repeat the last tile, so the GEMM reads only finite numbers there.
          for j in 0..<chunk {
            let t = t0 + min(j, n - 1)
            origins[j] = 8 * (6 * (t / tilesX) * pw + 6 * (t % tilesX))
          }
          for g in 0..<groups {
            Conv2D.transformInput(
              padded + g * group, 8 * pw, origins.baseAddress!, (n + 15) & ~15, channels: min(8, cin - 8 * g),
              v + 8 * g * chunk, channelStride: chunk, positionStride: cin * chunk, buffer: tiles8)
          }
        }
        for ob in 0..<(cout + 5) / 6 {
          Conv2D.multiply(u + ob * 6 * cin, (cout + 5) / 6 * 6 * cin, v, cin: cin, tiles: n, ld: chunk, m)
          for o in ob * 6..<min(cout, ob * 6 + 6) {
            transformOutput(m + (o - ob * 6) * 64 * chunk, stride: chunk, t0, n, tilesX, dst + o * oh * ow, oh, ow, channel: o)
          }
        }
      }
    }
  }

  /// Row r of `channels` (up to eight) planes with `padding` zeros above and to the left and zeros
  /// to fill pw pixels, interleaved: pixel x's channels at line[8 x ..< 8 x + 8], missing ones zero.
  func copyInterleaved(
    _ planes: UnsafePointer<UnsafePointer<Float>>, _ channels: Int, _ ih: Int, _ iw: Int, row r: Int,
    _ line: UnsafeMutablePointer<Float>, _ pw: Int
  ) {
    let iy = r - padding.top, lo = min(pw, padding.left), n = max(0, min(iw, pw - lo))
    guard iy >= 0 && iy < ih else {
      line.update(repeating: 0, count: 8 * pw)
      return
    }
    line.update(repeating: 0, count: 8 * lo)
    let offset = iy * iw, out = UnsafeMutableRawPointer(line + 8 * lo)
    withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 8) { buffer in
      let b = buffer.baseAddress!
      var x = 0
      while x + 8 <= n {
        for c in 0..<8 { b[c] = c < channels ? UnsafeRawPointer(planes[c] + offset + x).loadUnaligned(as: SIMD8<Float>.self) : .zero }
        transpose8x8(b)
        for i in 0..<8 { out.storeBytes(of: b[i], toByteOffset: 32 * (x + i), as: SIMD8<Float>.self) }
        x += 8
      }
      for x in x..<n {
        var pixel = SIMD8<Float>()
        for c in 0..<channels { pixel[c] = planes[c][offset + x] }
        out.storeBytes(of: pixel, toByteOffset: 32 * x, as: SIMD8<Float>.self)
      }
    }
    (line + 8 * (lo + n)).update(repeating: 0, count: 8 * (pw - lo - n))
  }

  /// B^T d B for the tiles starting at `origins[0 ..< n]` in an interleaved group of `channels`
  /// channels (rows `rowStride` floats apart): the transform runs on the eight channels in SIMD
  /// lanes, then an 8x8 transpose per position turns eight tiles' vectors into one vector per
  /// channel, stored at `v[p * positionStride + c * channelStride + j]`. `buffer` holds 8 x 64 vectors.
  @inline(never)
  static func transformInput(
    _ group: UnsafePointer<Float>, _ rowStride: Int, _ origins: UnsafePointer<Int>, _ n: Int, channels: Int,
    _ v: UnsafeMutablePointer<Float>, channelStride: Int, positionStride: Int, buffer d: UnsafeMutablePointer<SIMD8<Float>>
  ) {
    // d[j * 64 + p]: tile j, position p.
    withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 8) { column in
      let column = column.baseAddress!
      for j8 in Swift.stride(from: 0, to: n, by: 8) {
        for j in 0..<8 {
          let tile = d + j * 64, origin = group + origins[j8 + j]
          for r in 0..<8 {
            let line = UnsafeRawPointer(origin + r * rowStride).assumingMemoryBound(to: SIMD8<Float>.self)
            inputLine(line, 1, into: UnsafeMutableRawPointer(tile + r * 8).assumingMemoryBound(to: Float.self), 8)
          }
          for k in 0..<8 { inputLine(tile + k, 8) }
        }
        for p in 0..<64 {
          for j in 0..<8 { column[j] = d[j * 64 + p] }
          transpose8x8(column)
          let out = UnsafeMutableRawPointer(v + p * positionStride + j8)
          for c in 0..<channels { out.storeBytes(of: column[c], toByteOffset: 4 * c * channelStride, as: SIMD8<Float>.self) }
        }
      }
    }
  }

  /// M[r][p][t] = sum over c of U[p][r][c] V[p][c][t] for six output channels r and the 64 positions
  /// p: sixteen tiles at a time in twelve accumulators, weights (packed at load, `uStride` apart per
  /// position) and V read straight from memory, nothing packed or zeroed per call.
  @inline(never)
  static func multiply(_ u: UnsafePointer<Float>, _ uStride: Int, _ v: UnsafePointer<Float>, cin: Int, tiles: Int, ld: Int, _ m: UnsafeMutablePointer<Float>) {
    for p in 0..<64 {
      for t in Swift.stride(from: 0, to: tiles, by: 16) {
        kernel6x16(u + p * uStride, v + (p * cin) * ld + t, ld, cin, m + p * ld + t, 64 * ld)
      }
    }
  }

  @inline(__always)
  static func kernel6x16(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ ldb: Int, _ k: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
    var c40 = SIMD8<Float>(), c41 = SIMD8<Float>(), c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
    var a = a, b = UnsafeRawPointer(b)
    for _ in 0..<k {
      let b0 = b.load(as: SIMD8<Float>.self), b1 = b.load(fromByteOffset: 32, as: SIMD8<Float>.self)
      var x = SIMD8<Float>(repeating: a[0])
      c00.addProduct(x, b0); c01.addProduct(x, b1)
      x = SIMD8(repeating: a[1])
      c10.addProduct(x, b0); c11.addProduct(x, b1)
      x = SIMD8(repeating: a[2])
      c20.addProduct(x, b0); c21.addProduct(x, b1)
      x = SIMD8(repeating: a[3])
      c30.addProduct(x, b0); c31.addProduct(x, b1)
      x = SIMD8(repeating: a[4])
      c40.addProduct(x, b0); c41.addProduct(x, b1)
      x = SIMD8(repeating: a[5])
      c50.addProduct(x, b0); c51.addProduct(x, b1)
      a += 6
      b += ldb * 4
    }
    let r = UnsafeMutableRawPointer(c), row = ldc * 4
    r.storeBytes(of: c00, as: SIMD8<Float>.self); r.storeBytes(of: c01, toByteOffset: 32, as: SIMD8<Float>.self)
    r.storeBytes(of: c10, toByteOffset: row, as: SIMD8<Float>.self); r.storeBytes(of: c11, toByteOffset: row + 32, as: SIMD8<Float>.self)
    r.storeBytes(of: c20, toByteOffset: 2 * row, as: SIMD8<Float>.self); r.storeBytes(of: c21, toByteOffset: 2 * row + 32, as: SIMD8<Float>.self)
    r.storeBytes(of: c30, toByteOffset: 3 * row, as: SIMD8<Float>.self); r.storeBytes(of: c31, toByteOffset: 3 * row + 32, as: SIMD8<Float>.self)
    r.storeBytes(of: c40, toByteOffset: 4 * row, as: SIMD8<Float>.self); r.storeBytes(of: c41, toByteOffset: 4 * row + 32, as: SIMD8<Float>.self)
    r.storeBytes(of: c50, toByteOffset: 5 * row, as: SIMD8<Float>.self); r.storeBytes(of: c51, toByteOffset: 5 * row + 32, as: SIMD8<Float>.self)
  }

  /// B^T applied along one line of eight vectors p[0], p[s], ..., p[7s], in place.
  @inline(__always)
  static func inputLine(_ p: UnsafeMutablePointer<SIMD8<Float>>, _ s: Int) {
    inputLine(p, s, into: UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self), 8 * s)
  }

  /// B^T applied along one line of eight vectors p[0], p[s], ..., p[7s], the results stored as
  /// vectors at `out`, `out + os`, ..., `out + 7 os` (32-byte aligned).
  @inline(__always)
  static func inputLine(_ p: UnsafePointer<SIMD8<Float>>, _ s: Int, into out: UnsafeMutablePointer<Float>, _ os: Int) {
    let d0 = p[0], d1 = p[s], d2 = p[2 * s], d3 = p[3 * s], d4 = p[4 * s], d5 = p[5 * s], d6 = p[6 * s], d7 = p[7 * s]
    let o = UnsafeMutableRawPointer(out), step = os * 4
    let t1 = d2 + d6 - d4 * 4.25, t2 = d1 + d5 - d3 * 4.25
    let t3 = d6 + d2 * 0.25 - d4 * 1.25, t4 = d1 * 0.5 - d3 * 2.5 + d5 * 2
    let t5 = d6 + (d2 - d4 * 1.25) * 4, t6 = d1 * 2 - d3 * 2.5 + d5 * 0.5
    o.storeBytes(of: d0 - d6 + (d4 - d2) * 5.25, as: SIMD8<Float>.self)
    o.storeBytes(of: t1 + t2, toByteOffset: step, as: SIMD8<Float>.self)
    o.storeBytes(of: t1 - t2, toByteOffset: 2 * step, as: SIMD8<Float>.self)
    o.storeBytes(of: t3 + t4, toByteOffset: 3 * step, as: SIMD8<Float>.self)
    o.storeBytes(of: t3 - t4, toByteOffset: 4 * step, as: SIMD8<Float>.self)
    o.storeBytes(of: t5 + t6, toByteOffset: 5 * step, as: SIMD8<Float>.self)
    o.storeBytes(of: t5 - t6, toByteOffset: 6 * step, as: SIMD8<Float>.self)
    o.storeBytes(of: d7 - d1 + (d3 - d5) * 5.25, toByteOffset: 7 * step, as: SIMD8<Float>.self)
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

  /// A^T M A of tiles t0 ..< t0 + n (products p of tile t0 + j at `m[p * stride + j]`) with the
  /// epilogue, written into the output channel's plane.
  @inline(never)
  func transformOutput(
    _ m: UnsafePointer<Float>, stride: Int, _ t0: Int, _ n: Int, _ tilesX: Int, _ plane: UnsafeMutablePointer<Float>,
    _ oh: Int, _ ow: Int, channel o: Int
  ) {
    let bias = self.bias?[o] ?? 0, prelu = slopes?[o] ?? 1, negative = negativeSlope(prelu: prelu)
    withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 64) { buffer in
      let d = buffer.baseAddress!
      for j8 in Swift.stride(from: 0, to: n, by: 8) {
        for p in 0..<64 { d[p] = (m + p * stride + j8).withMemoryRebound(to: SIMD8<Float>.self, capacity: 1) { $0.pointee } }
        for k in 0..<8 { Conv2D.outputLine(d + k, 8) }
        for a in 0..<6 { Conv2D.outputLine(d + a * 8, 1) }
        if let negative {
          for a in 0..<6 {
            for b in 0..<6 {
              let v = d[a * 8 + b] + bias
              d[a * 8 + b] = v.replacing(with: v * negative, where: v .< 0)
            }
          }
        } else {
          for a in 0..<6 {
            for b in 0..<6 {
              var v = d[a * 8 + b] + bias
              for l in 0..<8 { v[l] = activation(v[l]) }
              d[a * 8 + b] = v.replacing(with: v * prelu, where: v .< 0)
            }
          }
        }
        // Each output row a is transposed to one vector per tile (its eight columns, six used).
        for a in 0..<6 { transpose8x8(d + a * 8) }
        let t = t0 + j8, y = 6 * (t / tilesX), x = 6 * (t % tilesX)
        if j8 + 8 <= n && x + 48 <= ow {
          // Eight whole tiles side by side: each vector is stored whole, its last two lanes
          // overwritten by the next tile's; the last tile stores six.
          for a in 0..<Swift.min(6, oh - y) {
            let line = plane + (y + a) * ow + x, row = d + a * 8
            for l in 0..<7 { UnsafeMutableRawPointer(line + 6 * l).storeBytes(of: row[l], as: SIMD8<Float>.self) }
            UnsafeMutableRawPointer(line + 42).storeBytes(of: row[7].lowHalf, as: SIMD4<Float>.self)
            line[46] = row[7][4]
            line[47] = row[7][5]
          }
          continue
        }
        for l in 0..<Swift.min(8, n - j8) {
          let y = 6 * ((t + l) / tilesX), x = 6 * ((t + l) % tilesX), cols = Swift.min(6, ow - x)
          for a in 0..<Swift.min(6, oh - y) {
            let line = plane + (y + a) * ow + x, v = d[a * 8 + l]
            if cols == 6 {
              UnsafeMutableRawPointer(line).storeBytes(of: v.lowHalf, as: SIMD4<Float>.self)
              line[4] = v[4]
              line[5] = v[5]
            } else {
              for b in 0..<cols { line[b] = v[b] }
            }
          }
        }
      }
    }
  }
}
