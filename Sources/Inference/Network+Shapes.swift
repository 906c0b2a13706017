/// Shape inference and cost, without running anything.
extension Network {
  public struct Shape: Equatable, Sendable {
    public var channels, height, width: Int
    public init(channels: Int, height: Int, width: Int) { (self.channels, self.height, self.width) = (channels, height, width) }
  }

  /// The output shape for an input shape, the multiply-adds of a run and the elements of the largest
  /// value; throws where an op cannot take the shapes it would receive.
  public func plan(_ input: Shape) throws -> (output: Shape, macs: Int, largest: Int) {
    let (shapes, macs) = try self.shapes(input)
    let largest = shapes.compactMap { $0.map { $0.channels * $0.height * $0.width } }.max() ?? 0
    return (shapes[outputIndex]!, macs, largest)
  }

  /// `plan` for a `side` x `side` image as the tools feed it: colour plus the constant planes, extended
  /// by what the network consumes, so the output covers `side` x `side` input pixels.
  public func plan(side: Int) throws -> (output: Shape, macs: Int, largest: Int) {
    let m = metadata
    return try plan(.init(channels: m.inputChannels + m.extraInputPlanes.count, height: side + 2 * m.consumes, width: side + 2 * m.consumes))
  }

  /// Values with more elements than this are refused: their size arithmetic (and the next op's)
  /// stays far from overflow.
  static let maximumValueElements = 1 << 40

  /// The shape of every value (nil: not computed) and the multiply-adds of a run.
  func shapes(_ input: Shape) throws -> (shapes: [Shape?], macs: Int) {
    var shapes = [Shape?](repeating: nil, count: valueCount)
    func check(_ s: Shape) throws {
      guard s.channels > 0, s.height > 0, s.width > 0 else { throw InferenceError("an operation's output would be empty for a \(input.height)x\(input.width) input") }
      let (hw, o1) = s.height.multipliedReportingOverflow(by: s.width), (chw, o2) = hw.multipliedReportingOverflow(by: s.channels)
      guard !o1, !o2, chw <= Network.maximumValueElements else {
        throw InferenceError("a value of \(s.channels)x\(s.height)x\(s.width) for a \(input.height)x\(input.width) input is too large")
      }
    }
    try check(input)
    shapes[inputIndex] = input
    var macs = 0
    func count(_ a: Int, _ b: Int) throws {
      let (m, o1) = a.multipliedReportingOverflow(by: b), (sum, o2) = macs.addingReportingOverflow(m)
      guard !o1, !o2 else { throw InferenceError("the work for a \(input.height)x\(input.width) input is too large to count") }
      macs = sum
    }
    for step in steps {
      let x = step.inputs.map { shapes[$0]! }
      let s: Shape
      switch step.kernel {
      case .conv(let c):
        try c.checkSources(x.map { ($0.channels, $0.height, $0.width) })
        let (h, w) = c.outputSize(height: x[0].height, width: x[0].width)
        s = Shape(channels: c.outChannels, height: h, width: w)
        try count(max(h, 0) * max(w, 0), c.macsPerOutputPixel)
      case .deconv(let d):
        guard x[0].channels == d.inChannels else { throw InferenceError("conv_transpose2d expects \(d.inChannels) channels, gets \(x[0].channels)") }
        let (h, w) = d.outputSize(height: x[0].height, width: x[0].width)
        s = Shape(channels: d.outChannels, height: h, width: w)
        try count(x[0].height * x[0].width, d.macsPerInputPixel)
      case .activation, .prelu, .affine: s = x[0]
      case .add, .multiply: s = x[0]
      case .concat: s = Shape(channels: x.reduce(0) { $0 + $1.channels }, height: x[0].height, width: x[0].width)
      case .pixelShuffle(let r): s = Shape(channels: x[0].channels / (r * r), height: x[0].height * r, width: x[0].width * r)
      case .pixelUnshuffle(let r): s = Shape(channels: x[0].channels * r * r, height: x[0].height / r, width: x[0].width / r)
      case .resize(_, let sy, let sx): s = Shape(channels: x[0].channels, height: Int(Float(x[0].height) * sy), width: Int(Float(x[0].width) * sx))
      case .crop(let top, let left, let size):
        let (h, w) = size ?? (x[1].height, x[1].width)
        guard top <= x[0].height - h, left <= x[0].width - w else {
          throw InferenceError("crop: window \(h)x\(w) at (\(top), \(left)) exceeds \(x[0].height)x\(x[0].width)")
        }
        s = Shape(channels: x[0].channels, height: h, width: w)
      case .globalAveragePool: s = Shape(channels: x[0].channels, height: 1, width: 1)
      case .pool(let p):
        let (h, w) = p.outputSize(height: x[0].height, width: x[0].width)
        s = Shape(channels: x[0].channels, height: h, width: w)
      case .linear(let l):
        s = Shape(channels: l.outFeatures, height: 1, width: 1)
        try count(l.inFeatures, l.outFeatures)
      case .pad(let p):
        if p.mode == .reflect, max(p.top, p.bottom) >= x[0].height || max(p.left, p.right) >= x[0].width {
          throw InferenceError("pad: reflecting needs a map larger than \(x[0].height)x\(x[0].width)")
        }
        s = Shape(channels: x[0].channels, height: x[0].height + p.top + p.bottom, width: x[0].width + p.left + p.right)
      case .selfAttention(let a):
        guard x[0].channels == a.channels else { throw InferenceError("self_attention expects \(a.channels) channels, gets \(x[0].channels)") }
        s = x[0]
        let n = x[0].height * x[0].width
        try count(n, (2 * a.keyChannels + a.channels) * a.channels)
        let (pairs, overflow) = n.multipliedReportingOverflow(by: n)
        guard !overflow else { throw InferenceError("self-attention over \(n) positions is too large to count") }
        try count(pairs, a.keyChannels + a.channels)
      }
      try check(s)
      shapes[step.output] = s
    }
    return (shapes, macs)
  }

  /// Weight values in the graph.
  public var parameterCount: Int {
    spec.tensors.values.reduce(0) { $0 + $1.shape.reduce(1, *) }
  }
}

extension Network {
  /// How far, in input pixels, an output pixel can see: the context a tile needs for its centre to
  /// equal a whole-image run. Infinite when the graph pools over the whole image.
  public var receptiveRadius: Double {
    var scale = [Double](repeating: 1, count: valueCount)  // samples per input pixel
    var radius = [Double](repeating: 0, count: valueCount)
    for step in steps {
      let s = step.inputs.map { scale[$0] }.max() ?? 1, r = step.inputs.map { radius[$0] }.max() ?? 0
      var (so, ro) = (s, r)
      switch step.kernel {
      case .conv(let c):
        ro = r + Double(max(c.kernel.h, c.kernel.w) / 2 * max(c.dilation.h, c.dilation.w)) / s
        so = s / Double(max(c.stride.h, c.stride.w))
      case .deconv(let d):
        so = s * Double(max(d.stride.h, d.stride.w))
        ro = r + Double(max(d.kernel.h, d.kernel.w) / 2) / so
      case .pixelShuffle(let f): so = s * Double(f)
      case .pixelUnshuffle(let f): so = s / Double(f); ro = r + Double(f - 1) / s
      case .resize(let mode, let sy, let sx):
        so = s * Double(max(sy, sx))
        ro = r + Double(mode == .bicubic ? 2 : mode == .bilinear ? 1 : 0) / min(so, s)
      case .pool(let p):
        ro = r + Double(max(p.kernel.h, p.kernel.w) / 2) / s
        so = s / Double(max(p.stride.h, p.stride.w))
      case .pad(let p): ro = r + Double(max(p.top, p.left, p.bottom, p.right)) / s
      case .globalAveragePool, .linear, .selfAttention: ro = .infinity
      default: break
      }
      scale[step.output] = so
      radius[step.output] = ro
    }
    return radius[outputIndex]
  }
}
