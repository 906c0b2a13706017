import Foundation

/// Interpolation modes of `Resize`.
public enum ResizeMode: String, Sendable, Codable {
  case nearest, bilinear, bicubic
}

/// Resizing by a scale factor, as ncnn's Interp and PyTorch's interpolate (align_corners=False) do:
/// output size floor(n * scale); bilinear and bicubic (A = -0.75) sample at (d + 0.5) * n/out - 0.5
/// with edge samples repeated; nearest takes min(floor(d / scale), n - 1).
enum Resize {
  static func forward(_ x: Tensor, mode: ResizeMode, scaleY: Float, scaleX: Float) throws -> Tensor {
    let oh = Int(Float(x.height) * scaleY), ow = Int(Float(x.width) * scaleX)
    guard oh > 0, ow > 0 else { throw InferenceError("resize: \(x.height)x\(x.width) scaled by \(scaleY)x\(scaleX) is empty") }
    let ys = taps(mode, x.height, oh, scaleY), xs = taps(mode, x.width, ow, scaleX)
    if mode == .nearest { return nearest(x, ys.map { $0[0].0 }, xs.map { $0[0].0 }) }
    var out = Tensor(channels: x.channels, height: oh, width: ow)
    var rowBuffer = [Float](repeating: 0, count: ow)
    for c in 0..<x.channels {
      for oy in 0..<oh {
        for ox in 0..<ow { rowBuffer[ox] = 0 }
        for (iy, wy) in ys[oy] {
          let row = (c * x.height + iy) * x.width
          for ox in 0..<ow {
            var s: Float = 0
            for (ix, wx) in xs[ox] { s += wx * x.data[row + ix] }
            rowBuffer[ox] += wy * s
          }
        }
        let base = (c * oh + oy) * ow
        out.data.replaceSubrange(base..<(base + ow), with: rowBuffer)
      }
    }
    return out
  }

  /// Nearest neighbour: one source row per output row, copied through the column map, and repeated
  /// rows copied whole.
  static func nearest(_ x: Tensor, _ ys: [Int], _ xs: [Int]) -> Tensor {
    let (oh, ow) = (ys.count, xs.count)
    var out = Tensor(uninitializedChannels: x.channels, height: oh, width: ow)
    x.data.withUnsafeBufferPointer { src in
      out.data.withUnsafeMutableBufferPointer { dst in
        for c in 0..<x.channels {
          for oy in 0..<oh {
            let line = dst.baseAddress! + (c * oh + oy) * ow
            if oy > 0 && ys[oy] == ys[oy - 1] {
              line.update(from: line - ow, count: ow)
              continue
            }
            let row = src.baseAddress! + (c * x.height + ys[oy]) * x.width
            for ox in 0..<ow { line[ox] = row[xs[ox]] }
          }
        }
      }
    }
    return out
  }

  /// For each output index, the input indices and weights it reads.
  static func taps(_ mode: ResizeMode, _ n: Int, _ out: Int, _ scale: Float) -> [[(Int, Float)]] {
    let clamp = { (i: Int) in min(max(i, 0), n - 1) }
    return (0..<out).map { d -> [(Int, Float)] in
      switch mode {
      case .nearest:
        return [(min(Int(Float(d) * (1 / scale)), n - 1), 1)]
      case .bilinear:
        let f = max((Float(d) + 0.5) * Float(n) / Float(out) - 0.5, 0)
        let i = Int(f.rounded(.down)), t = f - Float(i)
        return [(clamp(i), 1 - t), (clamp(i + 1), t)]
      case .bicubic:
        let f = (Float(d) + 0.5) * Float(n) / Float(out) - 0.5
        let i = Int(f.rounded(.down)), t = f - Float(i)
        return (-1...2).map { k in (clamp(i + k), cubic(Float(k) - t)) }
      }
    }
  }

  /// Keys' cubic with A = -0.75 (PyTorch's and ncnn's bicubic).
  static func cubic(_ x: Float) -> Float {
    let a: Float = -0.75, ax = abs(x)
    if ax <= 1 { return ((a + 2) * ax - (a + 3)) * ax * ax + 1 }
    if ax < 2 { return ((a * ax - 5 * a) * ax + 8 * a) * ax - 4 * a }
    return 0
  }
}

extension Tensor {
  /// Bilinear resize to a given size as PyTorch's `F.interpolate(x, size=(h, w), mode="bilinear",
  /// align_corners=False)` computes it on the CPU in float32 (no antialiasing): scale = in / out,
  /// source = max(scale * (d + 0.5) - 0.5, 0), index clamped to the last sample, each output the
  /// vertical blend of two horizontally blended rows. Same size: an exact copy.
  public func resizedBilinear(height oh: Int, width ow: Int) -> Tensor {
    if oh == height && ow == width { return self }
    func taps(_ n: Int, _ out: Int) -> [(Int, Int, Float, Float)] {
      let scale = Float(n) / Float(out)
      return (0..<out).map { d in
        let src = Swift.max(scale * (Float(d) + 0.5) - 0.5, 0)
        let i0 = Swift.min(Int(src.rounded(.down)), n - 1)
        let i1 = i0 + (i0 < n - 1 ? 1 : 0)
        let l1 = Swift.min(Swift.max(src - Float(i0), 0), 1)
        return (i0, i1, 1 - l1, l1)
      }
    }
    let ys = taps(height, oh), xs = taps(width, ow)
    var out = Tensor(channels: channels, height: oh, width: ow)
    var rows = [Float](repeating: 0, count: height * ow)
    data.withUnsafeBufferPointer { src in
      out.data.withUnsafeMutableBufferPointer { dst in
        rows.withUnsafeMutableBufferPointer { h in
          for c in 0..<channels {
            let plane = src.baseAddress! + c * height * width
            for y in 0..<height {
              let line = plane + y * width, o = h.baseAddress! + y * ow
              for (x, t) in xs.enumerated() { o[x] = t.2 * line[t.0] + t.3 * line[t.1] }
            }
            let target = dst.baseAddress! + c * oh * ow
            for (y, t) in ys.enumerated() {
              let r0 = h.baseAddress! + t.0 * ow, r1 = h.baseAddress! + t.1 * ow, o = target + y * ow
              for x in 0..<ow { o[x] = t.2 * r0[x] + t.3 * r1[x] }
            }
          }
        }
      }
    }
    return out
  }
}
