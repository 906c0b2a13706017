import Foundation

/// Bounds-checked little-endian reads from an immutable byte buffer (usually a mapped file).
/// Every read outside the buffer throws instead of trapping.
struct ByteView {
  let data: Data
  let count: Int

  init(_ data: Data) {
    // Indices below are offsets from 0; a slice of another Data may start elsewhere.
    self.data = data.startIndex == 0 ? data : Data(data)
    self.count = self.data.count
  }

  /// Whether `length` bytes at `offset` lie inside the buffer, without overflow.
  func contains(_ offset: Int, _ length: Int) -> Bool {
    offset >= 0 && length >= 0 && offset <= count && length <= count - offset
  }

  func check(_ offset: Int, _ length: Int, _ what: @autoclosure () -> String) throws {
    guard contains(offset, length) else {
      throw failure("\(what()) at offset \(offset) needs \(length) bytes but the file has only \(count) (truncated or corrupt)")
    }
  }

  private func load<T: FixedWidthInteger>(_ offset: Int, _ what: @autoclosure () -> String, as: T.Type) throws -> T {
    try check(offset, MemoryLayout<T>.size, what())
    return T(littleEndian: data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) })
  }

  func u16(_ offset: Int, _ what: @autoclosure () -> String) throws -> UInt16 { try load(offset, what(), as: UInt16.self) }
  func u32(_ offset: Int, _ what: @autoclosure () -> String) throws -> UInt32 { try load(offset, what(), as: UInt32.self) }
  func u64(_ offset: Int, _ what: @autoclosure () -> String) throws -> UInt64 { try load(offset, what(), as: UInt64.self) }

  func bytes(_ offset: Int, _ length: Int, _ what: @autoclosure () -> String) throws -> [UInt8] {
    try check(offset, length, what())
    return data.withUnsafeBytes { Array($0[offset..<offset + length]) }
  }

  /// Calls `body` with the raw bytes of a checked range.
  func withBytes<R>(_ offset: Int, _ length: Int, _ what: @autoclosure () -> String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
    try check(offset, length, what())
    return try data.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[offset..<offset + length])) }
  }
}

/// A file-supplied unsigned size or offset as an `Int` no larger than `limit`.
func checkedInt(_ value: UInt64, atMost limit: Int, _ what: @autoclosure () -> String) throws -> Int {
  guard let v = Int(exactly: value), v <= limit else {
    throw failure("\(what()) is \(value), beyond the file size \(limit)")
  }
  return v
}

/// The product of file-supplied non-negative factors, or nil on overflow.
func checkedProduct(_ factors: [Int]) -> Int? {
  var p = 1
  for f in factors {
    guard f >= 0 else { return nil }
    let (r, overflow) = p.multipliedReportingOverflow(by: f)
    if overflow { return nil }
    p = r
  }
  return p
}
