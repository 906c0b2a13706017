/// A float32 feature map in CHW layout (one image: the batch dimension is always 1).
public struct Tensor: Sendable, Equatable {
  public var channels: Int
  public var height: Int
  public var width: Int
  public var data: [Float]

  public init(channels: Int, height: Int, width: Int, data: [Float]) {
    precondition(data.count == channels * height * width, "tensor data does not match its shape")
    (self.channels, self.height, self.width, self.data) = (channels, height, width, data)
  }

  public init(channels: Int, height: Int, width: Int, repeating value: Float = 0) {
    self.init(channels: channels, height: height, width: width, data: [Float](repeating: value, count: channels * height * width))
  }

  /// A tensor for an op that writes every element before anything reads it: no zero-filling pass.
  init(uninitializedChannels channels: Int, height: Int, width: Int) {
    let n = channels * height * width
    self.init(channels: channels, height: height, width: width, data: [Float](unsafeUninitializedCapacity: n) { $1 = n })
  }

  public var plane: Int { height * width }
  public var count: Int { data.count }
  public var shape: [Int] { [channels, height, width] }

  public subscript(c: Int, y: Int, x: Int) -> Float {
    get { data[(c * height + y) * width + x] }
    set { data[(c * height + y) * width + x] = newValue }
  }
}

/// Failures while loading or running a network.
public struct InferenceError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}
