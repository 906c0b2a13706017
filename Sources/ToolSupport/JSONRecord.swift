import Foundation

/// One JSON Lines record, with keys in the order they were added.
public struct JSONRecord: Sendable {
  public enum Value: Sendable {
    case string(String), int(Int), double(Double), bool(Bool), null
  }

  private var fields: [(String, Value)] = []
  public init() {}

  public subscript(key: String) -> Value? {
    get { fields.first { $0.0 == key }?.1 }
    set {
      fields.removeAll { $0.0 == key }
      if let newValue { fields.append((key, newValue)) }
    }
  }

  public var line: String {
    "{" + fields.map { "\(JSONRecord.quote($0.0)):\(JSONRecord.encode($0.1))" }.joined(separator: ",") + "}"
  }

  static func encode(_ v: Value) -> String {
    switch v {
    case .string(let s): quote(s)
    case .int(let i): String(i)
    case .double(let d): d.isFinite ? String(d) : "null"
    case .bool(let b): b ? "true" : "false"
    case .null: "null"
    }
  }

  static func quote(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
      default: out.unicodeScalars.append(u)
      }
    }
    return out + "\""
  }
}
