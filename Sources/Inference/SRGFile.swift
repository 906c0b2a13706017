import Foundation

/// The `.srg` container (man/srg.5): a fixed 32-byte preamble, a JSON header (metadata, graph,
/// tensor table), tensor data at 64-byte-aligned offsets, and a 64-bit FNV-1a checksum of everything
/// before it. All integers are little-endian. The reader trusts nothing in the file.
public enum SRGFile {
  public static let magic: [UInt8] = [0x53, 0x52, 0x47, 0x00]  // "SRG\0"
  public static let version: UInt32 = 1
  public static let byteOrderMark: UInt32 = 0x0102_0304
  static let preamble = 32
  static let alignment = 64
  /// Headers larger than this are refused before any allocation.
  static let maximumHeader = 64 << 20
  /// So are tensors with more elements than this.
  static let maximumElements = 1 << 31

  /// A weight tensor to store: values, shape and the storage type.
  public struct Weight {
    public var shape: [Int]
    public var values: [Float]
    public var dtype: TensorEntry.DType
    public init(shape: [Int], values: [Float], dtype: TensorEntry.DType = .f32) { (self.shape, self.values, self.dtype) = (shape, values, dtype) }
  }

  // MARK: Writing

  /// Serialises a graph and its weights. The tensor table of `spec` is rebuilt from `weights`.
  public static func encode(_ spec: GraphSpec, weights: [String: Weight]) throws -> [UInt8] {
    var spec = spec
    var data: [UInt8] = []
    spec.tensors = [:]
    for name in weights.keys.sorted() {
      let w = weights[name]!
      guard w.shape.reduce(1, *) == w.values.count else { throw InferenceError("tensor \(name): shape \(w.shape) does not hold \(w.values.count) values") }
      while data.count % alignment != 0 { data.append(0) }
      let start = data.count
      switch w.dtype {
      case .f32:
        #if _endian(little)
          w.values.withUnsafeBytes { data += $0 }
        #else
          for v in w.values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data += $0 } }
        #endif
      case .f16: for v in w.values { withUnsafeBytes(of: Float16(v).bitPattern.littleEndian) { data += $0 } }
      }
      spec.tensors[name] = TensorEntry(dtype: w.dtype, shape: w.shape, offset: start, length: data.count - start)
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let header = Array(try encoder.encode(spec))
    var out: [UInt8] = magic
    append(&out, version)
    append(&out, byteOrderMark)
    append(&out, UInt32(header.count))
    let dataOffset = (preamble + header.count + alignment - 1) / alignment * alignment
    append(&out, UInt64(dataOffset))
    append(&out, UInt64(data.count))
    out += header
    out += [UInt8](repeating: 0, count: dataOffset - out.count)
    out += data
    append(&out, checksum(out[...]))
    return out
  }

  static func append<T: FixedWidthInteger>(_ out: inout [UInt8], _ v: T) {
    withUnsafeBytes(of: v.littleEndian) { out += $0 }
  }

  /// 64-bit FNV-1a.
  public static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    bytes.withUnsafeBufferPointer { fnv1a($0) }
  }

  static func fnv1a(_ p: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in p { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
    return h
  }

  // MARK: Reading

  /// A parsed, validated file: the header and a way to read each tensor as float32.
  public struct Contents {
    public let spec: GraphSpec
    let bytes: Data
    let dataOffset: Int

    public func tensor(_ name: String) throws -> [Float] {
      guard let e = spec.tensors[name] else { throw InferenceError("the graph names tensor '\(name)', which the file does not have") }
      return bytes.withUnsafeBytes { raw in
        let base = raw.baseAddress! + dataOffset + e.offset
        let n = e.length / (e.dtype == .f32 ? 4 : 2)
        switch e.dtype {
        case .f32: return (0..<n).map { Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        case .f16: return (0..<n).map { Float(Float16(bitPattern: UInt16(littleEndian: base.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)))) }
        }
      }
    }
  }

  /// Reads and validates a file (memory-mapped).
  public static func read(path: String) throws -> Contents {
    guard FileManager.default.fileExists(atPath: path) else { throw InferenceError("no such file") }
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
    } catch {
      throw InferenceError("cannot read: \((error as NSError).localizedDescription)")
    }
    return try decode(data)
  }

  /// Validates `bytes` as a `.srg` file: structure, bounds, checksum, tensor table.
  public static func decode(_ bytes: Data) throws -> Contents {
    guard bytes.count >= preamble + 8 else { throw InferenceError("not an .srg file: only \(bytes.count) bytes") }
    func u32(_ at: Int) -> UInt32 { bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self)) } }
    func u64(_ at: Int) -> UInt64 { bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) } }
    guard Array(bytes.prefix(4)) == magic else { throw InferenceError("not an .srg file (bad magic)") }
    guard u32(8) == byteOrderMark else { throw InferenceError("byte-order mark is wrong: file written for another byte order or damaged") }
    guard u32(4) == version else { throw InferenceError("format version \(u32(4)) is not supported (this reader knows version \(version))") }
    let headerLength = Int(u32(12))
    let dataOffset64 = u64(16), dataLength64 = u64(24)
    guard headerLength <= maximumHeader, headerLength <= bytes.count - preamble else { throw InferenceError("header length \(headerLength) exceeds the file") }
    guard dataOffset64 % UInt64(alignment) == 0, dataOffset64 >= UInt64(preamble + headerLength) else {
      throw InferenceError("data offset \(dataOffset64) is misaligned or overlaps the header")
    }
    let (end, overflow) = dataOffset64.addingReportingOverflow(dataLength64)
    guard !overflow, end <= UInt64(bytes.count), end + 8 == UInt64(bytes.count) else {
      throw InferenceError("data section (\(dataOffset64) + \(dataLength64) bytes) does not match the file size \(bytes.count): truncated or damaged")
    }
    let dataOffset = Int(dataOffset64), dataLength = Int(dataLength64)
    let stored = u64(dataOffset + dataLength)
    let actual = bytes.withUnsafeBytes { fnv1a(UnsafeBufferPointer(start: $0.baseAddress!.assumingMemoryBound(to: UInt8.self), count: dataOffset + dataLength)) }
    guard stored == actual else { throw InferenceError("checksum mismatch: the file is damaged") }
    let spec: GraphSpec
    do {
      spec = try JSONDecoder().decode(GraphSpec.self, from: bytes.subdata(in: preamble..<(preamble + headerLength)))
    } catch {
      throw InferenceError("header is not valid: \(describe(error))")
    }
    try validateTensors(spec.tensors, dataLength: dataLength)
    return Contents(spec: spec, bytes: bytes, dataOffset: dataOffset)
  }

  static func validateTensors(_ tensors: [String: TensorEntry], dataLength: Int) throws {
    var spans: [(Int, Int, String)] = []
    for (name, e) in tensors {
      var elements = 1
      for d in e.shape {
        guard d > 0 else { throw InferenceError("tensor \(name): dimension \(d) is not positive") }
        let (m, o) = elements.multipliedReportingOverflow(by: d)
        guard !o, m <= maximumElements else { throw InferenceError("tensor \(name): shape \(e.shape) is too large") }
        elements = m
      }
      guard e.length == elements * (e.dtype == .f32 ? 4 : 2) else {
        throw InferenceError("tensor \(name): \(e.length) bytes do not hold shape \(e.shape) as \(e.dtype)")
      }
      guard e.offset >= 0, e.offset % alignment == 0, e.offset <= dataLength, e.length <= dataLength - e.offset else {
        throw InferenceError("tensor \(name): offset \(e.offset) (+\(e.length) bytes) lies outside the data section or is misaligned")
      }
      spans.append((e.offset, e.length, name))
    }
    spans.sort { $0.0 < $1.0 }
    for (a, b) in zip(spans, spans.dropFirst()) where a.0 + a.1 > b.0 {
      throw InferenceError("tensors \(a.2) and \(b.2) overlap")
    }
  }

  static func describe(_ error: Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, let c): return "missing '\(key.stringValue)' at \(path(c))"
    case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c): return "wrong type at \(path(c))"
    case DecodingError.dataCorrupted(let c): return "malformed JSON \(c.debugDescription)"
    default: return "\(error)"
    }
  }

  static func path(_ c: DecodingError.Context) -> String {
    c.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
  }
}
