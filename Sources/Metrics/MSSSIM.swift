import Foundation

/// Multi-scale SSIM (Wang, Simoncelli, Bovik 2003) as pytorch-msssim computes it: five scales with
/// weights (0.0448, 0.2856, 0.3001, 0.2363, 0.1333); the contrast-structure mean at the first four,
/// full SSIM at the last, each clamped at 0; 2x2 average pooling between scales, zero-padding odd
/// sides by one (avg_pool2d with padding = size % 2, padded zeros counted).
public enum MSSSIM {
  public static let weights = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]

  /// The smallest side the five scales need: the 11-pixel window must fit at 1/16 size.
  public static let minimumSide = (11 - 1) * 16 + 1

  public static func compute(_ a: Plane, _ b: Plane, ssim: SSIM = .wang()) -> Double {
    var (x, y) = (a, b)
    var value = 1.0
    for (level, w) in weights.enumerated() {
      let s = ssim.statistics(x, y)
      if level == weights.count - 1 {
        value *= pow(max(s.ssim, 0), w)
      } else {
        value *= pow(max(s.cs, 0), w)
        x = halve(x)
        y = halve(y)
      }
    }
    return value
  }

  static func halve(_ p: Plane) -> Plane {
    let padX = p.width % 2, padY = p.height % 2
    let ow = (p.width + 2 * padX - 2) / 2 + 1, oh = (p.height + 2 * padY - 2) / 2 + 1
    var out = [Double](repeating: 0, count: ow * oh)
    for oy in 0..<oh {
      for ox in 0..<ow {
        var s = 0.0
        for dy in 0..<2 {
          for dx in 0..<2 {
            let x = 2 * ox + dx - padX, y = 2 * oy + dy - padY
            if x >= 0 && x < p.width && y >= 0 && y < p.height { s += p[x, y] }
          }
        }
        out[oy * ow + ox] = s / 4
      }
    }
    return Plane(width: ow, height: oh, samples: out)
  }
}
