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
  /// PReLU slopes, one per output channel, applied after `activation` (a following PReLU node fused
  /// at load).
  public var slopes: [Float]?

  public func outputSize(height: Int, width: Int) -> (Int, Int) {
    let eh = dilation.h * (kernel.h - 1) + 1, ew = dilation.w * (kernel.w - 1) + 1
    let nh = height + padding.top + padding.bottom - eh, nw = width + padding.left + padding.right - ew
    // A kernel larger than the padded input gives nothing (integer division would round -1/2 up to 0).
    return (nh < 0 ? 0 : nh / stride.h + 1, nw < 0 ? 0 : nw / stride.w + 1)
  }

  /// Multiply-adds per output pixel.
  public var macsPerOutputPixel: Int { outChannels * inChannels / groups * kernel.h * kernel.w }

  /// The Winograd transform of `weight` when `prepare()` found the shape suited to it.
  var winogradWeight: [Float]?

  /// Work done once at load: 3x3 stride-1 convolutions with at least eight outputs run as Winograd
  /// F(6x6, 3x3) (below that, the six-output GEMM blocks would be mostly padding), whose transformed
  /// weights are computed here.
  public mutating func prepare() {
    let suited = kernel == (3, 3) && stride == (1, 1) && dilation == (1, 1) && groups == 1
    winogradWeight = suited && outChannels >= 8
      ? Conv2D.winogradWeights(weight, outChannels: outChannels, inChannels: inChannels) : nil
  }

  /// The fastest path the shape allows: Winograd, a plain GEMM for pointwise convolutions, else
  /// im2col + GEMM in bands of output rows. Work is split over `threads`.
  func forward(_ x: Tensor, threads: Int = 1, scratch: inout [Float]) -> Tensor {
    forward([x], threads: threads, scratch: &scratch)
  }

  /// The convolution of the channels of `sources` taken in order, as if concatenated (sources of the
  /// same size; more than one only on the Winograd path, where the input is copied anyway).
  func forward(_ sources: [Tensor], threads: Int = 1, scratch: inout [Float]) -> Tensor {
    let x = sources[0]
    let (oh, ow) = outputSize(height: x.height, width: x.width)
    // Every path below writes every output.
    var out = Tensor(uninitializedChannels: outChannels, height: oh, width: ow)
    guard oh > 0, ow > 0 else { return out }
    withPlanes(sources) { planes in
      out.data.withUnsafeMutableBufferPointer { dst in
        if let winogradWeight {
          winogradWeight.withUnsafeBufferPointer { u in
            winograd(planes, x.height, x.width, u.baseAddress!, dst.baseAddress!, oh, ow, threads, &scratch)
          }
        } else if kernel == (1, 1) && stride == (1, 1) && padding == (0, 0, 0, 0) {
          pointwise(planes[0], dst.baseAddress!, oh * ow, threads)
        } else {
          im2colGEMM(planes[0], x, dst.baseAddress!, oh, ow, threads, &scratch)
        }
      }
    }
    return out
  }

  /// Checks that `sources` (channels, height, width) can be read as one input: channels adding up to
  /// `inChannels` (more than one source: a concatenation fused at load), all of one size.
  func checkSources(_ sources: [(channels: Int, height: Int, width: Int)]) throws {
    let channels = sources.reduce(0) { $0 + $1.channels }
    guard channels == inChannels else { throw InferenceError("conv2d expects \(inChannels) channels, gets \(channels)") }
    guard sources.allSatisfy({ ($0.height, $0.width) == (sources[0].height, sources[0].width) }) else {
      throw InferenceError("concat inputs differ in size")
    }
  }

  /// Calls `body` with a pointer to every channel plane of `sources`, in order.
  func withPlanes<R>(_ sources: [Tensor], _ planes: [UnsafePointer<Float>] = [], _ body: ([UnsafePointer<Float>]) -> R) -> R {
    guard let first = sources.first else { return body(planes) }
    return first.data.withUnsafeBufferPointer { d in
      withPlanes(Array(sources.dropFirst()), planes + (0..<first.channels).map { d.baseAddress! + $0 * first.plane }, body)
    }
  }

  /// A 1x1 convolution is a GEMM on the input planes as they are: columns split between threads.
  func pointwise(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ plane: Int, _ threads: Int) {
    let cinG = inChannels / groups, coutG = outChannels / groups
    weight.withUnsafeBufferPointer { w in
      Parallel.forColumns(plane, threads: threads) { n0, n in
        for g in 0..<groups {
          BLAS.sgemm(
            m: coutG, n: n, k: cinG, a: w.baseAddress! + g * coutG * cinG, lda: cinG,
            b: src + g * cinG * plane + n0, ldb: plane, c: dst + g * coutG * plane + n0, ldc: plane)
        }
        for o in 0..<outChannels { finish(dst + o * plane + n0, n, channel: o) }
      }
    }
  }

  /// im2col + GEMM, a band of output rows at a time so the column buffer stays small; threads take
  /// bands in turn, each with its own column buffer.
  func im2colGEMM(_ src: UnsafePointer<Float>, _ x: Tensor, _ dst: UnsafeMutablePointer<Float>, _ oh: Int, _ ow: Int, _ threads: Int, _ scratch: inout [Float]) {
    let cinG = inChannels / groups, coutG = outChannels / groups
    let k = cinG * kernel.h * kernel.w
    // Rows per band: keep the column buffer near 4 MB, and give every thread a band.
    let band = max(1, min((oh + threads - 1) / threads, (1 << 20) / max(1, k * ow)))
    let bands = (oh + band - 1) / band, shares = min(threads, bands)
    let share = k * band * ow
    if scratch.count < shares * share { scratch = [Float](repeating: 0, count: shares * share) }
    scratch.withUnsafeMutableBufferPointer { cols in
      weight.withUnsafeBufferPointer { w in
        Parallel.forEach(bands, threads: shares) { b, s in
          let col = cols.baseAddress! + s * share
          let y0 = b * band, rows = min(band, oh - y0), n = rows * ow
          for g in 0..<groups {
            im2col(src + g * cinG * x.plane, x, cinG, y0, rows, ow, col)
            // out[coutG, rows*ow] (a band inside each channel plane: leading dimension oh*ow).
            BLAS.sgemm(
              m: coutG, n: n, k: k, a: w.baseAddress! + g * coutG * k, lda: k, b: col, ldb: n,
              c: dst + g * coutG * oh * ow + y0 * ow, ldc: oh * ow)
          }
          for o in 0..<outChannels { finish(dst + o * oh * ow + y0 * ow, n, channel: o) }
        }
      }
    }
  }

  /// Bias, activation and fused PReLU slope over `count` outputs of channel `o`, in one pass.
  func finish(_ p: UnsafeMutablePointer<Float>, _ count: Int, channel o: Int) {
    let bias = self.bias?[o] ?? 0, prelu = slopes?[o] ?? 1
    if let negative = negativeSlope(prelu: prelu) {
      for i in 0..<count { let v = p[i] + bias; p[i] = v < 0 ? v * negative : v }
    } else {
      for i in 0..<count { let v = activation(p[i] + bias); p[i] = v < 0 ? v * prelu : v }
    }
  }

  /// The slope for negative values that `activation` followed by a PReLU slope amounts to, if it is
  /// piecewise linear; other activations go value by value.
  func negativeSlope(prelu: Float) -> Float? {
    switch activation {
    case .none: prelu
    case .relu: 0
    case .leakyReLU(let s): s * prelu
    default: nil
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
          let a = activation(s)
          out[o, oy, ox] = a < 0 && slopes != nil ? a * slopes![o] : a
        }
      }
    }
    return out
  }
}
