/// An 8x8 transpose of eight vectors in 24 lane shuffles (the AVX unpack / shuffle / permute
/// sequence): each helper's lanes come from two vectors at fixed positions, which the compiler turns
/// into one shuffle instruction.
@inline(__always)
func transpose8x8(_ r: UnsafeMutablePointer<SIMD8<Float>>) {
  @inline(__always) func unpackLow(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    SIMD8(a[0], b[0], a[1], b[1], a[4], b[4], a[5], b[5])
  }
  @inline(__always) func unpackHigh(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    SIMD8(a[2], b[2], a[3], b[3], a[6], b[6], a[7], b[7])
  }
  @inline(__always) func pairsLow(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    SIMD8(a[0], a[1], b[0], b[1], a[4], a[5], b[4], b[5])
  }
  @inline(__always) func pairsHigh(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    SIMD8(a[2], a[3], b[2], b[3], a[6], a[7], b[6], b[7])
  }
  @inline(__always) func halvesLow(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    SIMD8(lowHalf: a.lowHalf, highHalf: b.lowHalf)
  }
  @inline(__always) func halvesHigh(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    SIMD8(lowHalf: a.highHalf, highHalf: b.highHalf)
  }
  let t0 = unpackLow(r[0], r[1]), t1 = unpackHigh(r[0], r[1]), t2 = unpackLow(r[2], r[3]), t3 = unpackHigh(r[2], r[3])
  let t4 = unpackLow(r[4], r[5]), t5 = unpackHigh(r[4], r[5]), t6 = unpackLow(r[6], r[7]), t7 = unpackHigh(r[6], r[7])
  let u0 = pairsLow(t0, t2), u1 = pairsHigh(t0, t2), u2 = pairsLow(t1, t3), u3 = pairsHigh(t1, t3)
  let u4 = pairsLow(t4, t6), u5 = pairsHigh(t4, t6), u6 = pairsLow(t5, t7), u7 = pairsHigh(t5, t7)
  r[0] = halvesLow(u0, u4)
  r[1] = halvesLow(u1, u5)
  r[2] = halvesLow(u2, u6)
  r[3] = halvesLow(u3, u7)
  r[4] = halvesHigh(u0, u4)
  r[5] = halvesHigh(u1, u5)
  r[6] = halvesHigh(u2, u6)
  r[7] = halvesHigh(u3, u7)
}
