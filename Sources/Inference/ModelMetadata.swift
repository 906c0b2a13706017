/// What a tool needs to know to run a generator, stored in the `.srg` header.
public struct ModelMetadata: Codable, Sendable, Equatable {
  public var name: String
  /// The generator family ("RRDBNet", "SRVGGNetCompact", "UpConv7", ...).
  public var architecture: String
  /// Output size = scale x input size.
  public var scale: Int
  /// Colour channels in and out (3 for RGB, 1 for grey).
  public var inputChannels: Int
  public var outputChannels: Int
  public var colourOrder: String = "RGB"
  /// Pixel values the network takes and gives: samples are mapped linearly from [0, 1] to this range.
  public var inputRange: [Float] = [0, 1]
  public var outputRange: [Float] = [0, 1]
  /// Input pixels of context a tile needs on each side for its centre to match a whole-image run.
  public var halo: Int
  /// Input pixels the network itself consumes on each side (unpadded convolutions): the input must
  /// be extended by this much for the output to cover the image.
  public var consumes: Int = 0
  /// Input sizes must be a multiple of this.
  public var sizeMultiple: Int = 1
  /// Whether the weights survive float16 storage without visible change.
  public var fp16Safe: Bool = true
  /// Constant planes appended after the colour channels (SRMD's degradation maps), one value each.
  public var extraInputPlanes: [Float] = []
  public var source: String = ""
  public var licence: String = ""

  public init(name: String, architecture: String, scale: Int, inputChannels: Int = 3, outputChannels: Int = 3, halo: Int) {
    (self.name, self.architecture, self.scale, self.inputChannels, self.outputChannels, self.halo) =
      (name, architecture, scale, inputChannels, outputChannels, halo)
  }

  /// Checks what the tools rely on: positive scale and channel counts, non-negative margins, and
  /// ranges of two finite, distinct values.
  func validate() throws {
    guard scale > 0, inputChannels > 0, outputChannels > 0, sizeMultiple > 0, halo >= 0, consumes >= 0 else {
      throw InferenceError("metadata: scale, channels and sizeMultiple must be positive, halo and consumes not negative")
    }
    for (name, r) in [("inputRange", inputRange), ("outputRange", outputRange)] {
      guard r.count == 2, r.allSatisfy(\.isFinite), r[0] != r[1] else { throw InferenceError("metadata: '\(name)' must be two distinct finite numbers") }
    }
    guard extraInputPlanes.allSatisfy(\.isFinite) else { throw InferenceError("metadata: 'extraInputPlanes' must be finite") }
  }
}
