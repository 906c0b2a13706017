/// Turning stored nodes into executable kernels, checking every attribute and weight shape.
extension Network {
  static func kernel(_ node: NodeSpec, inputs: Int, _ contents: SRGFile.Contents) throws -> Kernel {
    func fail(_ why: String) -> InferenceError { InferenceError("\(node.op) node '\(node.output)': \(why)") }
    func expectInputs(_ range: ClosedRange<Int>) throws {
      guard range.contains(inputs) else { throw fail("takes \(range.lowerBound)...\(range.upperBound) inputs, has \(inputs)") }
    }
    func weight(_ role: String, count: Int? = nil) throws -> [Float] {
      guard let name = node.weights?[role] else { throw fail("has no '\(role)' tensor") }
      let w = try contents.tensor(name)
      if let count, w.count != count { throw fail("'\(role)' has \(w.count) values, expected \(count)") }
      return w
    }
    func optionalWeight(_ role: String, count: Int) throws -> [Float]? {
      node.weights?[role] == nil ? nil : try weight(role, count: count)
    }
    func pair(_ v: [Int]?, _ name: String, default d: (Int, Int)? = nil) throws -> (Int, Int) {
      guard let v else {
        if let d { return d }
        throw fail("needs '\(name)'")
      }
      guard v.count == 2, v.allSatisfy({ $0 > 0 && $0 <= 1 << 16 }) else { throw fail("'\(name)' must be two positive numbers") }
      return (v[0], v[1])
    }
    func padding() throws -> (Int, Int, Int, Int) {
      let p = node.padding ?? [0, 0, 0, 0]
      guard p.count == 4, p.allSatisfy({ $0 >= 0 && $0 <= 1 << 16 }) else { throw fail("'padding' must be four non-negative numbers") }
      return (p[0], p[1], p[2], p[3])
    }
    func channels(_ role: String) throws -> (Int, Int) {
      guard let name = node.weights?[role], let e = contents.spec.tensors[name], e.shape.count >= 2 else {
        throw fail("'\(role)' must be a tensor of rank 4 (or 2)")
      }
      return (e.shape[0], e.shape[1])
    }
    let activation = try node.activation?.activation() ?? .none

    switch node.op {
    case "conv2d":
      try expectInputs(1...1)
      let k = try pair(node.kernel, "kernel"), (out, inPerGroup) = try channels("weight")
      let groups = node.groups ?? 1
      guard groups > 0, groups <= 1 << 16 else { throw fail("groups must be from 1 to 65536") }
      var c = Conv2D(
        inChannels: inPerGroup * groups, outChannels: out, kernel: (k.0, k.1),
        weight: try weight("weight", count: out * inPerGroup * k.0 * k.1), bias: try optionalWeight("bias", count: out))
      guard out % groups == 0 else { throw fail("\(out) outputs do not divide into \(groups) groups") }
      let s = try pair(node.stride, "stride", default: (1, 1)), d = try pair(node.dilation, "dilation", default: (1, 1))
      c.stride = (s.0, s.1)
      c.dilation = (d.0, d.1)
      c.padding = try padding()
      c.groups = groups
      c.activation = activation
      return .conv(c)
    case "conv_transpose2d":
      try expectInputs(1...1)
      let k = try pair(node.kernel, "kernel"), (out, inC) = try channels("weight")
      let s = try pair(node.stride, "stride", default: (1, 1))
      let op = node.outputPadding ?? [0, 0]
      guard op.count == 2, op.allSatisfy({ $0 >= 0 && $0 < 1 << 16 }) else { throw fail("'outputPadding' must be two non-negative numbers") }
      return .deconv(
        ConvTranspose2D(
          inChannels: inC, outChannels: out, kernel: (k.0, k.1), stride: (s.0, s.1), padding: try padding(),
          outputPadding: (op[0], op[1]), weight: try weight("weight", count: out * inC * k.0 * k.1),
          bias: try optionalWeight("bias", count: out), activation: activation))
    case "activation":
      try expectInputs(1...1)
      return .activation(activation)
    case "prelu":
      try expectInputs(1...1)
      return .prelu(try weight("slope"))
    case "add":
      try expectInputs(2...64)
      if let c = node.coefficients, c.count != inputs { throw fail("has \(c.count) coefficients for \(inputs) inputs") }
      return .add(node.coefficients)
    case "multiply":
      try expectInputs(2...2)
      return .multiply
    case "affine":
      try expectInputs(1...1)
      guard let v = node.value, v.count == 2 else { throw fail("needs 'value': [scale, bias]") }
      return .affine(v[0], v[1])
    case "concat":
      try expectInputs(1...64)
      return .concat
    case "pixel_shuffle", "pixel_unshuffle":
      try expectInputs(1...1)
      guard let r = node.factor, r > 0, r <= 64 else { throw fail("needs a 'factor' from 1 to 64") }
      return node.op == "pixel_shuffle" ? .pixelShuffle(r) : .pixelUnshuffle(r)
    case "resize":
      try expectInputs(1...1)
      guard let m = node.mode.flatMap(ResizeMode.init(rawValue:)) else { throw fail("'mode' must be nearest, bilinear or bicubic") }
      guard let s = node.scales, s.count == 2, s.allSatisfy({ $0 > 0 && $0 <= 64 }) else { throw fail("'scales' must be two factors in (0, 64]") }
      return .resize(m, s[0], s[1])
    case "crop":
      try expectInputs(1...2)
      let o = node.offset ?? [0, 0]
      guard o.count == 2, o.allSatisfy({ $0 >= 0 }) else { throw fail("'offset' must be two non-negative numbers") }
      if let size = node.size {
        guard size.count == 2, size.allSatisfy({ $0 > 0 }) else { throw fail("'size' must be two positive numbers") }
        return .crop(top: o[0], left: o[1], size: (size[0], size[1]))
      }
      guard inputs == 2 else { throw fail("needs 'size' or a second input to take the size from") }
      return .crop(top: o[0], left: o[1], size: nil)
    case "global_average_pool":
      try expectInputs(1...1)
      return .globalAveragePool
    case "average_pool", "max_pool":
      try expectInputs(1...1)
      let k = try pair(node.kernel, "kernel"), s = try pair(node.stride, "stride", default: k)
      let p = try padding()
      return .pool(
        Pool(kind: node.op == "max_pool" ? .max : .average, kernel: (k.0, k.1), stride: (s.0, s.1), padding: (p.0, p.1),
             countIncludePad: node.countIncludePad ?? true))
    case "linear":
      try expectInputs(1...1)
      let (out, inF) = try channels("weight")
      return .linear(Linear(inFeatures: inF, outFeatures: out, weight: try weight("weight", count: out * inF), bias: try optionalWeight("bias", count: out), activation: activation))
    case "pad":
      try expectInputs(1...1)
      guard let m = PadMode(rawValue: node.mode ?? "zeros") else { throw fail("'mode' must be zeros, replicate or reflect") }
      let p = try padding()
      return .pad(Pad(mode: m, top: p.0, left: p.1, bottom: p.2, right: p.3))
    case "self_attention":
      try expectInputs(1...1)
      let (keyChannels, c) = try channels("query")
      guard keyChannels > 0, c > 0, c <= 1 << 16 else { throw fail("'query' must have a positive shape") }
      let gamma = try weight("gamma", count: 1)
      return .selfAttention(
        SelfAttention(
          channels: c, keyChannels: keyChannels, query: try weight("query", count: keyChannels * c),
          key: try weight("key", count: keyChannels * c), value: try weight("value", count: c * c), gamma: gamma[0]))
    default:
      throw fail("unknown operation")
    }
  }
}
