/// Reads a .safetensors file: a little-endian u64 header length, a JSON header
/// `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}`, then the data section,
/// which the offsets index. Offsets must lie inside the data section, match shape × element size,
/// and not overlap.
enum SafeTensors {
  static let maxHeader = 100_000_000

  static let dtypes: [String: ElementType] = [
    "F32": .float32, "F16": .float16, "BF16": .bfloat16, "F64": .float64,
    "I64": .int64, "I32": .int32, "I16": .int16, "I8": .int8, "U8": .uint8, "BOOL": .bool,
  ]

  /// Whether the bytes start like a safetensors file (a header length, then '{').
  static func sniff(_ view: ByteView) -> Bool {
    guard view.count >= 9, let first = try? view.bytes(8, 1, "header") else { return false }
    return first == [UInt8(ascii: "{")]
  }

  static func read(_ view: ByteView) throws -> [(String, Tensor)] {
    let declared = try view.u64(0, "safetensors header length")
    guard declared <= UInt64(view.count - 8) else {
      throw failure("safetensors header length \(declared) is larger than the file (\(view.count) bytes)")
    }
    guard declared < UInt64(maxHeader) else { throw failure("safetensors header length \(declared) exceeds the 100 MB limit") }
    let headerLength = Int(declared)
    let dataStart = 8 + headerLength
    let dataLength = view.count - dataStart

    guard case .object(let members) = try JSON.parse(try view.bytes(8, headerLength, "safetensors header")) else {
      throw failure("safetensors header is not a JSON object")
    }
    struct Slot { let name: String; let type: ElementType; let shape: [Int]; let begin: Int; let end: Int }
    var slots: [Slot] = []
    var seen = Set<String>()
    for (name, info) in members {
      guard seen.insert(name).inserted else { throw failure("safetensors header names tensor '\(name)' twice") }
      if name == "__metadata__" { continue }
      guard case .string(let dtypeName)? = info["dtype"], case .array(let shapeItems)? = info["shape"],
        case .array(let offsetItems)? = info["data_offsets"], offsetItems.count == 2
      else { throw failure("safetensors tensor '\(name)' lacks a dtype, shape or [begin, end] data_offsets") }
      guard let type = dtypes[dtypeName] else {
        throw failure("safetensors tensor '\(name)' has dtype \(dtypeName), which is not supported (supported: F32, F16, BF16, F64 and the integer types)")
      }
      var shape: [Int] = []
      for item in shapeItems {
        guard case .number(_, let integer?) = item, let d = Int(exactly: integer) else {
          throw failure("safetensors tensor '\(name)' has a shape entry that is not a non-negative integer")
        }
        shape.append(d)
      }
      guard case .number(_, let b?) = offsetItems[0], case .number(_, let e?) = offsetItems[1], b <= e, e <= UInt64(dataLength) else {
        throw failure("safetensors tensor '\(name)' has data_offsets outside the data section of \(dataLength) bytes")
      }
      let begin = Int(b)
      let end = Int(e)
      guard let count = checkedProduct(shape) else { throw failure("safetensors tensor '\(name)' has a shape \(shape) too large to address") }
      let (bytes, overflow) = count.multipliedReportingOverflow(by: type.byteSize)
      guard !overflow, bytes == end - begin else {
        throw failure("safetensors tensor '\(name)' has shape \(shape) of \(dtypeName) but \(end - begin) bytes of data")
      }
      slots.append(Slot(name: name, type: type, shape: shape, begin: begin, end: end))
    }
    let byBegin = slots.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
    for (a, b) in zip(byBegin, byBegin.dropFirst()) where b.begin < a.end {
      throw failure("safetensors tensors '\(a.name)' and '\(b.name)' overlap in the data section")
    }

    return try slots.map { slot in
      let count = (slot.end - slot.begin) / slot.type.byteSize
      let layout = try StridedLayout(contiguous: slot.shape, storageCount: count)
      let values = try view.withBytes(dataStart + slot.begin, slot.end - slot.begin, "data of tensor '\(slot.name)'") { raw in
        layout.gather(elementLoader(slot.type, raw))
      }
      return (slot.name, Tensor(shape: slot.shape, values: values, sourceType: slot.type))
    }
  }
}
