import Foundation

/// Additive noise as Real-ESRGAN draws it (`basicsr/data/degradations.py`), on samples in 0...255.
public enum Noise: Sendable, Equatable {
  /// Normal noise of standard deviation `sigma` (in 8-bit levels).
  case gaussian(sigma: Double)
  /// Shot noise: each sample q (rounded to 8 bits) becomes Poisson(q·v/255)·255/v with v = 256 levels
  /// (Real-ESRGAN's v is 2^ceil(log2(distinct values)), 256 for any photo); the difference is
  /// scaled by `scale`.
  case poisson(scale: Double)
}

/// Adds noise to a float image, clipping to 0...255. Every sample's noise comes from a generator
/// keyed by `key` and the pixel's position, so the result does not depend on tiling or threads.
/// With `gray`, one noise value per pixel goes to every band (Poisson noise is then drawn on the
/// luma 0.299 R + 0.587 G + 0.114 B).
final class NoiseOperation: RegionOperation, @unchecked Sendable {
  let noise: Noise
  let gray: Bool
  let key: UInt64
  let bands: Int

  init(noise: Noise, gray: Bool, key: UInt64, bands: Int) {
    (self.noise, self.gray, self.key, self.bands) = (noise, gray, key, bands)
  }

  func makeWorkspace() {}

  func generate(output: Region, input: Region, workspace: Void) throws {
    let r = output.valid
    try input.prepare(r)
    let bands = self.bands
    for y in r.top..<r.bottom {
      let src = UnsafeRawPointer(input.address(x: r.left, y: y)).assumingMemoryBound(to: Float.self)
      let dst = output.address(x: r.left, y: y).assumingMemoryBound(to: Float.self)
      for i in 0..<r.width {
        let x = r.left + i
        var g = SplitMix64(seed: SplitMix64.mix(key ^ (UInt64(truncatingIfNeeded: y) << 32 | UInt64(truncatingIfNeeded: x))))
        let p = src + i * bands, o = dst + i * bands
        switch noise {
        case .gaussian(let sigma):
          if gray {
            let n = Float(sigma * NoiseOperation.normal(&g))
            for b in 0..<bands { o[b] = clip(p[b] + n) }
          } else {
            for b in 0..<bands { o[b] = clip(p[b] + Float(sigma * NoiseOperation.normal(&g))) }
          }
        case .poisson(let scale):
          if gray && bands >= 3 {
            let luma = 0.299 * Double(p[0]) + 0.587 * Double(p[1]) + 0.114 * Double(p[2])
            let n = Float(scale * NoiseOperation.shot(luma, &g))
            for b in 0..<bands { o[b] = clip(p[b] + n) }
          } else {
            for b in 0..<bands { o[b] = clip(p[b] + Float(scale * NoiseOperation.shot(Double(p[b]), &g))) }
          }
        }
      }
    }
  }

  @inline(__always) func clip(_ v: Float) -> Float { min(max(v, 0), 255) }

  /// A standard normal draw (Box-Muller).
  @inline(__always)
  static func normal(_ g: inout SplitMix64) -> Double {
    let u1 = Double((g.next() >> 11) + 1) * 0x1p-53  // in (0, 1]
    let u2 = g.unit()
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
  }

  /// Shot noise in 8-bit levels for a sample of value `v`.
  @inline(__always)
  static func shot(_ v: Double, _ g: inout SplitMix64) -> Double {
    let q = min(max(v.rounded(), 0), 255)
    let levels = 256.0
    let k = poisson(q * levels / 255, &g)
    return k * 255 / levels - q
  }

  /// A Poisson draw: Knuth's product of uniforms for small means, Hörmann's transformed rejection
  /// (PTRS, as NumPy uses) above 10.
  static func poisson(_ lambda: Double, _ g: inout SplitMix64) -> Double {
    if lambda <= 0 { return 0 }
    if lambda < 10 {
      let limit = exp(-lambda)
      var k = 0.0, product = g.unit()
      while product > limit {
        k += 1
        product *= g.unit()
      }
      return k
    }
    let slam = lambda.squareRoot(), loglam = log(lambda)
    let b = 0.931 + 2.53 * slam
    let a = -0.059 + 0.02483 * b
    let invalpha = 1.1239 + 1.1328 / (b - 3.4)
    let vr = 0.9277 - 3.6224 / (b - 2)
    while true {
      let u = g.unit() - 0.5
      let v = g.unit()
      let us = 0.5 - abs(u)
      let k = ((2 * a / us + b) * u + lambda + 0.43).rounded(.down)
      if us >= 0.07 && v <= vr { return k }
      if k < 0 || (us < 0.013 && v > us) { continue }
      if log(v) + log(invalpha) - log(a / (us * us) + b) <= -lambda + k * loglam - lgamma(k + 1) { return k }
    }
  }
}

extension Image {
  /// Adds `noise` (see `Noise`), clipped to 0...255; the result is float. Each sample's draw depends
  /// only on `key` and its position.
  public func addingNoise(_ noise: Noise, gray: Bool, key: UInt64) throws -> Image {
    let source = try cast(.float)
    return try source.applying(
      NoiseOperation(noise: noise, gray: gray, key: key, bands: bands), width: width, height: height, bands: bands,
      format: .float, demand: .strips)
  }
}
