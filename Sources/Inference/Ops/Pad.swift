/// Extends a map by (top, left, bottom, right) pixels: zeros (PyTorch's ZeroPad2d), edge samples
/// repeated (ReplicationPad2d) or mirrored without repeating the edge (ReflectionPad2d, which needs
/// each pad smaller than the side it mirrors). fast.ai's blur is ReplicationPad2d((1, 0, 1, 0))
/// before a 2x2 average pool with stride 1.
public enum PadMode: String, Sendable { case zeros, replicate, reflect }

struct Pad: Sendable {
  var mode: PadMode
  var top = 0, left = 0, bottom = 0, right = 0

  func forward(_ x: Tensor) throws -> Tensor {
    if mode == .reflect {
      guard top < x.height, bottom < x.height, left < x.width, right < x.width else {
        throw InferenceError("pad: reflecting \(top), \(left), \(bottom), \(right) pixels needs a map larger than \(x.height)x\(x.width)")
      }
    }
    let oh = x.height + top + bottom, ow = x.width + left + right
    var out = Tensor(channels: x.channels, height: oh, width: ow)
    // Source index of output index i along a side of n samples shifted by `before`; nil: zero.
    func source(_ i: Int, _ before: Int, _ n: Int) -> Int? {
      let s = i - before
      if s >= 0 && s < n { return s }
      switch mode {
      case .zeros: return nil
      case .replicate: return s < 0 ? 0 : n - 1
      case .reflect: return s < 0 ? -s : 2 * (n - 1) - s
      }
    }
    let rows = (0..<oh).map { source($0, top, x.height) }, columns = (0..<ow).map { source($0, left, x.width) }
    out.data.withUnsafeMutableBufferPointer { o in
      x.data.withUnsafeBufferPointer { s in
        for c in 0..<x.channels {
          for y in 0..<oh {
            guard let sy = rows[y] else { continue }
            let src = s.baseAddress! + (c * x.height + sy) * x.width, dst = o.baseAddress! + (c * oh + y) * ow
            for xx in 0..<ow { if let sx = columns[xx] { dst[xx] = src[sx] } }
          }
        }
      }
    }
    return out
  }
}
