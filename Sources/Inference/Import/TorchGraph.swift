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

  /// A convolution's weight: `prefix.weight`, or one under weight normalisation, w = g v / |v| with
  /// the norm over each output channel's weights (torch.nn.utils.weight_norm's `weight_g` and
  /// `weight_v`, or torch.nn.utils.parametrizations.weight_norm's `parametrizations.weight.original0`
  /// and `original1`).
  mutating func convWeight(_ prefix: String, rank: Int = 4) throws -> WeightFormats.Tensor {
    let pairs = [("\(prefix).weight_g", "\(prefix).weight_v"), ("\(prefix).parametrizations.weight.original0", "\(prefix).parametrizations.weight.original1")]
    guard !has("\(prefix).weight"), let (gKey, vKey) = pairs.first(where: { has($0.0) || has($0.1) }) else {
      return try take("\(prefix).weight", rank: rank)
    }
    let v = try take(vKey, rank: rank), g = try take(gKey, rank: rank).values
    let out = v.shape[0], per = v.values.count / max(out, 1)
    guard g.count == out else { throw fail("weight norm '\(gKey)' has \(g.count) values for \(out) outputs") }
    var w = v.values
    for o in 0..<out {
      let norm = (o * per..<(o + 1) * per).reduce(0.0) { $0 + Double(v.values[$1]) * Double(v.values[$1]) }.squareRoot()
      guard norm > 0 else { throw fail("weight norm '\(vKey)' has an all-zero output channel \(o)") }
      let k = Double(g[o]) / norm
      for i in o * per..<(o + 1) * per { w[i] = Float(Double(v.values[i]) * k) }
    }
    return WeightFormats.Tensor(shape: v.shape, values: w)
  }

  /// A weight under spectral normalisation as torch evaluates it (no power iteration): W / sigma
  /// with sigma = u . (W v), W taken as [outputs][the rest] (torch.nn.utils.spectral_norm's
  /// `weight_orig`, `weight_u`, `weight_v`, or parametrizations.spectral_norm's
  /// `parametrizations.weight.original` and `parametrizations.weight.0._u`, `._v`). Checkpoints
  /// written before torch 1.0 also hold the normalised `weight`, which is used as it is.
  mutating func spectralWeight(_ prefix: String, rank: Int) throws -> WeightFormats.Tensor {
    if has("\(prefix).weight") {
      for k in ["weight_orig", "weight_u", "weight_v"] where has("\(prefix).\(k)") { used.insert("\(prefix).\(k)") }
      return try take("\(prefix).weight", rank: rank)
    }
    let p = has("\(prefix).weight_orig")
      ? ("\(prefix).weight_orig", "\(prefix).weight_u", "\(prefix).weight_v")
      : ("\(prefix).parametrizations.weight.original", "\(prefix).parametrizations.weight.0._u", "\(prefix).parametrizations.weight.0._v")
    let w = try take(p.0, rank: rank), u = try take(p.1, rank: 1).values, v = try take(p.2, rank: 1).values
    let out = w.shape[0], per = w.values.count / max(out, 1)
    guard u.count == out, v.count == per else { throw fail("spectral norm '\(prefix)': u has \(u.count) and v \(v.count) values for a \(w.shape) weight") }
    var sigma = 0.0
    for o in 0..<out {
      var row = 0.0
      for i in 0..<per { row += Double(w.values[o * per + i]) * Double(v[i]) }
      sigma += Double(u[o]) * row
    }
    guard sigma.isFinite, sigma != 0 else { throw fail("spectral norm '\(prefix)': sigma is \(sigma)") }
    return WeightFormats.Tensor(shape: w.shape, values: w.values.map { Float(Double($0) / sigma) })
  }

  /// A convolution with 'same' padding (PyTorch's `padding=k//2` for odd kernels) and `stride`.
  /// `batchNorm` names a following BatchNorm2d folded into it; `outputScale`/`outputShift` map
  /// each output channel afterwards (y -> y * scale + shift), also folded into the weights.
  mutating func conv(
    _ x: String, _ prefix: String, stride: Int = 1, activation: Activation = .none, batchNorm bn: String? = nil, eps: Float = 1e-5,
    outputScale: [Float]? = nil, outputShift: [Float]? = nil
  ) throws -> String {
    let w = try convWeight(prefix)
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
      if stride != 1 { n.stride = [stride, stride] }
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

  /// A depthwise 1x1 convolution mapping each channel on its own, y_c = x_c * scale_c + shift_c,
  /// then `activation`: a batch norm that no convolution precedes.
  mutating func channelMap(_ x: String, name: String, scale: [Float], shift: [Float], activation: Activation = .none) -> String {
    weights["\(name).weight"] = SRGFile.Weight(shape: [scale.count, 1, 1, 1], values: scale)
    weights["\(name).bias"] = SRGFile.Weight(shape: [scale.count], values: shift)
    return add("conv2d", [x]) { n in
      n.kernel = [1, 1]
      n.groups = scale.count
      if activation != .none { n.activation = ActivationSpec(activation) }
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

  mutating func pad(_ x: String, _ mode: PadMode, top: Int, left: Int, bottom: Int, right: Int) -> String {
    add("pad", [x]) { n in
      n.mode = mode.rawValue
      n.padding = [top, left, bottom, right]
    }
  }

  mutating func pool(_ x: String, _ kind: PoolKind, kernel: Int, stride: Int, padding: Int = 0) -> String {
    add(kind == .max ? "max_pool" : "average_pool", [x]) { n in
      n.kernel = [kernel, kernel]
      n.stride = [stride, stride]
      if padding != 0 { n.padding = [padding, padding, padding, padding] }
    }
  }

  /// SAGAN's self-attention (see `SelfAttention`), its projections' weights given as
  /// [outputs][channels] and gamma as one value.
  mutating func selfAttention(_ x: String, name: String, query: WeightFormats.Tensor, key: WeightFormats.Tensor, value: WeightFormats.Tensor, gamma: Float) -> String {
    for (role, t) in [("query", query), ("key", key), ("value", value)] {
      weights["\(name).\(role)"] = SRGFile.Weight(shape: Array(t.shape.prefix(2)), values: t.values)
    }
    weights["\(name).gamma"] = SRGFile.Weight(shape: [1], values: [gamma])
    return add("self_attention", [x]) { n in
      n.weights = ["query": "\(name).query", "key": "\(name).key", "value": "\(name).value", "gamma": "\(name).gamma"]
    }
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
