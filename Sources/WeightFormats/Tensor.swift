/// A dense tensor of `Float` values in row-major order, whatever type the file stored it with.
public struct Tensor: Equatable, Sendable {
  public var shape: [Int]
  public var values: [Float]
  /// The element type in the file the values were converted from.
  public var sourceType: ElementType

  public init(shape: [Int], values: [Float], sourceType: ElementType = .float32) {
    self.shape = shape
    self.values = values
    self.sourceType = sourceType
  }

  /// The number of elements (the product of `shape`; 1 for a scalar).
  public var count: Int { values.count }
}
