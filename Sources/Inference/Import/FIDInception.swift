import Foundation

/// pytorch-fid's Inception-v3 (`FIDInceptionV3`, the TensorFlow FID network ported to PyTorch) as an
/// `.srg` graph, built from its state dict (`pt_inception-2015-12-05-6726825d.pth`, or
/// torch-fidelity's copy of it). Every BasicConv2d (convolution without bias, batch norm with eps
/// 0.001, ReLU) becomes one convolution with the batch norm folded into its weights and bias.
///
/// The graph takes a 3 x 299 x 299 image in [-1, 1] (the metadata's input range, so `Network.apply`
/// takes [0, 1]) and defines the globally average-pooled features of all four pytorch-fid blocks:
/// `features64` (after the first max pool), `features192` (after the second), `features768` (after
/// Mixed_6e) and `features2048` (after Mixed_7c, "pool3"), the graph output. `SRGFile.Contents.pruned(to:)`
/// keeps only what one of them needs.
public enum FIDInception {
  /// Feature sizes pytorch-fid offers (`--dims`).
  public static let dimensions = [64, 192, 768, 2048]
  public static let batchNormEpsilon: Double = 0.001
  public static let inputSize = 299

  /// The output value holding the features of `dims`.
  public static func output(dims: Int) -> String { "features\(dims)" }

  /// Whether a state dict looks like pytorch-fid's Inception (so `srg import` can tell it apart).
  public static func recognises(_ names: some Collection<String>) -> Bool {
    let set = Set(names)
    return set.contains("Conv2d_1a_3x3.conv.weight") && set.contains("Mixed_7c.branch_pool.conv.weight")
  }

  /// One BasicConv2d in the state dict.
  struct Conv {
    var name: String
    var out: Int
    var inC: Int
    var kernel: (Int, Int)
    var stride = 1
    var padding: (Int, Int) = (0, 0)
  }

  /// Builds the graph and folded weights from named tensors (name -> (shape, values)). Every tensor
  /// the network needs is checked for presence and shape; all problems are reported at once.
  public static func convert(
    _ tensors: [String: (shape: [Int], values: [Float])], name: String = "inception-fid"
  ) throws -> NCNNImporter.Result {
    var builder = Builder(tensors: tensors)
    builder.build()
    if !builder.problems.isEmpty {
      let shown = builder.problems.prefix(12).joined(separator: "; ")
      let more = builder.problems.count > 12 ? " (and \(builder.problems.count - 12) more)" : ""
      throw InferenceError("not pytorch-fid's Inception state dict: \(shown)\(more)")
    }
    var m = ModelMetadata(name: name, architecture: "FIDInceptionV3", scale: 1, inputChannels: 3, outputChannels: 2048, halo: 0)
    m.inputRange = [-1, 1]
    m.fp16Safe = false
    m.source = "pytorch-fid pt_inception-2015-12-05-6726825d.pth (TensorFlow inception-2015-12-05)"
    m.licence = "Apache-2.0"
    let spec = GraphSpec(metadata: m, inputs: ["image"], outputs: [output(dims: 2048)], nodes: builder.nodes)
    return NCNNImporter.Result(spec: spec, weights: builder.weights)
  }

  struct Builder {
    let tensors: [String: (shape: [Int], values: [Float])]
    var nodes: [NodeSpec] = []
    var weights: [String: SRGFile.Weight] = [:]
    var problems: [String] = []

    init(tensors: [String: (shape: [Int], values: [Float])]) { self.tensors = tensors }

    func tensor(_ name: String, _ shape: [Int], _ problems: inout [String]) -> [Float]? {
      guard let t = tensors[name] else {
        problems.append("missing \(name) \(shape.map(String.init).joined(separator: "x"))")
        return nil
      }
      guard t.shape == shape, t.values.count == shape.reduce(1, *) else {
        problems.append("\(name) is \(t.shape.map(String.init).joined(separator: "x")), expected \(shape.map(String.init).joined(separator: "x"))")
        return nil
      }
      return t.values
    }

    /// A BasicConv2d: conv (no bias) + batch norm (folded) + ReLU. Returns the output value name.
    @discardableResult
    mutating func conv(
      _ module: String, _ input: String, _ inC: Int, _ out: Int, kernel: (Int, Int), stride: Int = 1, padding: (Int, Int) = (0, 0)
    ) -> String {
      let w = tensor("\(module).conv.weight", [out, inC, kernel.0, kernel.1], &problems)
      let gamma = tensor("\(module).bn.weight", [out], &problems)
      let beta = tensor("\(module).bn.bias", [out], &problems)
      let mean = tensor("\(module).bn.running_mean", [out], &problems)
      let variance = tensor("\(module).bn.running_var", [out], &problems)
      if let w, let gamma, let beta, let mean, let variance {
        let k = inC * kernel.0 * kernel.1
        var folded = [Float](repeating: 0, count: w.count), bias = [Float](repeating: 0, count: out)
        for o in 0..<out {
          let s = Double(gamma[o]) / (Double(variance[o]) + FIDInception.batchNormEpsilon).squareRoot()
          for i in 0..<k { folded[o * k + i] = Float(Double(w[o * k + i]) * s) }
          bias[o] = Float(Double(beta[o]) - Double(mean[o]) * s)
        }
        weights["\(module).weight"] = SRGFile.Weight(shape: [out, inC, kernel.0, kernel.1], values: folded)
        weights["\(module).bias"] = SRGFile.Weight(shape: [out], values: bias)
      }
      var n = NodeSpec(op: "conv2d", inputs: [input], output: module)
      n.kernel = [kernel.0, kernel.1]
      n.stride = [stride, stride]
      n.padding = [padding.0, padding.1, padding.0, padding.1]
      n.activation = ActivationSpec(.relu)
      n.weights = ["weight": "\(module).weight", "bias": "\(module).bias"]
      nodes.append(n)
      return module
    }

    mutating func pool(_ kind: String, _ input: String, _ output: String, kernel: Int, stride: Int, padding: Int = 0, countIncludePad: Bool? = nil) -> String {
      var n = NodeSpec(op: kind, inputs: [input], output: output)
      n.kernel = [kernel, kernel]
      n.stride = [stride, stride]
      n.padding = [padding, padding, padding, padding]
      n.countIncludePad = countIncludePad
      nodes.append(n)
      return output
    }

    mutating func concat(_ inputs: [String], _ output: String) -> String {
      nodes.append(NodeSpec(op: "concat", inputs: inputs, output: output))
      return output
    }

    mutating func features(_ input: String, dims: Int) {
      nodes.append(NodeSpec(op: "global_average_pool", inputs: [input], output: FIDInception.output(dims: dims)))
    }

    /// 3x3 stride-1 pool of the FID blocks: average without the padding (TensorFlow's), or max.
    mutating func branchPool(_ m: String, _ x: String, max: Bool = false) -> String {
      max
        ? pool("max_pool", x, "\(m).pool", kernel: 3, stride: 1, padding: 1)
        : pool("average_pool", x, "\(m).pool", kernel: 3, stride: 1, padding: 1, countIncludePad: false)
    }

    mutating func inceptionA(_ m: String, _ x: String, _ inC: Int, poolFeatures: Int) -> String {
      let b1 = conv("\(m).branch1x1", x, inC, 64, kernel: (1, 1))
      var b5 = conv("\(m).branch5x5_1", x, inC, 48, kernel: (1, 1))
      b5 = conv("\(m).branch5x5_2", b5, 48, 64, kernel: (5, 5), padding: (2, 2))
      var b3 = conv("\(m).branch3x3dbl_1", x, inC, 64, kernel: (1, 1))
      b3 = conv("\(m).branch3x3dbl_2", b3, 64, 96, kernel: (3, 3), padding: (1, 1))
      b3 = conv("\(m).branch3x3dbl_3", b3, 96, 96, kernel: (3, 3), padding: (1, 1))
      let bp = conv("\(m).branch_pool", branchPool(m, x), inC, poolFeatures, kernel: (1, 1))
      return concat([b1, b5, b3, bp], m)
    }

    mutating func inceptionB(_ m: String, _ x: String, _ inC: Int) -> String {
      let b3 = conv("\(m).branch3x3", x, inC, 384, kernel: (3, 3), stride: 2)
      var bd = conv("\(m).branch3x3dbl_1", x, inC, 64, kernel: (1, 1))
      bd = conv("\(m).branch3x3dbl_2", bd, 64, 96, kernel: (3, 3), padding: (1, 1))
      bd = conv("\(m).branch3x3dbl_3", bd, 96, 96, kernel: (3, 3), stride: 2)
      let bp = pool("max_pool", x, "\(m).pool", kernel: 3, stride: 2)
      return concat([b3, bd, bp], m)
    }

    mutating func inceptionC(_ m: String, _ x: String, c7: Int) -> String {
      let b1 = conv("\(m).branch1x1", x, 768, 192, kernel: (1, 1))
      var b7 = conv("\(m).branch7x7_1", x, 768, c7, kernel: (1, 1))
      b7 = conv("\(m).branch7x7_2", b7, c7, c7, kernel: (1, 7), padding: (0, 3))
      b7 = conv("\(m).branch7x7_3", b7, c7, 192, kernel: (7, 1), padding: (3, 0))
      var bd = conv("\(m).branch7x7dbl_1", x, 768, c7, kernel: (1, 1))
      bd = conv("\(m).branch7x7dbl_2", bd, c7, c7, kernel: (7, 1), padding: (3, 0))
      bd = conv("\(m).branch7x7dbl_3", bd, c7, c7, kernel: (1, 7), padding: (0, 3))
      bd = conv("\(m).branch7x7dbl_4", bd, c7, c7, kernel: (7, 1), padding: (3, 0))
      bd = conv("\(m).branch7x7dbl_5", bd, c7, 192, kernel: (1, 7), padding: (0, 3))
      let bp = conv("\(m).branch_pool", branchPool(m, x), 768, 192, kernel: (1, 1))
      return concat([b1, b7, bd, bp], m)
    }

    mutating func inceptionD(_ m: String, _ x: String) -> String {
      var b3 = conv("\(m).branch3x3_1", x, 768, 192, kernel: (1, 1))
      b3 = conv("\(m).branch3x3_2", b3, 192, 320, kernel: (3, 3), stride: 2)
      var b7 = conv("\(m).branch7x7x3_1", x, 768, 192, kernel: (1, 1))
      b7 = conv("\(m).branch7x7x3_2", b7, 192, 192, kernel: (1, 7), padding: (0, 3))
      b7 = conv("\(m).branch7x7x3_3", b7, 192, 192, kernel: (7, 1), padding: (3, 0))
      b7 = conv("\(m).branch7x7x3_4", b7, 192, 192, kernel: (3, 3), stride: 2)
      let bp = pool("max_pool", x, "\(m).pool", kernel: 3, stride: 2)
      return concat([b3, b7, bp], m)
    }

    /// FIDInceptionE_1 (average pool without padding) or FIDInceptionE_2 (`maxPool`).
    mutating func inceptionE(_ m: String, _ x: String, _ inC: Int, maxPool: Bool) -> String {
      let b1 = conv("\(m).branch1x1", x, inC, 320, kernel: (1, 1))
      let b3 = conv("\(m).branch3x3_1", x, inC, 384, kernel: (1, 1))
      let b3a = conv("\(m).branch3x3_2a", b3, 384, 384, kernel: (1, 3), padding: (0, 1))
      let b3b = conv("\(m).branch3x3_2b", b3, 384, 384, kernel: (3, 1), padding: (1, 0))
      var bd = conv("\(m).branch3x3dbl_1", x, inC, 448, kernel: (1, 1))
      bd = conv("\(m).branch3x3dbl_2", bd, 448, 384, kernel: (3, 3), padding: (1, 1))
      let bda = conv("\(m).branch3x3dbl_3a", bd, 384, 384, kernel: (1, 3), padding: (0, 1))
      let bdb = conv("\(m).branch3x3dbl_3b", bd, 384, 384, kernel: (3, 1), padding: (1, 0))
      let bp = conv("\(m).branch_pool", branchPool(m, x, max: maxPool), inC, 192, kernel: (1, 1))
      return concat([b1, b3a, b3b, bda, bdb, bp], m)
    }

    mutating func build() {
      var x = conv("Conv2d_1a_3x3", "image", 3, 32, kernel: (3, 3), stride: 2)
      x = conv("Conv2d_2a_3x3", x, 32, 32, kernel: (3, 3))
      x = conv("Conv2d_2b_3x3", x, 32, 64, kernel: (3, 3), padding: (1, 1))
      x = pool("max_pool", x, "maxpool1", kernel: 3, stride: 2)
      features(x, dims: 64)
      x = conv("Conv2d_3b_1x1", x, 64, 80, kernel: (1, 1))
      x = conv("Conv2d_4a_3x3", x, 80, 192, kernel: (3, 3))
      x = pool("max_pool", x, "maxpool2", kernel: 3, stride: 2)
      features(x, dims: 192)
      x = inceptionA("Mixed_5b", x, 192, poolFeatures: 32)
      x = inceptionA("Mixed_5c", x, 256, poolFeatures: 64)
      x = inceptionA("Mixed_5d", x, 288, poolFeatures: 64)
      x = inceptionB("Mixed_6a", x, 288)
      x = inceptionC("Mixed_6b", x, c7: 128)
      x = inceptionC("Mixed_6c", x, c7: 160)
      x = inceptionC("Mixed_6d", x, c7: 160)
      x = inceptionC("Mixed_6e", x, c7: 192)
      features(x, dims: 768)
      x = inceptionD("Mixed_7a", x)
      x = inceptionE("Mixed_7b", x, 1280, maxPool: false)
      x = inceptionE("Mixed_7c", x, 2048, maxPool: true)
      features(x, dims: 2048)
    }
  }
}

extension SRGFile.Contents {
  /// The same file with `output` as the graph output and only the nodes it depends on.
  public func pruned(to output: String) throws -> SRGFile.Contents {
    var spec = self.spec
    var needed: Set<String> = [output]
    guard spec.nodes.contains(where: { $0.output == output }) else { throw InferenceError("the graph defines no value '\(output)'") }
    var kept: [NodeSpec] = []
    for node in spec.nodes.reversed() where needed.contains(node.output) {
      kept.append(node)
      needed.formUnion(node.inputs)
    }
    spec.nodes = kept.reversed()
    spec.outputs = [output]
    return SRGFile.Contents(spec: spec, bytes: bytes, dataOffset: dataOffset)
  }
}
