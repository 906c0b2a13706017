/// Reproducible values in [-1, 1] in steps of 0.001, from a 64-bit LCG.
func randomValues(_ n: Int, seed: UInt64) -> [Float] {
  var s = seed
  return (0..<n).map { _ in
    s = s &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Float(Int(s >> 40) % 2001 - 1000) / 1000
  }
}
