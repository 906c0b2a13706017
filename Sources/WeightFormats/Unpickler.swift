/// An unpickler for the protocol-2 pickles torch.save writes (later protocols' framing opcodes are
/// accepted too). It never imports or calls anything: GLOBAL and STACK_GLOBAL may only name
/// `AllowedGlobal`s, whose effect (an OrderedDict, a tensor view) is built here. Stack, mark stack and
/// memo are capped, and every length is checked against the bytes that remain.
final class Unpickler {
  static let maxStack = 1 << 20
  static let maxMarks = 1 << 16
  static let maxMemo = 1 << 20
  static let maxGlobalLine = 256

  private(set) var tuples: [[PickleValue]] = []
  private(set) var lists: [[PickleValue]] = []
  private(set) var dicts: [PickleDict] = []
  private(set) var storages: [StorageReference] = []
  private(set) var tensors: [TensorReference] = []

  private let bytes: [UInt8]
  private var position = 0
  private var stack: [PickleValue] = []
  private var marks: [Int] = []
  private var memo: [UInt32: PickleValue] = [:]
  /// Checks a persistent id's storage against the archive (present, large enough).
  private let checkStorage: (StorageReference) throws -> Void

  init(_ bytes: [UInt8], checkStorage: @escaping (StorageReference) throws -> Void) {
    self.bytes = bytes
    self.checkStorage = checkStorage
  }

  // MARK: Reading operands

  private func take(_ n: Int, _ opcode: UInt8) throws -> ArraySlice<UInt8> {
    guard n >= 0, n <= bytes.count - position else {
      throw failure("pickle opcode \(Self.describe(opcode)) at offset \(position) needs \(n) bytes but the pickle ends (truncated)")
    }
    defer { position += n }
    return bytes[position..<position + n]
  }

  private func uint(_ n: Int, _ opcode: UInt8) throws -> UInt64 {
    var v: UInt64 = 0
    for (i, b) in try take(n, opcode).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
    return v
  }

  private func length(_ n: Int, _ opcode: UInt8) throws -> Int {
    let v = try uint(n, opcode)
    guard let l = Int(exactly: v), l <= bytes.count - position else {
      throw failure("pickle opcode \(Self.describe(opcode)) at offset \(position) gives length \(v), more than the \(bytes.count - position) bytes left")
    }
    return l
  }

  private func line(_ opcode: UInt8) throws -> String {
    var end = position
    while end < bytes.count, bytes[end] != 0x0a {
      end += 1
      guard end - position <= Self.maxGlobalLine else { throw failure("pickle opcode \(Self.describe(opcode)) names an overlong module or attribute") }
    }
    guard end < bytes.count else { throw failure("pickle opcode \(Self.describe(opcode)) is truncated") }
    defer { position = end + 1 }
    return String(decoding: bytes[position..<end], as: UTF8.self)
  }

  // MARK: Stack

  private func push(_ v: PickleValue) throws {
    guard stack.count < Self.maxStack else { throw failure("pickle stack exceeds \(Self.maxStack) items") }
    stack.append(v)
  }

  /// Pops one value; values below the innermost mark are out of reach, as in Python.
  private func pop(_ opcode: UInt8) throws -> PickleValue {
    guard stack.count > (marks.last ?? 0) else { throw failure("pickle opcode \(Self.describe(opcode)) pops an empty stack") }
    return stack.removeLast()
  }

  private func top(_ opcode: UInt8) throws -> PickleValue {
    guard stack.count > (marks.last ?? 0), let v = stack.last else { throw failure("pickle opcode \(Self.describe(opcode)) needs a value on an empty stack") }
    return v
  }

  private func popMark(_ opcode: UInt8) throws -> [PickleValue] {
    guard let mark = marks.popLast() else { throw failure("pickle opcode \(Self.describe(opcode)) has no MARK") }
    let items = Array(stack[mark...])
    stack.removeSubrange(mark...)
    return items
  }

  private func newTuple(_ items: [PickleValue]) -> PickleValue {
    tuples.append(items)
    return .tuple(tuples.count - 1)
  }

  private func newDict() -> PickleValue {
    dicts.append(PickleDict())
    return .dict(dicts.count - 1)
  }

  private func memoize(_ index: UInt64, _ opcode: UInt8) throws {
    let value = try top(opcode)
    guard let key = UInt32(exactly: index) else { throw failure("pickle memo index \(index) is out of range") }
    guard memo[key] != nil || memo.count < Self.maxMemo else { throw failure("pickle memo exceeds \(Self.maxMemo) entries") }
    memo[key] = value
  }

  private func recall(_ index: UInt64, _ opcode: UInt8) throws {
    guard let key = UInt32(exactly: index), let value = memo[key] else {
      throw failure("pickle opcode \(Self.describe(opcode)) recalls memo entry \(index), which was never stored")
    }
    try push(value)
  }

  // MARK: Running

  /// Runs the pickle to its STOP and returns the value it leaves.
  func run() throws -> PickleValue {
    while true {
      guard position < bytes.count else { throw failure("pickle ends without a STOP opcode (truncated)") }
      let opcode = bytes[position]
      let at = position
      position += 1
      switch opcode {
      case 0x80:  // PROTO
        let version = try uint(1, opcode)
        guard version <= 5 else { throw failure("pickle protocol \(version) is not supported") }
      case 0x95: _ = try uint(8, opcode)  // FRAME: a length hint only
      case 0x2e: return try pop(opcode)  // STOP
      case 0x28:  // MARK
        guard marks.count < Self.maxMarks else { throw failure("pickle nests more than \(Self.maxMarks) MARKs") }
        marks.append(stack.count)
      case 0x30: _ = try pop(opcode)  // POP
      case 0x31: _ = try popMark(opcode)  // POP_MARK
      case 0x32: try push(try top(opcode))  // DUP

      case 0x4e: try push(.none)  // NONE
      case 0x88: try push(.bool(true))  // NEWTRUE
      case 0x89: try push(.bool(false))  // NEWFALSE
      case 0x4a: try push(.int(Int(Int32(truncatingIfNeeded: try uint(4, opcode)))))  // BININT
      case 0x4b: try push(.int(Int(try uint(1, opcode))))  // BININT1
      case 0x4d: try push(.int(Int(try uint(2, opcode))))  // BININT2
      case 0x8a, 0x8b:  // LONG1, LONG4: little-endian two's complement
        let n = try length(opcode == 0x8a ? 1 : 4, opcode)
        let digits = try take(n, opcode)
        if n == 0 {
          try push(.int(0))
        } else if n <= 8 {
          var v: UInt64 = 0
          for (i, b) in digits.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
          let shift = UInt64(64 - 8 * n)
          try push(.int(Int(Int64(bitPattern: v << shift) >> shift)))
        } else {
          try push(.bigInt)
        }
      case 0x47:  // BINFLOAT, big-endian
        var v: UInt64 = 0
        for b in try take(8, opcode) { v = v << 8 | UInt64(b) }
        try push(.float(Double(bitPattern: v)))

      case 0x58, 0x8c, 0x8d, 0x55, 0x54:  // BINUNICODE, SHORT_BINUNICODE, BINUNICODE8, SHORT_BINSTRING, BINSTRING
        let width = [0x58: 4, 0x8c: 1, 0x8d: 8, 0x55: 1, 0x54: 4][Int(opcode)] ?? 4
        let n = try length(width, opcode)
        try push(.string(String(decoding: try take(n, opcode), as: UTF8.self)))
      case 0x43, 0x42, 0x8e:  // SHORT_BINBYTES, BINBYTES, BINBYTES8
        let n = try length(opcode == 0x43 ? 1 : opcode == 0x42 ? 4 : 8, opcode)
        _ = try take(n, opcode)
        try push(.bytes(n))

      case 0x29: try push(newTuple([]))  // EMPTY_TUPLE
      case 0x74: try push(newTuple(try popMark(opcode)))  // TUPLE
      case 0x85, 0x86, 0x87:  // TUPLE1, TUPLE2, TUPLE3
        var items: [PickleValue] = []
        for _ in 0..<Int(opcode - 0x84) { items.append(try pop(opcode)) }
        try push(newTuple(items.reversed()))
      case 0x5d:  // EMPTY_LIST
        lists.append([])
        try push(.list(lists.count - 1))
      case 0x6c:  // LIST
        lists.append(try popMark(opcode))
        try push(.list(lists.count - 1))
      case 0x61, 0x65:  // APPEND, APPENDS
        let items = opcode == 0x61 ? [try pop(opcode)] : try popMark(opcode)
        guard case .list(let l) = try top(opcode) else {
          throw failure("pickle opcode \(Self.describe(opcode)) at offset \(at) appends to a \(try top(opcode).kind), not a list")
        }
        lists[l].append(contentsOf: items)
      case 0x7d: try push(newDict())  // EMPTY_DICT
      case 0x64:  // DICT
        let items = try popMark(opcode)
        let dict = newDict()
        try setItems(items, into: dict, opcode, at)
        try push(dict)
      case 0x73:  // SETITEM
        let value = try pop(opcode)
        let key = try pop(opcode)
        try setItems([key, value], into: try top(opcode), opcode, at)
      case 0x75:  // SETITEMS
        let items = try popMark(opcode)
        try setItems(items, into: try top(opcode), opcode, at)

      case 0x71: try memoize(try uint(1, opcode), opcode)  // BINPUT
      case 0x72: try memoize(try uint(4, opcode), opcode)  // LONG_BINPUT
      case 0x94: try memoize(UInt64(memo.count), opcode)  // MEMOIZE
      case 0x68: try recall(try uint(1, opcode), opcode)  // BINGET
      case 0x6a: try recall(try uint(4, opcode), opcode)  // LONG_BINGET

      case 0x63:  // GLOBAL
        let module = try line(opcode)
        let name = try line(opcode)
        try push(.global(try allowed(module, name, opcode)))
      case 0x93:  // STACK_GLOBAL
        let name = try pop(opcode)
        let module = try pop(opcode)
        guard case .string(let n) = name, case .string(let m) = module else {
          throw failure("pickle opcode \(Self.describe(opcode)) at offset \(at) needs two strings")
        }
        try push(.global(try allowed(m, n, opcode)))
      case 0x52:  // REDUCE
        let args = try pop(opcode)
        let callable = try pop(opcode)
        try push(try call(callable, args, opcode, at))
      case 0x81:  // NEWOBJ: cls.__new__(cls, *args)
        let args = try pop(opcode)
        let cls = try pop(opcode)
        guard case .global(.orderedDict) = cls else {
          throw failure("pickle opcode \(Self.describe(opcode)) at offset \(at) instantiates \(cls.kind), which is not an allowed class")
        }
        _ = args
        try push(newDict())
      case 0x62:  // BUILD: an OrderedDict's attributes (state_dict()._metadata) or a tensor's; both are dropped
        _ = try pop(opcode)
        switch try top(opcode) {
        case .dict, .tensor: break
        case let other: throw failure("pickle opcode \(Self.describe(opcode)) at offset \(at) sets the state of a \(other.kind)")
        }
      case 0x51:  // BINPERSID
        try push(try persistentLoad(try pop(opcode), at))

      default:
        throw failure("pickle opcode \(Self.describe(opcode)) at offset \(at) is not supported in a weight file")
      }
    }
  }

  private func setItems(_ items: [PickleValue], into target: PickleValue, _ opcode: UInt8, _ at: Int) throws {
    guard case .dict(let d) = target else {
      throw failure("pickle opcode \(Self.describe(opcode)) at offset \(at) sets items of a \(target.kind), not a dict")
    }
    guard items.count % 2 == 0 else { throw failure("pickle opcode \(Self.describe(opcode)) at offset \(at) has a key without a value") }
    for i in stride(from: 0, to: items.count, by: 2) { dicts[d].set(items[i], items[i + 1]) }
  }

  private func allowed(_ module: String, _ name: String, _ opcode: UInt8) throws -> AllowedGlobal {
    let qualified = "\(module).\(name)"
    guard let global = AllowedGlobal.named(qualified) else {
      throw failure("pickle opcode \(Self.describe(opcode)) names '\(qualified)', which is not an allowed tensor constructor")
    }
    return global
  }

  // MARK: Allowed calls

  private func tupleItems(_ v: PickleValue) -> [PickleValue]? {
    if case .tuple(let t) = v { return tuples[t] }
    return nil
  }

  private func ints(_ v: PickleValue) -> [Int]? {
    guard let items = tupleItems(v) ?? { if case .list(let l) = v { lists[l] } else { nil } }() else { return nil }
    var out: [Int] = []
    for item in items {
      guard case .int(let i) = item else { return nil }
      out.append(i)
    }
    return out
  }

  private func call(_ callable: PickleValue, _ argsValue: PickleValue, _ opcode: UInt8, _ at: Int) throws -> PickleValue {
    guard case .global(let function) = callable else {
      throw failure("pickle opcode \(Self.describe(opcode)) at offset \(at) calls a \(callable.kind)")
    }
    guard let args = tupleItems(argsValue) else {
      throw failure("pickle opcode \(Self.describe(opcode)) at offset \(at) calls \(function.name) with a \(argsValue.kind) instead of an argument tuple")
    }
    switch function {
    case .orderedDict:
      guard args.isEmpty else { throw failure("collections.OrderedDict is called with arguments at pickle offset \(at)") }
      return newDict()
    case .rebuildTensorV2:
      // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
      guard args.count == 6 || args.count == 7, case .storage(let s) = args[0], case .int(let offset) = args[1],
        let size = ints(args[2]), let stride = ints(args[3])
      else {
        throw failure("torch._utils._rebuild_tensor_v2 at pickle offset \(at) has arguments (\(args.map(\.kind).joined(separator: ", "))), not (storage, offset, size, stride, ...)")
      }
      let layout = try StridedLayout(shape: size, strides: stride, offset: offset, storageCount: storages[s].count)
      tensors.append(TensorReference(storage: s, layout: layout))
      return .tensor(tensors.count - 1)
    case .rebuildParameter, .rebuildParameterWithState:
      guard args.count >= 1, case .tensor = args[0] else {
        throw failure("\(function.name) at pickle offset \(at) is not given a tensor")
      }
      return args[0]
    case .storageClass:
      throw failure("pickle at offset \(at) calls a storage class, which a torch checkpoint never does")
    }
  }

  /// ('storage', storage_type, key, location, numel): a storage whose bytes are data/<key> in the archive.
  private func persistentLoad(_ pid: PickleValue, _ at: Int) throws -> PickleValue {
    guard let items = tupleItems(pid), items.count == 5, case .string("storage") = items[0],
      case .global(.storageClass(let type)) = items[1], case .string(let key) = items[2], case .int(let count) = items[4],
      count >= 0
    else {
      throw failure("persistent id at pickle offset \(at) is not ('storage', <torch storage class>, key, location, numel)")
    }
    let storage = StorageReference(key: key, type: type, count: count)
    try checkStorage(storage)
    storages.append(storage)
    return .storage(storages.count - 1)
  }

  // MARK: Naming opcodes in errors

  static let opcodeNames: [UInt8: String] = [
    0x80: "PROTO", 0x95: "FRAME", 0x2e: "STOP", 0x28: "MARK", 0x30: "POP", 0x31: "POP_MARK", 0x32: "DUP",
    0x4e: "NONE", 0x88: "NEWTRUE", 0x89: "NEWFALSE", 0x4a: "BININT", 0x4b: "BININT1", 0x4d: "BININT2",
    0x8a: "LONG1", 0x8b: "LONG4", 0x47: "BINFLOAT", 0x58: "BINUNICODE", 0x8c: "SHORT_BINUNICODE",
    0x8d: "BINUNICODE8", 0x55: "SHORT_BINSTRING", 0x54: "BINSTRING", 0x43: "SHORT_BINBYTES", 0x42: "BINBYTES",
    0x8e: "BINBYTES8", 0x29: "EMPTY_TUPLE", 0x74: "TUPLE", 0x85: "TUPLE1", 0x86: "TUPLE2", 0x87: "TUPLE3",
    0x5d: "EMPTY_LIST", 0x6c: "LIST", 0x61: "APPEND", 0x65: "APPENDS", 0x7d: "EMPTY_DICT", 0x64: "DICT",
    0x73: "SETITEM", 0x75: "SETITEMS", 0x71: "BINPUT", 0x72: "LONG_BINPUT", 0x94: "MEMOIZE", 0x68: "BINGET",
    0x6a: "LONG_BINGET", 0x63: "GLOBAL", 0x93: "STACK_GLOBAL", 0x52: "REDUCE", 0x81: "NEWOBJ", 0x62: "BUILD",
    0x51: "BINPERSID", 0x50: "PERSID", 0x69: "INST", 0x6f: "OBJ", 0x92: "NEWOBJ_EX", 0x82: "EXT1",
    0x83: "EXT2", 0x84: "EXT4", 0x49: "INT", 0x4c: "LONG", 0x46: "FLOAT", 0x53: "STRING", 0x56: "UNICODE",
    0x8f: "EMPTY_SET", 0x90: "ADDITEMS", 0x91: "FROZENSET",
    0x96: "BYTEARRAY8", 0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER", 0x67: "GET", 0x70: "PUT",
  ]

  static func describe(_ opcode: UInt8) -> String {
    let hex = "0x" + (opcode < 16 ? "0" : "") + String(opcode, radix: 16)
    return opcodeNames[opcode].map { "\(hex) (\($0))" } ?? hex
  }
}
