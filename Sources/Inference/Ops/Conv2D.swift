import Numerics

/// 2-D convolution (cross-correlation, as PyTorch and ncnn define it) with bias and a fused activation.
/// Weights are [out][in/groups][kh][kw].
public struct Conv2D: Sendable {
  public var inChannels: Int
  public var outChannels: Int
  public var kernel: (h: Int, w: Int)
  public var stride: (h: Int, w: Int) = (1, 1)
  public var dilation: (h: Int, w: Int) = (1, 1)
  /// Zero padding: top, left, bottom, right.
  public var padding: (top: Int, left: Int, bottom: Int, right: Int) = (0, 0, 0, 0)
  public var groups = 1
  public var weight: [Float]
  public var bias: [Float]?
  public var activation: Activation = .none

  public func outputSize(height: Int, width: Int) -> (Int, Int) {
    let eh = dilation.h * (kernel.h - 1) + 1, ew = dilation.w * (kernel.w - 1) + 1
    let nh = height + padding.top + padding.bottom - eh, nw = width + padding.left + padding.right - ew
    // A kernel larger than the padded input gives nothing (integer division would round -1/2 up to 0).
    return (nh < 0 ? 0 : nh / stride.h + 1, nw < 0 ? 0 : nw / stride.w + 1)
  }

  /// Multiply-adds per output pixel.
  public var macsPerOutputPixel: Int { outChannels * inChannels / groups * kernel.h * kernel.w }

  /// im2col + GEMM, a band of output rows at a time so the column buffer stays small.
  func forward(_ x: Tensor, scratch: inout [Float]) -> Tensor {
    let (oh, ow) = outputSize(height: x.height, width: x.width)
    var out = Tensor(channels: outChannels, height: oh, width: ow)
    guard oh > 0, ow > 0 else { return out }
    let cinG = inChannels / groups, coutG = outChannels / groups
    let k = cinG * kernel.h * kernel.w
    let pointwise = kernel.h == 1 && kernel.w == 1 && stride == (1, 1) && padding == (0, 0, 0, 0)
    // Rows per band: keep the column buffer near 4 MB.
    let band = pointwise ? oh : max(1, min(oh, (1 << 20) / max(1, k * ow)))
    if !pointwise && scratch.count < k * band * ow { scratch = [Float](repeating: 0, count: k * band * ow) }
    x.data.withUnsafeBufferPointer { src in
      weight.withUnsafeBufferPointer { w in
        out.data.withUnsafeMutableBufferPointer { dst in
          scratch.withUnsafeMutableBufferPointer { col in
            for g in 0..<groups {
              var y0 = 0
              while y0 < oh {
                let rows = min(band, oh - y0)
                let n = rows * ow
                let b: UnsafePointer<Float>
                if pointwise {
                  b = src.baseAddress! + g * cinG * x.plane
                } else {
                  im2col(src.baseAddress! + g * cinG * x.plane, x, cinG, y0, rows, ow, col.baseAddress!)
                  b = UnsafePointer(col.baseAddress!)
                }
                // out[coutG, rows*ow] (a band inside each channel plane: leading dimension oh*ow).
                BLAS.sgemm(
                  m: coutG, n: n, k: k, a: w.baseAddress! + g * coutG * k, lda: k, b: b, ldb: n,
                  c: dst.baseAddress! + g * coutG * oh * ow + y0 * ow, ldc: oh * ow)
                y0 += rows
              }
            }
            finish(dst.baseAddress!, oh * ow)
          }
        }
      }
    }
    return out
  }

  /// Bias and activation over every output plane.
  func finish(_ dst: UnsafeMutablePointer<Float>, _ plane: Int) {
    for c in 0..<outChannels {
      let p = dst + c * plane
      if let bias {
        let b = bias[c]
        for i in 0..<plane { p[i] += b }
      }
      activation.apply(p, plane)
    }
  }

  /// Columns for output rows y0..<y0+rows: row (c, ky, kx), column (y, x) holds the input sample
  /// under that kernel tap, zero outside the image.
  func im2col(_ src: UnsafePointer<Float>, _ x: Tensor, _ cin: Int, _ y0: Int, _ rows: Int, _ ow: Int, _ col: UnsafeMutablePointer<Float>) {
    let n = rows * ow
    var r = 0
    for c in 0..<cin {
      let plane = src + c * x.plane
      for ky in 0..<kernel.h {
        for kx in 0..<kernel.w {
          let dst = col + r * n
          for oy in 0..<rows {
            let iy = (y0 + oy) * stride.h - padding.top + ky * dilation.h
            let line = dst + oy * ow
            guard iy >= 0 && iy < x.height else {
              line.update(repeating: 0, count: ow)
              continue
            }
            let row = plane + iy * x.width
            let ix0 = kx * dilation.w - padding.left
            if stride.w == 1 {
              // Contiguous copy with zero margins.
              let lo = max(0, -ix0), hi = min(ow, x.width - ix0)
              if lo > 0 { line.update(repeating: 0, count: min(lo, ow)) }
              if hi > lo { line.advanced(by: lo).update(from: row + ix0 + lo, count: hi - lo) }
              if hi < ow { line.advanced(by: max(hi, 0)).update(repeating: 0, count: ow - max(hi, 0)) }
            } else {
              for ox in 0..<ow {
                let ix = ox * stride.w + ix0
                line[ox] = ix >= 0 && ix < x.width ? row[ix] : 0
              }
            }
          }
          r += 1
        }
      }
    }
  }

  /// The plain definition, the oracle for `forward`.
  func reference(_ x: Tensor) -> Tensor {
    let (oh, ow) = outputSize(height: x.height, width: x.width)
    var out = Tensor(channels: outChannels, height: oh, width: ow)
    let cinG = inChannels / groups, coutG = outChannels / groups
    for o in 0..<outChannels {
      let g = o / coutG
      for oy in 0..<oh {
        for ox in 0..<ow {
          var s = bias?[o] ?? 0
          for ci in 0..<cinG {
            for ky in 0..<kernel.h {
              for kx in 0..<kernel.w {
                let iy = oy * stride.h - padding.top + ky * dilation.h, ix = ox * stride.w - padding.left + kx * dilation.w
                if iy < 0 || iy >= x.height || ix < 0 || ix >= x.width { continue }
                s += weight[((o * cinG + ci) * kernel.h + ky) * kernel.w + kx] * x[g * cinG + ci, iy, ix]
              }
            }
          }
          out[o, oy, ox] = activation(s)
        }
      }
    }
    return out
  }
}
