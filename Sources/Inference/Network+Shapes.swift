/// Shape inference and cost, without running anything.
extension Network {
  public struct Shape: Equatable, Sendable {
    public var channels, height, width: Int
    public init(channels: Int, height: Int, width: Int) { (self.channels, self.height, self.width) = (channels, height, width) }
  }

  /// The output shape for an input shape, and the multiply-adds of a run; throws where an op cannot
  /// take the shapes it would receive.
  public func plan(_ input: Shape) throws -> (output: Shape, macs: Int) {
    var shapes = [Shape?](repeating: nil, count: valueCount)
    shapes[inputIndex] = input
    var macs = 0
    for step in steps {
      let x = step.inputs.map { shapes[$0]! }
      let s: Shape
      switch step.kernel {
      case .conv(let c):
        guard x[0].channels == c.inChannels else { throw InferenceError("conv2d expects \(c.inChannels) channels, gets \(x[0].channels)") }
        let (h, w) = c.outputSize(height: x[0].height, width: x[0].width)
        s = Shape(channels: c.outChannels, height: h, width: w)
        macs += max(h * w, 0) * c.macsPerOutputPixel
      case .deconv(let d):
        guard x[0].channels == d.inChannels else { throw InferenceError("conv_transpose2d expects \(d.inChannels) channels, gets \(x[0].channels)") }
        let (h, w) = d.outputSize(height: x[0].height, width: x[0].width)
        s = Shape(channels: d.outChannels, height: h, width: w)
        macs += x[0].height * x[0].width * d.macsPerInputPixel
      case .activation, .prelu, .affine: s = x[0]
      case .add, .multiply: s = x[0]
      case .concat: s = Shape(channels: x.reduce(0) { $0 + $1.channels }, height: x[0].height, width: x[0].width)
      case .pixelShuffle(let r): s = Shape(channels: x[0].channels / (r * r), height: x[0].height * r, width: x[0].width * r)
      case .pixelUnshuffle(let r): s = Shape(channels: x[0].channels * r * r, height: x[0].height / r, width: x[0].width / r)
      case .resize(_, let sy, let sx): s = Shape(channels: x[0].channels, height: Int(Float(x[0].height) * sy), width: Int(Float(x[0].width) * sx))
      case .crop(_, _, let size):
        let (h, w) = size ?? (x[1].height, x[1].width)
        s = Shape(channels: x[0].channels, height: h, width: w)
      case .globalAveragePool: s = Shape(channels: x[0].channels, height: 1, width: 1)
      case .pool(let p):
        s = Shape(channels: x[0].channels, height: (x[0].height + 2 * p.padding.h - p.kernel.h) / p.stride.h + 1,
                  width: (x[0].width + 2 * p.padding.w - p.kernel.w) / p.stride.w + 1)
      case .linear(let l):
        s = Shape(channels: l.outFeatures, height: 1, width: 1)
        macs += l.inFeatures * l.outFeatures
      }
      guard s.channels > 0, s.height > 0, s.width > 0 else { throw InferenceError("an operation's output would be empty for a \(input.height)x\(input.width) input") }
      shapes[step.output] = s
    }
    return (shapes[outputIndex]!, macs)
  }

  /// Weight values in the graph.
  public var parameterCount: Int {
    spec.tensors.values.reduce(0) { $0 + $1.shape.reduce(1, *) }
  }
}
