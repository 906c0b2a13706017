/// Average and max pooling over windows, and global average pooling (to C x 1 x 1).
public enum PoolKind: String, Sendable, Codable { case average, max }

struct Pool: Sendable {
  var kind: PoolKind
  var kernel: (h: Int, w: Int)
  var stride: (h: Int, w: Int)
  var padding: (h: Int, w: Int) = (0, 0)
  /// Average pooling: divide by the full window even where it overlaps the padding.
  var countIncludePad = true

  /// floor((n + 2 padding - kernel) / stride) + 1, and 0 when the window is larger than the padded input.
  func outputSize(height: Int, width: Int) -> (Int, Int) {
    let nh = height + 2 * padding.h - kernel.h, nw = width + 2 * padding.w - kernel.w
    return (nh < 0 ? 0 : nh / stride.h + 1, nw < 0 ? 0 : nw / stride.w + 1)
  }

  func forward(_ x: Tensor) throws -> Tensor {
    let (oh, ow) = outputSize(height: x.height, width: x.width)
    guard oh > 0, ow > 0 else { throw InferenceError("pool: window larger than the \(x.height)x\(x.width) input") }
    var out = Tensor(channels: x.channels, height: oh, width: ow)
    for c in 0..<x.channels {
      for oy in 0..<oh {
        for ox in 0..<ow {
          var s: Float = kind == .max ? -.infinity : 0
          var n = 0
          for ky in 0..<kernel.h {
            let iy = oy * stride.h - padding.h + ky
            guard iy >= 0 && iy < x.height else { continue }
            for kx in 0..<kernel.w {
              let ix = ox * stride.w - padding.w + kx
              guard ix >= 0 && ix < x.width else { continue }
              let v = x[c, iy, ix]
              s = kind == .max ? Swift.max(s, v) : s + v
              n += 1
            }
          }
          out[c, oy, ox] = kind == .max ? s : s / Float(countIncludePad ? kernel.h * kernel.w : Swift.max(n, 1))
        }
      }
    }
    return out
  }

  static func globalAverage(_ x: Tensor) -> Tensor {
    var out = Tensor(channels: x.channels, height: 1, width: 1)
    for c in 0..<x.channels {
      var s: Float = 0
      for i in 0..<x.plane { s += x.data[c * x.plane + i] }
      out.data[c] = s / Float(x.plane)
    }
    return out
  }
}

/// A fully connected layer on the flattened input; the result is C x 1 x 1.
struct Linear: Sendable {
  var inFeatures: Int
  var outFeatures: Int
  var weight: [Float]  // [out][in]
  var bias: [Float]?
  var activation: Activation = .none

  func forward(_ x: Tensor) throws -> Tensor {
    guard x.count == inFeatures else { throw InferenceError("linear: expects \(inFeatures) features, got \(x.count)") }
    var out = Tensor(channels: outFeatures, height: 1, width: 1)
    for o in 0..<outFeatures {
      var s = bias?[o] ?? 0
      for i in 0..<inFeatures { s += weight[o * inFeatures + i] * x.data[i] }
      out.data[o] = activation(s)
    }
    return out
  }
}
