import Numerics

/// Transposed convolution: each input sample scatters `weight[o][c]` into a `kernel`-sized window at
/// `stride` spacing; `padding` then cuts that many pixels from each border of the full result, and
/// `outputPadding` adds to the bottom/right (PyTorch's ConvTranspose2d and ncnn's Deconvolution).
/// Weights are [out][in][kh][kw] (ncnn's order; PyTorch's [in][out][kh][kw] is transposed on import).
public struct ConvTranspose2D: Sendable {
  public var inChannels: Int
  public var outChannels: Int
  public var kernel: (h: Int, w: Int)
  public var stride: (h: Int, w: Int) = (1, 1)
  public var padding: (top: Int, left: Int, bottom: Int, right: Int) = (0, 0, 0, 0)
  public var outputPadding: (h: Int, w: Int) = (0, 0)
  public var weight: [Float]
  public var bias: [Float]?
  public var activation: Activation = .none
  /// weight rearranged to [(o, ky, kx)][c] for one GEMM per forward.
  let packed: [Float]

  public init(
    inChannels: Int, outChannels: Int, kernel: (h: Int, w: Int), stride: (h: Int, w: Int) = (1, 1),
    padding: (top: Int, left: Int, bottom: Int, right: Int) = (0, 0, 0, 0), outputPadding: (h: Int, w: Int) = (0, 0),
    weight: [Float], bias: [Float]?, activation: Activation = .none
  ) {
    (self.inChannels, self.outChannels, self.kernel, self.stride, self.padding, self.outputPadding) =
      (inChannels, outChannels, kernel, stride, padding, outputPadding)
    (self.weight, self.bias, self.activation) = (weight, bias, activation)
    let taps = kernel.h * kernel.w
    var p = [Float](repeating: 0, count: weight.count)
    for o in 0..<outChannels {
      for c in 0..<inChannels {
        for t in 0..<taps { p[(o * taps + t) * inChannels + c] = weight[(o * inChannels + c) * taps + t] }
      }
    }
    packed = p
  }

  public func outputSize(height: Int, width: Int) -> (Int, Int) {
    ((height - 1) * stride.h + kernel.h - padding.top - padding.bottom + outputPadding.h,
     (width - 1) * stride.w + kernel.w - padding.left - padding.right + outputPadding.w)
  }

  public var macsPerInputPixel: Int { outChannels * inChannels * kernel.h * kernel.w }

  /// A GEMM gives every input pixel's contribution to each tap (columns split between threads),
  /// then each output channel sums its taps (channels split between threads).
  func forward(_ x: Tensor, threads: Int = 1, scratch: inout [Float]) -> Tensor {
    let (oh, ow) = outputSize(height: x.height, width: x.width)
    var out = Tensor(channels: outChannels, height: max(oh, 0), width: max(ow, 0))
    guard oh > 0, ow > 0 else { return out }
    let taps = kernel.h * kernel.w, n = x.plane, rows = outChannels * taps
    if scratch.count < rows * n { scratch = [Float](repeating: 0, count: rows * n) }
    scratch.withUnsafeMutableBufferPointer { cols in
      x.data.withUnsafeBufferPointer { src in
        packed.withUnsafeBufferPointer { w in
          Parallel.forColumns(n, threads: threads) { n0, count in
            BLAS.sgemm(
              m: rows, n: count, k: inChannels, a: w.baseAddress!, lda: inChannels, b: src.baseAddress! + n0, ldb: n,
              c: cols.baseAddress! + n0, ldc: n)
          }
        }
      }
      out.data.withUnsafeMutableBufferPointer { dst in
        Parallel.forEach(outChannels, threads: threads) { o, _ in
          let plane = dst.baseAddress! + o * oh * ow
          plane.update(repeating: bias?[o] ?? 0, count: oh * ow)
          for ky in 0..<kernel.h {
            for kx in 0..<kernel.w {
              let col = cols.baseAddress! + ((o * kernel.h + ky) * kernel.w + kx) * n
              for iy in 0..<x.height {
                let oy = iy * stride.h + ky - padding.top
                guard oy >= 0 && oy < oh else { continue }
                for ix in 0..<x.width {
                  let ox = ix * stride.w + kx - padding.left
                  if ox >= 0 && ox < ow { plane[oy * ow + ox] += col[iy * x.width + ix] }
                }
              }
            }
          }
          activation.apply(plane, oh * ow)
        }
      }
    }
    return out
  }

  /// The plain definition, the oracle for `forward`.
  func reference(_ x: Tensor) -> Tensor {
    let (oh, ow) = outputSize(height: x.height, width: x.width)
    var out = Tensor(channels: outChannels, height: oh, width: ow)
    for o in 0..<outChannels {
      for oy in 0..<oh { for ox in 0..<ow { out[o, oy, ox] = bias?[o] ?? 0 } }
      for c in 0..<inChannels {
        for iy in 0..<x.height {
          for ix in 0..<x.width {
            for ky in 0..<kernel.h {
              for kx in 0..<kernel.w {
                let oy = iy * stride.h + ky - padding.top, ox = ix * stride.w + kx - padding.left
                if oy < 0 || oy >= oh || ox < 0 || ox >= ow { continue }
                out[o, oy, ox] += x[c, iy, ix] * weight[((o * inChannels + c) * kernel.h + ky) * kernel.w + kx]
              }
            }
          }
        }
      }
      for oy in 0..<oh { for ox in 0..<ow { out[o, oy, ox] = activation(out[o, oy, ox]) } }
    }
    return out
  }
}
