import Foundation

extension ResampleTable {
  /// The modes of PyTorch's `F.interpolate` that Real-ESRGAN resizes with.
  public enum TorchMode: String, Sendable, CaseIterable {
    case area, bilinear, bicubic
  }

  /// `torch.nn.functional.interpolate(mode=..., align_corners=False)` along one axis (no
  /// antialiasing, so shrinking aliases, as in Real-ESRGAN's degradations). `coordinateScale` is the
  /// input step per output sample: 1/scale_factor when the call gives a factor, else in/out.
  /// - bilinear (`upsample_bilinear2d`): source x = s(i + 0.5) - 0.5, clamped at 0; two taps.
  /// - bicubic (`upsample_bicubic2d`): the same source x, unclamped; Keys' cubic with a = -0.75 over
  ///   four taps whose indices clamp to the edges.
  /// - area (`adaptive_avg_pool`): the mean of inputs floor(i·n/m) ..< ceil((i+1)·n/m).
  public static func torch(_ mode: TorchMode, inputLength n: Int, outputLength m: Int, coordinateScale: Double? = nil)
    -> ResampleTable
  {
    let scale = coordinateScale ?? Double(n) / Double(m)
    var indices = [Int32](), weights = [Float]()
    func clamp(_ i: Int) -> Int32 { Int32(min(max(i, 0), n - 1)) }
    switch mode {
    case .bilinear:
      for i in 0..<m {
        let src = max(scale * (Double(i) + 0.5) - 0.5, 0)
        let i0 = Int(src), l1 = src - Double(i0)
        indices += [clamp(i0), clamp(i0 + 1)]
        weights += [Float(1 - l1), Float(l1)]
      }
      return ResampleTable(inputLength: n, outputLength: m, taps: 2, indices: indices, weights: weights)
    case .bicubic:
      let a = -0.75
      func near(_ x: Double) -> Double { ((a + 2) * x - (a + 3)) * x * x + 1 }
      func far(_ x: Double) -> Double { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
      for i in 0..<m {
        let src = scale * (Double(i) + 0.5) - 0.5
        let i0 = Int(src.rounded(.down)), t = src - Double(i0)
        indices += [clamp(i0 - 1), clamp(i0), clamp(i0 + 1), clamp(i0 + 2)]
        weights += [far(t + 1), near(t), near(1 - t), far(2 - t)].map { Float($0) }
      }
      return ResampleTable(inputLength: n, outputLength: m, taps: 4, indices: indices, weights: weights)
    case .area:
      let spans = (0..<m).map { i in (i * n / m)..<((i + 1) * n + m - 1) / m }
      let taps = spans.map(\.count).max() ?? 1
      for span in spans {
        for k in 0..<taps {
          indices.append(clamp(k < span.count ? span.lowerBound + k : span.lowerBound))
          weights.append(k < span.count ? Float(1 / Double(span.count)) : 0)
        }
      }
      return ResampleTable(inputLength: n, outputLength: m, taps: taps, indices: indices, weights: weights)
    }
  }
}
