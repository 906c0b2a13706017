/// A value on the unpickler's stack. Containers are indices into the unpickler's arenas, so values
/// never nest in memory: no depth of nesting in a file can make building, copying or freeing recurse.
enum PickleValue {
  case none
  case bool(Bool)
  case int(Int)
  /// An integer wider than 64 bits; its value is not kept.
  case bigInt
  case float(Double)
  case string(String)
  /// A bytes object; only its length is kept.
  case bytes(Int)
  case tuple(Int)
  case list(Int)
  case dict(Int)
  case global(AllowedGlobal)
  case storage(Int)
  case tensor(Int)

  var kind: String {
    switch self {
    case .none: "None"
    case .bool: "bool"
    case .int, .bigInt: "int"
    case .float: "float"
    case .string: "str"
    case .bytes: "bytes"
    case .tuple: "tuple"
    case .list: "list"
    case .dict: "dict"
    case .global(let g): g.name
    case .storage: "storage"
    case .tensor: "tensor"
    }
  }
}

/// The only classes and functions a checkpoint may name (GLOBAL / STACK_GLOBAL). None is ever run:
/// the unpickler builds the equivalent value itself.
enum AllowedGlobal: Equatable {
  case orderedDict
  case rebuildTensorV2
  case rebuildParameter
  case rebuildParameterWithState
  case storageClass(ElementType)

  static func named(_ qualifiedName: String) -> AllowedGlobal? {
    switch qualifiedName {
    case "collections.OrderedDict": .orderedDict
    case "torch._utils._rebuild_tensor_v2": .rebuildTensorV2
    case "torch._utils._rebuild_parameter": .rebuildParameter
    case "torch._utils._rebuild_parameter_with_state": .rebuildParameterWithState
    case "torch.FloatStorage": .storageClass(.float32)
    case "torch.HalfStorage": .storageClass(.float16)
    case "torch.BFloat16Storage": .storageClass(.bfloat16)
    case "torch.DoubleStorage": .storageClass(.float64)
    case "torch.LongStorage": .storageClass(.int64)
    case "torch.IntStorage": .storageClass(.int32)
    case "torch.ShortStorage": .storageClass(.int16)
    case "torch.CharStorage": .storageClass(.int8)
    case "torch.ByteStorage": .storageClass(.uint8)
    case "torch.BoolStorage": .storageClass(.bool)
    default: nil
    }
  }

  var name: String {
    switch self {
    case .orderedDict: "collections.OrderedDict"
    case .rebuildTensorV2: "torch._utils._rebuild_tensor_v2"
    case .rebuildParameter: "torch._utils._rebuild_parameter"
    case .rebuildParameterWithState: "torch._utils._rebuild_parameter_with_state"
    case .storageClass(let t): "torch storage class (\(t.rawValue))"
    }
  }
}

/// A dict in the unpickler's arena: insertion-ordered pairs, string keys indexed.
struct PickleDict {
  var keys: [PickleValue] = []
  var values: [PickleValue] = []
  var stringKeys: [String: Int] = [:]

  mutating func set(_ key: PickleValue, _ value: PickleValue) {
    if case .string(let s) = key {
      if let i = stringKeys[s] { values[i] = value; return }
      stringKeys[s] = keys.count
    }
    keys.append(key)
    values.append(value)
  }

  subscript(key: String) -> PickleValue? { stringKeys[key].map { values[$0] } }
}

/// A storage named by a persistent id: `count` elements of `type` in the archive's data/<key>.
struct StorageReference {
  let key: String
  let type: ElementType
  let count: Int
}

/// A tensor built by _rebuild_tensor_v2: a validated view of a storage, not yet read.
struct TensorReference {
  let storage: Int
  let layout: StridedLayout
}
