/// The graph as stored: ordered nodes over named values, weights by tensor name. Every attribute a
/// node may carry is optional here; `Network` checks that each op gets what it needs.
public struct NodeSpec: Codable, Sendable, Equatable {
  public var op: String
  public var inputs: [String]
  public var output: String
  public var kernel: [Int]?
  public var stride: [Int]?
  /// top, left, bottom, right
  public var padding: [Int]?
  public var dilation: [Int]?
  public var groups: Int?
  public var outputPadding: [Int]?
  public var activation: ActivationSpec?
  public var coefficients: [Float]?
  public var factor: Int?
  public var mode: String?
  /// y, x scale factors (resize)
  public var scales: [Float]?
  /// top, left (crop)
  public var offset: [Int]?
  /// height, width (crop); absent: the size of the second input
  public var size: [Int]?
  public var countIncludePad: Bool?
  public var value: [Float]?
  /// role ("weight", "bias", "slope") -> tensor name
  public var weights: [String: String]?

  public init(op: String, inputs: [String], output: String) { (self.op, self.inputs, self.output) = (op, inputs, output) }
}

/// An activation as stored: `{"kind": "leaky_relu", "slope": 0.2}`.
public struct ActivationSpec: Codable, Sendable, Equatable {
  public var kind: String
  public var slope: Float?
  public var min: Float?
  public var max: Float?

  public init(_ a: Activation) {
    switch a {
    case .none: kind = "none"
    case .relu: kind = "relu"
    case .leakyReLU(let s): kind = "leaky_relu"; slope = s
    case .sigmoid: kind = "sigmoid"
    case .tanh: kind = "tanh"
    case .clamp(let lo, let hi): kind = "clamp"; min = lo; max = hi
    }
  }

  func activation() throws -> Activation {
    switch kind {
    case "none": return .none
    case "relu": return .relu
    case "leaky_relu": return .leakyReLU(slope: slope ?? 0.01)
    case "sigmoid": return .sigmoid
    case "tanh": return .tanh
    case "clamp": return .clamp(min: min ?? -.infinity, max: max ?? .infinity)
    default: throw InferenceError("unknown activation '\(kind)'")
    }
  }
}

/// The whole header of a `.srg` file.
public struct GraphSpec: Codable, Sendable, Equatable {
  public var metadata: ModelMetadata
  public var inputs: [String]
  public var outputs: [String]
  public var nodes: [NodeSpec]
  public var tensors: [String: TensorEntry]

  public init(metadata: ModelMetadata, inputs: [String], outputs: [String], nodes: [NodeSpec], tensors: [String: TensorEntry] = [:]) {
    (self.metadata, self.inputs, self.outputs, self.nodes, self.tensors) = (metadata, inputs, outputs, nodes, tensors)
  }
}

/// Where a weight tensor's data lies in the file's data section.
public struct TensorEntry: Codable, Sendable, Equatable {
  public enum DType: String, Codable, Sendable { case f32, f16 }
  public var dtype: DType
  public var shape: [Int]
  /// Byte offset from the start of the data section (a multiple of 64).
  public var offset: Int
  /// Bytes (elements x dtype size).
  public var length: Int
}
