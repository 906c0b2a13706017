import Foundation

/// The automatic downsampling of Wang's `ssim.m` (2009): f = max(1, round(min(M, N) / 256));
/// when f > 1, an f x f box filter (`imfilter(img, ones(f)/f^2, 'symmetric', 'same')`, whose origin
/// for even f sits at floor((f + 1) / 2)) followed by keeping every f-th row and column from the first.
public enum MatlabDownsample {
  public static func factor(width: Int, height: Int) -> Int {
    max(1, Int((Double(min(width, height)) / 256).rounded(.toNearestOrAwayFromZero)))
  }

  public static func apply(_ p: Plane, factor f: Int) -> Plane {
    guard f > 1 else { return p }
    let before = (f + 1) / 2 - 1  // taps before the origin
    let ow = (p.width + f - 1) / f, oh = (p.height + f - 1) / f
    func mirror(_ i: Int, _ n: Int) -> Int {
      let period = 2 * n
      let m = ((i % period) + period) % period
      return m < n ? m : period - 1 - m
    }
    var out = [Double](repeating: 0, count: ow * oh)
    for oy in 0..<oh {
      for ox in 0..<ow {
        var s = 0.0
        for dy in 0..<f {
          let y = mirror(oy * f - before + dy, p.height)
          for dx in 0..<f { s += p[mirror(ox * f - before + dx, p.width), y] }
        }
        out[oy * ow + ox] = s / Double(f * f)
      }
    }
    return Plane(width: ow, height: oh, samples: out)
  }
}
