/// The element type a tensor is stored with; every type is widened or narrowed to `Float` on read.
public enum ElementType: String, CaseIterable, Sendable {
  case float32, float16, bfloat16, float64
  case int64, int32, int16, int8, uint8, bool

  /// Bytes per element in the file.
  public var byteSize: Int {
    switch self {
    case .float64, .int64: 8
    case .float32, .int32: 4
    case .float16, .bfloat16, .int16: 2
    case .int8, .uint8, .bool: 1
    }
  }

  public var isFloatingPoint: Bool {
    switch self {
    case .float32, .float16, .bfloat16, .float64: true
    default: false
    }
  }
}

/// IEEE 754 binary16 to binary32, exact for every bit pattern (NaN payloads kept, quieted as hardware does not).
func floatFromHalf(_ h: UInt16) -> Float {
  let sign = UInt32(h & 0x8000) << 16
  let exponent = UInt32(h >> 10) & 0x1f
  let mantissa = UInt32(h & 0x3ff)
  if exponent == 0x1f { return Float(bitPattern: sign | 0x7f80_0000 | (mantissa << 13)) }
  if exponent == 0 {
    // Zero or subnormal: mantissa × 2^-24, exact in binary32.
    let magnitude = Float(mantissa) * 0x1p-24
    return sign == 0 ? magnitude : -magnitude
  }
  return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
}

/// bfloat16 is the upper half of a binary32.
func floatFromBFloat16(_ b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }

/// Reads element `i` (an index in elements, not bytes) of a little-endian buffer as `Float`.
/// The caller has checked that `i` lies inside `raw`.
func elementLoader(_ type: ElementType, _ raw: UnsafeRawBufferPointer) -> (Int) -> Float {
  switch type {
  case .float32: { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 &* 4, as: UInt32.self))) }
  case .float16: { floatFromHalf(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 &* 2, as: UInt16.self))) }
  case .bfloat16: { floatFromBFloat16(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 &* 2, as: UInt16.self))) }
  case .float64: { Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 &* 8, as: UInt64.self)))) }
  case .int64: { Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 &* 8, as: Int64.self))) }
  case .int32: { Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 &* 4, as: Int32.self))) }
  case .int16: { Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 &* 2, as: Int16.self))) }
  case .int8: { Float(Int8(bitPattern: raw[$0])) }
  case .uint8: { Float(raw[$0]) }
  case .bool: { raw[$0] == 0 ? 0 : 1 }
  }
}
