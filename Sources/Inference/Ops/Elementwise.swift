/// Sum of same-shaped tensors with optional coefficients: out = sum_i c_i * x_i (ncnn's Eltwise sum,
/// a residual `x + 0.2 * y`, a plain add).
enum WeightedSum {
  /// `first` is accumulated into in place; `rest` are added to it.
  static func forward(_ first: Tensor, _ rest: [Tensor], coefficients: [Float]?) throws -> Tensor {
    var out = first
    for x in rest where x.shape != out.shape {
      throw InferenceError("add: shapes \(out.shape) and \(x.shape) differ")
    }
    let c = coefficients ?? [Float](repeating: 1, count: rest.count + 1)
    out.data.withUnsafeMutableBufferPointer { o in
      if c[0] != 1 { for i in 0..<o.count { o[i] *= c[0] } }
      for (k, x) in rest.enumerated() {
        let ck = c[k + 1]
        x.data.withUnsafeBufferPointer { s in
          if ck == 1 { for i in 0..<o.count { o[i] += s[i] } } else { for i in 0..<o.count { o[i] += ck * s[i] } }
        }
      }
    }
    return out
  }
}

/// Elementwise product of two same-shaped tensors, or a per-channel scale when the second is C x 1 x 1
/// (squeeze-and-excitation gates).
enum Multiply {
  static func forward(_ a: Tensor, _ b: Tensor) throws -> Tensor {
    var out = a  // `a` is moved in by the caller when nothing else holds it
    if b.shape == a.shape {
      out.data.withUnsafeMutableBufferPointer { o in b.data.withUnsafeBufferPointer { s in for i in 0..<o.count { o[i] *= s[i] } } }
    } else if b.channels == a.channels && b.height == 1 && b.width == 1 {
      let plane = a.plane
      out.data.withUnsafeMutableBufferPointer { o in
        for c in 0..<a.channels {
          let g = b.data[c]
          for i in 0..<plane { o[c * plane + i] *= g }
        }
      }
    } else {
      throw InferenceError("multiply: shapes \(a.shape) and \(b.shape) do not broadcast")
    }
    return out
  }
}

/// out = x * scale + bias, for input normalisation and output scaling.
enum Affine {
  static func forward(_ x: Tensor, scale: Float, bias: Float) -> Tensor {
    var out = x
    out.data.withUnsafeMutableBufferPointer { o in for i in 0..<o.count { o[i] = o[i] * scale + bias } }
    return out
  }
}

/// Channel concatenation.
enum Concat {
  static func forward(_ xs: [Tensor]) throws -> Tensor {
    let (h, w) = (xs[0].height, xs[0].width)
    for x in xs where x.height != h || x.width != w {
      throw InferenceError("concat: spatial sizes \(xs[0].shape) and \(x.shape) differ")
    }
    var data = [Float]()
    data.reserveCapacity(xs.reduce(0) { $0 + $1.count })
    for x in xs { data += x.data }
    return Tensor(channels: xs.reduce(0) { $0 + $1.channels }, height: h, width: w, data: data)
  }
}

/// Cuts a window: `offset` from the top left, `size` (height, width).
enum Crop {
  static func forward(_ x: Tensor, top: Int, left: Int, height: Int, width: Int) throws -> Tensor {
    guard top >= 0, left >= 0, height >= 0, width >= 0, top <= x.height - height, left <= x.width - width else {
      throw InferenceError("crop: window \(height)x\(width) at (\(top), \(left)) exceeds \(x.shape)")
    }
    var out = Tensor(channels: x.channels, height: height, width: width)
    for c in 0..<x.channels {
      for y in 0..<height {
        let s = (c * x.height + top + y) * x.width + left, d = (c * height + y) * width
        out.data.replaceSubrange(d..<(d + width), with: x.data[s..<(s + width)])
      }
    }
    return out
  }
}
