/// A small JSON parser for safetensors headers: objects keep their key order and duplicate keys,
/// integers are read exactly, and nesting is capped so parsing and freeing never recurse deeply.
enum JSON {
  case object([(String, JSON)])
  case array([JSON])
  case string(String)
  /// A number: `integer` is set when the text is a non-negative integer that fits in 64 bits.
  case number(Double, integer: UInt64?)
  case bool(Bool)
  case null

  static let maxDepth = 16

  static func parse(_ bytes: [UInt8]) throws -> JSON {
    var parser = Parser(bytes: bytes)
    let value = try parser.value(depth: 0)
    parser.skipSpace()
    guard parser.position == bytes.count else { throw parser.error("unexpected text after the JSON value") }
    return value
  }

  subscript(key: String) -> JSON? {
    if case .object(let members) = self { return members.first { $0.0 == key }?.1 }
    return nil
  }

  private struct Parser {
    let bytes: [UInt8]
    var position = 0

    func error(_ message: String) -> WeightFileError { failure("JSON header: \(message) at byte \(position)") }

    mutating func skipSpace() {
      while position < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[position]) { position += 1 }
    }

    mutating func expect(_ literal: String, _ value: JSON) throws -> JSON {
      let l = Array(literal.utf8)
      guard l.count <= bytes.count - position, Array(bytes[position..<position + l.count]) == l else { throw error("invalid literal") }
      position += l.count
      return value
    }

    mutating func value(depth: Int) throws -> JSON {
      guard depth < JSON.maxDepth else { throw error("nesting deeper than \(JSON.maxDepth)") }
      skipSpace()
      guard position < bytes.count else { throw error("unexpected end") }
      switch bytes[position] {
      case UInt8(ascii: "{"):
        position += 1
        var members: [(String, JSON)] = []
        skipSpace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
          skipSpace()
          let key = try string()
          skipSpace()
          guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':'") }
          position += 1
          members.append((key, try value(depth: depth + 1)))
          skipSpace()
          guard position < bytes.count else { throw error("unterminated object") }
          if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
          if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
          throw error("expected ',' or '}'")
        }
      case UInt8(ascii: "["):
        position += 1
        var items: [JSON] = []
        skipSpace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
        while true {
          items.append(try value(depth: depth + 1))
          skipSpace()
          guard position < bytes.count else { throw error("unterminated array") }
          if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
          if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
          throw error("expected ',' or ']'")
        }
      case UInt8(ascii: "\""): return .string(try string())
      case UInt8(ascii: "t"): return try expect("true", .bool(true))
      case UInt8(ascii: "f"): return try expect("false", .bool(false))
      case UInt8(ascii: "n"): return try expect("null", .null)
      default: return try number()
      }
    }

    mutating func number() throws -> JSON {
      let start = position
      let allowed = Set("+-0123456789.eE".utf8)
      while position < bytes.count, allowed.contains(bytes[position]) { position += 1 }
      let text = String(decoding: bytes[start..<position], as: UTF8.self)
      guard !text.isEmpty, let double = Double(text) else { throw error("invalid number '\(text.prefix(32))'") }
      let integer = text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } ? UInt64(text) : nil
      return .number(double, integer: integer)
    }

    mutating func hex4() throws -> UInt32 {
      guard 4 <= bytes.count - position, let v = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16) else {
        throw error("invalid \\u escape")
      }
      position += 4
      return v
    }

    mutating func string() throws -> String {
      guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a string") }
      position += 1
      var out: [UInt8] = []
      while true {
        guard position < bytes.count else { throw error("unterminated string") }
        let b = bytes[position]
        position += 1
        if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
        guard b >= 0x20 else { throw error("control character in a string") }
        guard b == UInt8(ascii: "\\") else { out.append(b); continue }
        guard position < bytes.count else { throw error("unterminated escape") }
        let e = bytes[position]
        position += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0c)
        case UInt8(ascii: "n"): out.append(0x0a)
        case UInt8(ascii: "r"): out.append(0x0d)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
          var scalar = try hex4()
          if (0xd800..<0xdc00).contains(scalar), position + 1 < bytes.count,
            bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
          {
            position += 2
            let low = try hex4()
            guard (0xdc00..<0xe000).contains(low) else { throw error("invalid surrogate pair") }
            scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
          }
          let s = Unicode.Scalar(scalar) ?? "\u{fffd}"
          out.append(contentsOf: Array(String(Character(s)).utf8))
        default: throw error("invalid escape")
        }
      }
    }
  }
}
