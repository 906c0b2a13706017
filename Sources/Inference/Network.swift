import Foundation

/// A loaded generator: immutable and shareable between threads. Each thread runs it with its own
/// `Workspace`. Values are freed as soon as their last consumer has run, so peak memory is a few
/// live feature maps, not every tensor of the graph.
public final class Network: @unchecked Sendable {
  public let metadata: ModelMetadata
  public let spec: GraphSpec
  let steps: [Step]
  let inputIndex: Int
  let outputIndex: Int
  let valueCount: Int
  /// For each step, the values whose last use it is.
  let releases: [[Int]]

  enum Kernel {
    case conv(Conv2D), deconv(ConvTranspose2D), activation(Activation), prelu([Float])
    case add([Float]?), multiply, affine(Float, Float), concat
    case pixelShuffle(Int), pixelUnshuffle(Int), resize(ResizeMode, Float, Float)
    case crop(top: Int, left: Int, size: (Int, Int)?), globalAveragePool, pool(Pool), linear(Linear)
    case pad(Pad), selfAttention(SelfAttention)
  }

  struct Step {
    var kernel: Kernel
    var inputs: [Int]
    var output: Int
  }

  /// What one caller of `run` owns: scratch memory, and how many threads its ops may split into.
  /// Ops run OpenBLAS single-threaded inside each share (see `Parallel`).
  public final class Workspace {
    var scratch: [Float] = []
    public var threads: Int { didSet { threads = max(1, threads) } }
    public init(threads: Int = 1) { self.threads = max(1, threads) }
  }

  public convenience init(path: String) throws {
    try self.init(try SRGFile.read(path: path))
  }

  public init(_ contents: SRGFile.Contents) throws {
    let spec = contents.spec
    self.spec = spec
    metadata = spec.metadata
    try metadata.validate()
    guard spec.inputs.count == 1, spec.outputs.count == 1 else {
      throw InferenceError("the graph must have one input and one output (has \(spec.inputs.count) and \(spec.outputs.count))")
    }
    var index: [String: Int] = [spec.inputs[0]: 0]
    var steps: [Step] = []
    for (n, node) in spec.nodes.enumerated() {
      // Inputs must be defined by an earlier node: the order is the schedule, and no cycle can exist.
      let inputs = try node.inputs.map { name -> Int in
        guard let i = index[name] else { throw InferenceError("node \(n) (\(node.op)) reads '\(name)' before anything defines it") }
        return i
      }
      guard index[node.output] == nil else { throw InferenceError("node \(n) (\(node.op)) redefines '\(node.output)'") }
      let kernel = try Network.kernel(node, inputs: inputs.count, contents)
      index[node.output] = index.count
      steps.append(Step(kernel: kernel, inputs: inputs, output: index[node.output]!))
    }
    guard let out = index[spec.outputs[0]] else { throw InferenceError("the graph output '\(spec.outputs[0])' is never defined") }
    steps = Network.fused(steps, output: out)
    self.steps = steps
    inputIndex = 0
    outputIndex = out
    valueCount = index.count
    var lastUse = [Int](repeating: -1, count: index.count)
    for (s, step) in steps.enumerated() { for i in step.inputs { lastUse[i] = s } }
    var releases = [[Int]](repeating: [], count: steps.count)
    for (v, s) in lastUse.enumerated() where s >= 0 && v != out { releases[s].append(v) }
    self.releases = releases
  }

  /// Runs the graph on a tensor shaped as the graph input.
  public func run(_ input: Tensor, workspace: Workspace = Workspace()) throws -> Tensor {
    var values = [Tensor?](repeating: nil, count: valueCount)
    values[inputIndex] = input
    for (s, step) in steps.enumerated() {
      var args = step.inputs.map { values[$0]! }
      // Values used for the last time are dropped before the op runs, so `args` holds their only
      // reference and in-place ops (activations, PReLU, scaling) mutate them without a copy.
      for v in releases[s] { values[v] = nil }
      values[step.output] = try Network.execute(step.kernel, &args, workspace)
    }
    return values[outputIndex]!
  }

  /// Runs the generator on colour samples in [0, 1] (CHW), as the metadata describes: maps them to
  /// the network's input range, appends the constant extra planes, and maps the output back.
  public func apply(_ image: Tensor, workspace: Workspace = Workspace()) throws -> Tensor {
    guard image.channels == metadata.inputChannels else {
      throw InferenceError("the model takes \(metadata.inputChannels) channels, not \(image.channels)")
    }
    let (lo, hi) = (metadata.inputRange[0], metadata.inputRange[1])
    var x = (lo, hi) == (0, 1) ? image : Affine.forward(image, scale: hi - lo, bias: lo)
    if !metadata.extraInputPlanes.isEmpty {
      var data = x.data
      for v in metadata.extraInputPlanes { data += [Float](repeating: v, count: x.plane) }
      x = Tensor(channels: x.channels + metadata.extraInputPlanes.count, height: x.height, width: x.width, data: data)
    }
    let y = try run(x, workspace: workspace)
    let (olo, ohi) = (metadata.outputRange[0], metadata.outputRange[1])
    return (olo, ohi) == (0, 1) ? y : Affine.forward(y, scale: 1 / (ohi - olo), bias: -olo / (ohi - olo))
  }

  /// Runs one kernel. Ops that work in place take their first input out of `x`, so a tensor no
  /// one else holds is modified without a copy.
  static func execute(_ kernel: Kernel, _ x: inout [Tensor], _ workspace: Workspace) throws -> Tensor {
    func takeFirst() -> Tensor {
      let t = x[0]
      x[0] = Tensor(channels: 0, height: 0, width: 0, data: [])
      return t
    }
    switch kernel {
    case .conv(let c):
      try c.checkSources(x.map { ($0.channels, $0.height, $0.width) })
      return c.forward(x, threads: workspace.threads, scratch: &workspace.scratch)
    case .deconv(let d):
      guard x[0].channels == d.inChannels else { throw InferenceError("conv_transpose2d expects \(d.inChannels) channels, got \(x[0].channels)") }
      return d.forward(x[0], threads: workspace.threads, scratch: &workspace.scratch)
    case .activation(let a):
      var t = takeFirst()
      t.data.withUnsafeMutableBufferPointer { a.apply($0.baseAddress!, $0.count) }
      return t
    case .prelu(let slopes):
      guard slopes.count == 1 || slopes.count == x[0].channels else { throw InferenceError("prelu has \(slopes.count) slopes for \(x[0].channels) channels") }
      var t = takeFirst()
      PReLU.apply(&t, slopes: slopes)
      return t
    case .add(let c):
      let first = takeFirst()
      return try WeightedSum.forward(first, Array(x.dropFirst()), coefficients: c)
    case .multiply: return try Multiply.forward(takeFirst(), x[1])
    case .affine(let s, let b): return Affine.forward(takeFirst(), scale: s, bias: b)
    case .concat: return try Concat.forward(x)
    case .pixelShuffle(let r): return try PixelShuffle.forward(x[0], factor: r)
    case .pixelUnshuffle(let r): return try PixelShuffle.inverse(x[0], factor: r)
    case .resize(let m, let sy, let sx): return try Resize.forward(x[0], mode: m, scaleY: sy, scaleX: sx)
    case .crop(let top, let left, let size):
      let (h, w) = size ?? (x[1].height, x[1].width)
      return try Crop.forward(x[0], top: top, left: left, height: h, width: w)
    case .globalAveragePool: return Pool.globalAverage(x[0])
    case .pool(let p): return try p.forward(x[0])
    case .linear(let l): return try l.forward(x[0])
    case .pad(let p): return try p.forward(x[0])
    case .selfAttention(let a): return try a.forward(x[0], scratch: &workspace.scratch)
    }
  }
}
