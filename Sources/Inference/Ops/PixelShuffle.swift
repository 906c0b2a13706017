/// Depth to space (PyTorch pixel_shuffle): out[c, y*r+i, x*r+j] = in[c*r*r + i*r + j, y, x].
enum PixelShuffle {
  static func forward(_ x: Tensor, factor r: Int) throws -> Tensor {
    guard r > 0, x.channels % (r * r) == 0 else { throw InferenceError("pixel_shuffle: \(x.channels) channels do not divide by \(r * r)") }
    let oc = x.channels / (r * r), oh = x.height * r, ow = x.width * r
    var out = Tensor(channels: oc, height: oh, width: ow)
    out.data.withUnsafeMutableBufferPointer { o in
      x.data.withUnsafeBufferPointer { s in
        for c in 0..<oc {
          for i in 0..<r {
            for j in 0..<r {
              let src = s.baseAddress! + (c * r * r + i * r + j) * x.plane
              for y in 0..<x.height {
                let dst = o.baseAddress! + (c * oh + y * r + i) * ow + j
                let row = src + y * x.width
                for xx in 0..<x.width { dst[xx * r] = row[xx] }
              }
            }
          }
        }
      }
    }
    return out
  }

  /// Space to depth, the inverse: out[c*r*r + i*r + j, y, x] = in[c, y*r+i, x*r+j].
  static func inverse(_ x: Tensor, factor r: Int) throws -> Tensor {
    guard r > 0, x.height % r == 0, x.width % r == 0 else {
      throw InferenceError("pixel_unshuffle: \(x.height)x\(x.width) does not divide by \(r)")
    }
    let oh = x.height / r, ow = x.width / r
    var out = Tensor(channels: x.channels * r * r, height: oh, width: ow)
    for c in 0..<x.channels {
      for i in 0..<r {
        for j in 0..<r {
          for y in 0..<oh {
            for xx in 0..<ow { out[c * r * r + i * r + j, y, xx] = x[c, y * r + i, xx * r + j] }
          }
        }
      }
    }
    return out
  }
}
