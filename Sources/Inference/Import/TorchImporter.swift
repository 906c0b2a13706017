import Foundation
import WeightFormats

/// Converts PyTorch generator checkpoints (.pth/.pt/.ckpt, .safetensors) into graphs, recognising the
/// architecture from key names and tensor shapes: ESRGAN's RRDBNet (original, BasicSR and Real-ESRGAN
/// pixel-unshuffle layouts), Real-ESRGAN's SRVGGNetCompact, BasicSR's MSRResNet, the SRGAN paper's
/// SRResNet with batch norm, BasicSR's EDSR, and fast.ai's U-Net (`TorchImporter+UNet.swift`).
/// Batch norm is folded into the convolution before it (eps 1e-5, PyTorch's default).
public enum TorchImporter {
  public static let architectures = ["ESRGAN (RRDBNet)", "SRVGGNetCompact", "MSRResNet", "SRResNet (SRGAN)", "EDSR", "fast.ai U-Net (DynamicUnet, ResNet encoder)"]

  /// What an architecture needs that its state dict does not hold.
  public struct Options: Sendable {
    /// fast.ai U-Net: whether its UnetBlocks blur after upsampling (`blur=True`, as fast.ai's
    /// decrappify and super-resolution lessons train it; fastai v2's default is False).
    public var blur = true
    /// fast.ai U-Net: the SigmoidRange of the last layer (`y_range`), nil for none.
    public var yRange: (Float, Float)? = (-3, 3)
    public init() {}
  }

  /// Reads a checkpoint and converts it; the name defaults to the file's base name.
  public static func load(path: String, name: String? = nil, options: Options = Options()) throws -> NCNNImporter.Result {
    let state = try StateDict.load(path: path)
    let url = URL(fileURLWithPath: path)
    var result = try convert(state, name: name ?? url.deletingPathExtension().lastPathComponent, options: options)
    result.spec.metadata.source = "PyTorch checkpoint \(url.lastPathComponent)"
    return result
  }

  public static func convert(_ state: StateDict, name: String, options: Options = Options()) throws -> NCNNImporter.Result {
    let has = { (k: String) in state[k] != nil }
    if has("model.0.weight"), has("model.1.sub.0.RDB1.conv1.0.weight") {
      return try rrdbNet(try basicSRNames(fromESRGAN: state), name: name, layout: "original ESRGAN")
    }
    if has("conv_first.weight"), has("body.0.rdb1.conv1.weight") { return try rrdbNet(state, name: name, layout: "BasicSR") }
    if has("body.0.weight"), state["body.1.weight"]?.shape.count == 1 { return try srvggNetCompact(state, name: name) }
    if has("conv_first.weight"), has("upconv1.weight") { return try msrResNet(state, name: name) }
    if has("conv_first.weight"), has("conv_after_body.weight") { return try edsr(state, name: name) }
    if has("conv_block1.0.weight"), has("residual_blocks.0.conv_block.0.weight") { return try srganResNet(state, name: name) }
    if isFastaiUNet(state) { return try fastaiUNet(state, name: name, options: options) }
    throw InferenceError("unrecognised state dict: \(describe(state)); known architectures: \(architectures.joined(separator: ", "))")
  }

  /// What a state dict holds, for an error message: its size, top-level names and first keys.
  static func describe(_ state: StateDict) -> String {
    guard !state.keys.isEmpty else { return "it holds no tensors" }
    var prefixes: [String] = [], counts: [String: Int] = [:]
    for key in state.keys {
      let p = String(key.prefix { $0 != "." })
      if counts[p] == nil { prefixes.append(p) }
      counts[p, default: 0] += 1
    }
    let tops = prefixes.prefix(8).map { "\($0) (\(counts[$0]!))" }.joined(separator: ", ")
    let first = state.keys.prefix(4).map { "\($0) \(state[$0]!.shape)" }.joined(separator: ", ")
    return "\(state.keys.count) tensors under \(tops)\(prefixes.count > 8 ? ", ..." : ""); first keys \(first)"
  }

  static func metadata(_ name: String, _ architecture: String, scale: Int, channels: (Int, Int), halo: Int) -> ModelMetadata {
    ModelMetadata(name: name, architecture: architecture, scale: scale, inputChannels: channels.0, outputChannels: channels.1, halo: halo)
  }

  static func integerRoot(_ n: Int) -> Int? {
    let r = Int(Double(n).squareRoot().rounded())
    return r * r == n ? r : nil
  }

  // MARK: ESRGAN / RRDBNet

  /// Renames the original ESRGAN repository's keys (`model.0`, `model.1.sub.N.RDBk.convj.0`,
  /// upsampling convolutions at `model.3`, `model.6`, ..., then the HR and last convolutions) to BasicSR's.
  static func basicSRNames(fromESRGAN state: StateDict) throws -> StateDict {
    let top = state.keys.compactMap { k -> Int? in
      let p = k.split(separator: ".")
      return p.count == 3 && p[0] == "model" ? Int(p[1]) : nil
    }
    guard let last = top.max(), last >= 4, (last - 4) % 3 == 0 else {
      throw InferenceError("ESRGAN: the top-level layers (model.N) end at \(top.max() ?? 0), which fits no upsampling layout")
    }
    let ups = (last - 4) / 3
    let trunk = state.keys.compactMap { k -> Int? in
      let p = k.split(separator: ".")
      return p.count == 5 && p[0] == "model" && p[1] == "1" && p[2] == "sub" ? Int(p[3]) : nil
    }.max() ?? -1
    var names: [Int: String] = [0: "conv_first", 3 * ups + 2: "conv_hr", last: "conv_last"]
    for u in 0..<ups { names[3 * (u + 1)] = "conv_up\(u + 1)" }
    var entries: [(String, WeightFormats.Tensor)] = []
    for key in state.keys {
      let p = key.split(separator: ".").map(String.init)
      var renamed = key
      if p.count == 3, p[0] == "model", let i = Int(p[1]), let n = names[i] {
        renamed = "\(n).\(p[2])"
      } else if p.count == 5, p[0] == "model", p[1] == "1", p[2] == "sub", Int(p[3]) == trunk {
        renamed = "conv_body.\(p[4])"
      } else if p.count == 8, p[0] == "model", p[1] == "1", p[2] == "sub", p[4].hasPrefix("RDB"), p[6] == "0" {
        renamed = "body.\(p[3]).\(p[4].lowercased()).\(p[5]).\(p[7])"
      }
      entries.append((renamed, state[key]!))
    }
    return try StateDict(entries, format: state.format)
  }

  static func rrdbNet(_ state: StateDict, name: String, layout: String) throws -> NCNNImporter.Result {
    var g = TorchGraph(state, architecture: "RRDBNet (\(layout) layout)")
    let first = try g.shape("conv_first.weight"), lastShape = try g.shape("conv_last.weight")
    let (inC, outC) = (first[1], lastShape[0])
    let unshuffle = inC == outC * 16 ? 4 : inC == outC * 4 ? 2 : 1
    var ups = 0
    while g.has("conv_up\(ups + 1).weight") { ups += 1 }
    let blocks = g.children("body").count
    guard blocks > 0, (1 << ups) % unshuffle == 0 else { throw g.fail("\(blocks) blocks, \(ups) upsampling layers and pixel-unshuffle \(unshuffle) make no model") }
    let lrelu = Activation.leakyReLU(slope: 0.2)

    let x = g.pixelUnshuffle(TorchGraph.input, unshuffle)
    let start = try g.conv(x, "conv_first")
    var b = start
    for i in 0..<blocks {
      let blockInput = b
      for r in 1...3 {
        let p = "body.\(i).rdb\(r)"
        var features = [b]
        for c in 1...4 { features.append(try g.conv(g.concat(features), "\(p).conv\(c)", activation: lrelu)) }
        b = g.sum([try g.conv(g.concat(features), "\(p).conv5"), features[0]], [0.2, 1])
      }
      b = g.sum([b, blockInput], [0.2, 1])
    }
    var f = g.sum([start, try g.conv(b, "conv_body")])
    for u in 0..<ups { f = try g.conv(g.resize(f, .nearest, 2), "conv_up\(u + 1)", activation: lrelu) }
    let out = try g.conv(try g.conv(f, "conv_hr", activation: lrelu), "conv_last")
    var m = metadata(name, "RRDBNet", scale: (1 << ups) / unshuffle, channels: (inC / (unshuffle * unshuffle), outC), halo: 10)
    m.sizeMultiple = unshuffle
    return try g.result(output: out, metadata: m)
  }

  // MARK: SRVGGNetCompact

  static func srvggNetCompact(_ state: StateDict, name: String) throws -> NCNNImporter.Result {
    var g = TorchGraph(state, architecture: "SRVGGNetCompact")
    let layers = g.children("body")
    guard let last = layers.last, layers == Array(0...last), last >= 2, last % 2 == 0 else {
      throw g.fail("body layers \(layers.prefix(12)) are not alternating convolutions and PReLUs (only PReLU activations are supported)")
    }
    let inC = try g.shape("body.0.weight")[1], lastOut = try g.shape("body.\(last).weight")[0]
    guard lastOut % inC == 0, let scale = integerRoot(lastOut / inC) else { throw g.fail("the last convolution's \(lastOut) outputs are not \(inC) x a square") }
    var y = TorchGraph.input
    for i in 0...last { y = i % 2 == 0 ? try g.conv(y, "body.\(i)") : try g.prelu(y, "body.\(i)") }
    let out = g.sum([g.pixelShuffle(y, scale), g.resize(TorchGraph.input, .nearest, scale)])
    return try g.result(output: out, metadata: metadata(name, "SRVGGNetCompact", scale: scale, channels: (inC, inC), halo: 10))
  }

  // MARK: MSRResNet

  static func msrResNet(_ state: StateDict, name: String) throws -> NCNNImporter.Result {
    var g = TorchGraph(state, architecture: "MSRResNet")
    let first = try g.shape("conv_first.weight"), up1 = try g.shape("upconv1.weight")
    let (feat, inC, outC) = (first[0], first[1], try g.shape("conv_last.weight")[0])
    guard up1[0] % feat == 0, let r = integerRoot(up1[0] / feat) else { throw g.fail("upconv1's \(up1[0]) outputs are not \(feat) x a square") }
    let twice = g.has("upconv2.weight")
    let scale = twice ? r * r : r
    let lrelu = Activation.leakyReLU(slope: 0.1)
    var b = try g.conv(TorchGraph.input, "conv_first", activation: lrelu)
    for i in g.children("body") {
      let t = try g.conv(try g.conv(b, "body.\(i).conv1", activation: .relu), "body.\(i).conv2")
      b = g.sum([b, t])
    }
    // LeakyReLU commutes with pixel shuffle, so it runs fused in the convolution.
    b = g.pixelShuffle(try g.conv(b, "upconv1", activation: lrelu), r)
    if twice { b = g.pixelShuffle(try g.conv(b, "upconv2", activation: lrelu), r) }
    let out = try g.conv(try g.conv(b, "conv_hr", activation: lrelu), "conv_last")
    let sum = g.sum([out, g.resize(TorchGraph.input, .bilinear, scale)])
    return try g.result(output: sum, metadata: metadata(name, "MSRResNet", scale: scale, channels: (inC, outC), halo: 12))
  }

  // MARK: SRGAN's SRResNet

  /// The SRGAN paper's generator: 9x9 convolution + PReLU, residual blocks conv-BN-PReLU-conv-BN,
  /// conv-BN and a long skip, x2 upsamplers (conv, pixel shuffle, PReLU), a 9x9 output convolution.
  static func srganResNet(_ state: StateDict, name: String) throws -> NCNNImporter.Result {
    var g = TorchGraph(state, architecture: "SRResNet (SRGAN)")
    let first = try g.shape("conv_block1.0.weight")
    let (feat, inC) = (first[0], first[1])
    let head = try g.sequential(TorchGraph.input, "conv_block1")
    var b = head
    for i in g.children("residual_blocks") { b = g.sum([b, try g.sequential(b, "residual_blocks.\(i).conv_block")]) }
    b = g.sum([head, try g.sequential(b, "conv_block2")])
    var scale = 1
    b = try g.sequential(b, "upsampling") { g, y, out in
      guard out % feat == 0, let r = integerRoot(out / feat) else { throw g.fail("an upsampling convolution has \(out) outputs, not \(feat) x a square") }
      scale *= r
      return g.pixelShuffle(y, r)
    }
    let out = g.has("conv_block3.weight") ? try g.conv(b, "conv_block3") : try g.sequential(b, "conv_block3")
    let outC = try g.shape(g.has("conv_block3.weight") ? "conv_block3.weight" : "conv_block3.0.weight")[0]
    return try g.result(output: out, metadata: metadata(name, "SRResNet", scale: scale, channels: (inC, outC), halo: 16))
  }

  // MARK: EDSR

  /// BasicSR's EDSR: inputs are shifted by the DIV2K mean and scaled to [0, 255] first, and mapped back
  /// at the end (folded into the last convolution). The residual scaling is not stored in checkpoints:
  /// 0.1 for the paper's large model (256 features, 32 blocks), otherwise 1.
  static func edsr(_ state: StateDict, name: String) throws -> NCNNImporter.Result {
    var g = TorchGraph(state, architecture: "EDSR")
    let first = try g.shape("conv_first.weight")
    let (feat, inC, outC) = (first[0], first[1], try g.shape("conv_last.weight")[0])
    let mean: [Float] = inC == 3 ? [0.4488, 0.4371, 0.4040] : [Float](repeating: 0.5, count: inC)
    guard outC == inC else { throw g.fail("\(inC) input and \(outC) output channels") }
    let range: Float = 255
    let blocks = g.children("body")
    let resScale: Float = feat == 256 && blocks.count == 32 ? 0.1 : 1
    let x = g.channelAffine(TorchGraph.input, name: "mean_shift", scale: [Float](repeating: range, count: inC), shift: mean.map { -$0 * range })
    let start = try g.conv(x, "conv_first")
    var b = start
    for i in blocks {
      let t = try g.conv(try g.conv(b, "body.\(i).conv1", activation: .relu), "body.\(i).conv2")
      b = g.sum([b, t], resScale == 1 ? nil : [1, resScale])
    }
    b = g.sum([try g.conv(b, "conv_after_body"), start])
    var scale = 1
    b = try g.sequential(b, "upsample") { g, y, out in
      guard out % feat == 0, let r = integerRoot(out / feat) else { throw g.fail("an upsampling convolution has \(out) outputs, not \(feat) x a square") }
      scale *= r
      return g.pixelShuffle(y, r)
    }
    let out = try g.conv(b, "conv_last", outputScale: [Float](repeating: 1 / range, count: outC), outputShift: mean)
    return try g.result(output: out, metadata: metadata(name, "EDSR", scale: scale, channels: (inC, outC), halo: 16))
  }
}
