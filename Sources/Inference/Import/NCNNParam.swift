/// ncnn's text graph format (`.param`): "7767517", "<layers> <blobs>", then one layer per line:
/// `Type name n_in n_out in_blobs... out_blobs... key=value...`, where keys are integers and
/// array values are written as `-23300-key=count,v1,v2,...`.
struct NCNNParam {
  struct Layer {
    var type: String
    var name: String
    var inputs: [String]
    var outputs: [String]
    var values: [Int: [Float]]

    /// Integers are clamped to ±2^20, so hostile values cannot trap a conversion; shapes are checked later.
    func int(_ key: Int, _ fallback: Int) -> Int {
      guard let v = values[key]?.first, v.isFinite else { return fallback }
      return Int(max(min(v, 1_048_576), -1_048_576))
    }
    func float(_ key: Int, _ fallback: Float) -> Float { values[key]?.first ?? fallback }
    func array(_ key: Int) -> [Float] { values[key] ?? [] }
  }

  var layers: [Layer]

  init(text: String) throws {
    var lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard lines.first == "7767517" else { throw InferenceError("not an ncnn .param file (magic 7767517 missing)") }
    lines.removeFirst()
    guard let counts = lines.first?.split(separator: " ").compactMap({ Int($0) }), counts.count == 2, counts[0] >= 0 else {
      throw InferenceError("ncnn .param: bad layer/blob count line")
    }
    lines.removeFirst()
    guard lines.count == counts[0] else { throw InferenceError("ncnn .param: declares \(counts[0]) layers but has \(lines.count)") }
    layers = try lines.enumerated().map { n, line in
      let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      guard f.count >= 4, let ni = Int(f[2]), let no = Int(f[3]), ni >= 0, no >= 0, ni <= f.count, no <= f.count, f.count >= 4 + ni + no else {
        throw InferenceError("ncnn .param line \(n + 3): malformed layer")
      }
      var values: [Int: [Float]] = [:]
      for kv in f[(4 + ni + no)...] {
        let parts = kv.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, let key = Int(parts[0]) else { throw InferenceError("ncnn .param line \(n + 3): bad parameter '\(kv)'") }
        if key <= -23300 {
          let items = parts[1].split(separator: ",").compactMap { Float($0) }
          guard let count = items.first, count == Float(items.count - 1) else { throw InferenceError("ncnn .param line \(n + 3): bad array '\(kv)'") }
          values[-key - 23300] = Array(items.dropFirst())
        } else {
          guard let v = Float(parts[1]) else { throw InferenceError("ncnn .param line \(n + 3): bad value '\(kv)'") }
          values[key] = [v]
        }
      }
      return Layer(type: f[0], name: f[1], inputs: Array(f[4..<(4 + ni)]), outputs: Array(f[(4 + ni)..<(4 + ni + no)]), values: values)
    }
  }
}

/// Reads ncnn's `.bin` weight stream in layer order. Tagged buffers (convolution and fully connected
/// weights) start with a 4-byte flag: 0x01306B47 float16, 0 float32; untagged ones (biases, slopes)
/// are float32.
struct NCNNWeights {
  let bytes: [UInt8]
  private(set) var offset = 0

  init(bytes: [UInt8]) { self.bytes = bytes }

  var atEnd: Bool { offset == bytes.count }

  mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
    guard n >= 0, n <= bytes.count - offset else { throw InferenceError("ncnn .bin ends early (needs \(n) bytes at offset \(offset))") }
    defer { offset += n }
    return bytes[offset..<(offset + n)]
  }

  /// A tagged buffer of `count` values and whether it was stored as float16.
  mutating func tagged(_ count: Int) throws -> (values: [Float], half: Bool) {
    let flag = try take(4).withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
    switch flag {
    case 0x0130_6B47:
      let raw = try take((count * 2 + 3) / 4 * 4)
      let values = raw.withUnsafeBytes { p in (0..<count).map { Float(Float16(bitPattern: UInt16(littleEndian: p.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)))) } }
      return (values, true)
    case 0:
      return (try raw(count), false)
    case 0x000D_4B38: throw InferenceError("ncnn .bin: int8-quantised weights are not supported")
    default: throw InferenceError(String(format: "ncnn .bin: weight storage flag 0x%08x is not supported", flag))
    }
  }

  /// An untagged float32 buffer.
  mutating func raw(_ count: Int) throws -> [Float] {
    try take(count * 4).withUnsafeBytes { p in (0..<count).map { Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) } }
  }
}
