import Foundation
import WeightFormats

/// Builds a graph from a PyTorch state dict, one layer at a time, keeping the state dict's key names
/// as tensor names. Records which tensors it used, so that an importer can refuse a checkpoint with
/// weights its graph would silently ignore.
struct TorchGraph {
  let state: StateDict
  /// The architecture being built, for error messages.
  let architecture: String
  private(set) var nodes: [NodeSpec] = []
  private(set) var weights: [String: SRGFile.Weight] = [:]
  private(set) var used: Set<String> = []
  private var counter = 0
  static let input = "input"

  init(_ state: StateDict, architecture: String) {
    (self.state, self.architecture) = (state, architecture)
  }

  func fail(_ why: String) -> InferenceError { InferenceError("\(architecture): \(why)") }

  func has(_ key: String) -> Bool { state[key] != nil }

  /// The shape of a tensor the architecture requires.
  func shape(_ key: String) throws -> [Int] {
    guard let t = state[key] else { throw fail("the state dict has no '\(key)'") }
    return t.shape
  }

  mutating func take(_ key: String, rank: Int? = nil) throws -> WeightFormats.Tensor {
    guard let t = state[key] else { throw fail("the state dict has no '\(key)'") }
    if let rank, t.shape.count != rank { throw fail("'\(key)' has shape \(t.shape), expected rank \(rank)") }
    used.insert(key)
    return t
  }

  /// Numbered children of an nn.Sequential/ModuleList under `prefix` that hold tensors, ascending.
  func children(_ prefix: String) -> [Int] {
    let p = prefix + "."
    var found = Set<Int>()
    for key in state.keys where key.hasPrefix(p) {
      if let n = Int(key.dropFirst(p.count).prefix { $0 != "." }) { found.insert(n) }
    }
    return found.sorted()
  }

  /// Keys the graph never read (batch-norm counters aside).
  var unused: [String] {
    state.keys.filter { !used.contains($0) && !$0.hasSuffix("num_batches_tracked") }
  }

  // MARK: Nodes

  private mutating func add(_ op: String, _ inputs: [String], _ configure: (inout NodeSpec) -> Void = { _ in }) -> String {
    counter += 1
    var node = NodeSpec(op: op, inputs: inputs, output: "\(counter).\(op)")
    configure(&node)
    nodes.append(node)
    return node.output
  }

  /// Batch norm as a per-channel scale and shift (eval mode: running statistics).
  mutating func batchNorm(_ prefix: String, channels: Int, eps: Float) throws -> (scale: [Float], shift: [Float]) {
    let gamma = try take("\(prefix).weight", rank: 1).values, beta = try take("\(prefix).bias", rank: 1).values
    let mean = try take("\(prefix).running_mean", rank: 1).values, variance = try take("\(prefix).running_var", rank: 1).values
    guard [gamma, beta, mean, variance].allSatisfy({ $0.count == channels }) else {
      throw fail("batch norm '\(prefix)' does not have \(channels) channels")
    }
    let scale = (0..<channels).map { gamma[$0] / (variance[$0] + eps).squareRoot() }
    return (scale, (0..<channels).map { beta[$0] - mean[$0] * scale[$0] })
  }

  /// A convolution with 'same' padding (PyTorch's `padding=k//2` for odd kernels). `batchNorm`
  /// names a following BatchNorm2d folded into it; `outputScale`/`outputShift` map each output
  /// channel afterwards (y -> y * scale + shift), also folded into the weights.
  mutating func conv(
    _ x: String, _ prefix: String, activation: Activation = .none, batchNorm bn: String? = nil, eps: Float = 1e-5,
    outputScale: [Float]? = nil, outputShift: [Float]? = nil
  ) throws -> String {
    let w = try take("\(prefix).weight", rank: 4)
    let (out, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
    guard kh % 2 == 1, kw % 2 == 1 else { throw fail("'\(prefix)' has an even kernel \(kh)x\(kw)") }
    var weight = w.values
    var bias = has("\(prefix).bias") ? try take("\(prefix).bias", rank: 1).values : [Float](repeating: 0, count: out)
    guard bias.count == out else { throw fail("'\(prefix).bias' has \(bias.count) values for \(out) outputs") }
    var maps: [([Float], [Float])] = []
    if let bn { maps.append(try batchNorm(bn, channels: out, eps: eps)) }
    if outputScale != nil || outputShift != nil {
      maps.append((outputScale ?? [Float](repeating: 1, count: out), outputShift ?? [Float](repeating: 0, count: out)))
    }
    let per = weight.count / out
    for (scale, shift) in maps {
      for o in 0..<out {
        for i in (o * per)..<((o + 1) * per) { weight[i] *= scale[o] }
        bias[o] = bias[o] * scale[o] + shift[o]
      }
    }
    weights["\(prefix).weight"] = SRGFile.Weight(shape: w.shape, values: weight)
    weights["\(prefix).bias"] = SRGFile.Weight(shape: [out], values: bias)
    return add("conv2d", [x]) { n in
      n.kernel = [kh, kw]
      n.padding = [kh / 2, kw / 2, kh / 2, kw / 2]
      if activation != .none { n.activation = ActivationSpec(activation) }
      n.weights = ["weight": "\(prefix).weight", "bias": "\(prefix).bias"]
    }
  }

  /// A 1x1 convolution mapping each channel on its own: y_c = x_c * scale_c + shift_c.
  mutating func channelAffine(_ x: String, name: String, scale: [Float], shift: [Float]) -> String {
    let c = scale.count
    var w = [Float](repeating: 0, count: c * c)
    for i in 0..<c { w[i * c + i] = scale[i] }
    weights["\(name).weight"] = SRGFile.Weight(shape: [c, c, 1, 1], values: w)
    weights["\(name).bias"] = SRGFile.Weight(shape: [c], values: shift)
    return add("conv2d", [x]) { n in
      n.kernel = [1, 1]
      n.weights = ["weight": "\(name).weight", "bias": "\(name).bias"]
    }
  }

  mutating func prelu(_ x: String, _ prefix: String) throws -> String {
    let w = try take("\(prefix).weight", rank: 1)
    weights["\(prefix).weight"] = SRGFile.Weight(shape: w.shape, values: w.values)
    return add("prelu", [x]) { $0.weights = ["slope": "\(prefix).weight"] }
  }

  mutating func activation(_ x: String, _ a: Activation) -> String {
    add("activation", [x]) { $0.activation = ActivationSpec(a) }
  }

  mutating func sum(_ xs: [String], _ coefficients: [Float]? = nil) -> String {
    add("add", xs) { $0.coefficients = coefficients }
  }

  mutating func concat(_ xs: [String]) -> String {
    xs.count == 1 ? xs[0] : add("concat", xs)
  }

  mutating func pixelShuffle(_ x: String, _ r: Int) -> String {
    r == 1 ? x : add("pixel_shuffle", [x]) { $0.factor = r }
  }

  mutating func pixelUnshuffle(_ x: String, _ r: Int) -> String {
    r == 1 ? x : add("pixel_unshuffle", [x]) { $0.factor = r }
  }

  mutating func resize(_ x: String, _ mode: ResizeMode, _ s: Int) -> String {
    add("resize", [x]) { n in
      n.mode = mode.rawValue
      n.scales = [Float(s), Float(s)]
    }
  }

  /// The layers of an nn.Sequential under `prefix`, recognised by their tensors: Conv2d (a rank-4
  /// weight; a BatchNorm2d right after it is folded in), PReLU (a rank-1 weight), BatchNorm2d (running
  /// statistics). Layers without tensors (PixelShuffle, activations) are invisible: `afterConv` adds
  /// what the caller knows follows each convolution (its output, the convolution's output channels).
  mutating func sequential(_ x: String, _ prefix: String, eps: Float = 1e-5, afterConv: (inout TorchGraph, String, Int) throws -> String = { _, x, _ in x }) throws -> String {
    let layers = children(prefix)
    var y = x, i = 0
    guard !layers.isEmpty else { throw fail("the state dict has nothing under '\(prefix)'") }
    while i < layers.count {
      let p = "\(prefix).\(layers[i])"
      if has("\(p).running_mean") { throw fail("batch norm '\(p)' follows no convolution") }
      let rank = try shape("\(p).weight").count
      if rank == 4 {
        let next = i + 1 < layers.count ? "\(prefix).\(layers[i + 1])" : nil
        let bn = next.flatMap { has("\($0).running_mean") ? $0 : nil }
        let outputs = try shape("\(p).weight")[0]
        y = try conv(y, p, batchNorm: bn, eps: eps)
        y = try afterConv(&self, y, outputs)
        i += bn == nil ? 1 : 2
      } else if rank == 1 {
        y = try prelu(y, p)
        i += 1
      } else {
        throw fail("'\(p).weight' has shape \(try shape("\(p).weight")): not a convolution, batch norm or PReLU")
      }
    }
    return y
  }

  func result(output: String, metadata: ModelMetadata) throws -> NCNNImporter.Result {
    let left = unused
    guard left.isEmpty else {
      throw fail("the state dict has \(left.count) tensors this architecture does not use (\(left.prefix(5).joined(separator: ", "))\(left.count > 5 ? ", ..." : "")): it is a variant the importer does not know")
    }
    return NCNNImporter.Result(spec: GraphSpec(metadata: metadata, inputs: [TorchGraph.input], outputs: [output], nodes: nodes), weights: weights)
  }
}
