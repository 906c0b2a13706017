import Foundation
import WeightFormats

/// fast.ai's U-Net generator (`DynamicUnet`, from `unet_learner`) over a torchvision ResNet encoder,
/// as fast.ai's "decrappify" and super-resolution lessons train it:
/// `unet_learner(data, models.resnet34, blur=True, norm_type=NormType.Weight, self_attention=True,
/// y_range=(-3., 3.))`. Keys are those of fastai v1 (1.0.x) or v2 (2.x), which differ in the
/// PixelShuffle_ICNR, res-block and self-attention module paths; `learn.save`'s
/// `{'model': ..., 'opt': ...}` is unwrapped by the reader.
///
/// The SequentialEx `layers`: 0 the ResNet cut before its pooling (conv1, bn1, relu, maxpool,
/// layer1-4); 1 BatchNorm and 2 ReLU on its output; 3 two middle ConvLayers; then one UnetBlock per
/// encoder resolution change (hooks on the stem's ReLU and layer1-3, deepest first): PixelShuffle_ICNR
/// (1x1 ConvLayer, ReLU, pixel shuffle x2, optional blur: ReplicationPad2d((1, 0, 1, 0)) and a 2x2
/// average pool with stride 1), BatchNorm on the skip, ReLU of the concatenation, two 3x3
/// ConvLayers, the second optionally followed by SAGAN self-attention; a last PixelShuffle_ICNR
/// (never blurred); with last_cross, the network input concatenated and a res block; a 1x1
/// ConvLayer; with y_range, SigmoidRange. Hooks need sides that are multiples of 32.
///
/// Inputs and outputs are ImageNet-normalised (fast.ai's `imagenet_stats`, `do_y=True`); the graph
/// does both mappings, so it takes and gives samples in [0, 1]. Widths and depths come from the
/// tensor shapes; whether blocks blur and the y_range are not in a state dict and come from `options`.
extension TorchImporter {
  static let imagenetMean: [Float] = [0.485, 0.456, 0.406]
  static let imagenetStd: [Float] = [0.229, 0.224, 0.225]

  /// A ResNet stem inside `layers.0` (a torchvision body) and something more under `layers`.
  static func isFastaiUNet(_ state: StateDict) -> Bool {
    state["layers.0.0.weight"]?.shape.count == 4 && state["layers.0.4.0.conv1.weight"] != nil
  }

  static func fastaiUNet(_ state: StateDict, name: String, options: Options) throws -> NCNNImporter.Result {
    var g = TorchGraph(state, architecture: "fast.ai U-Net")
    let top = g.children("layers")
    let blocks = top.filter { i in state.keys.contains { $0.hasPrefix("layers.\(i).shuf.") } }
    guard let firstBlock = blocks.first else {
      throw g.fail("no UnetBlock (layers.N.shuf.*) after the ResNet encoder in layers.0: the decoder is missing")
    }
    let v1 = state.keys.contains { $0.hasPrefix("layers.\(firstBlock).shuf.conv.") }
    g = TorchGraph(state, architecture: "fast.ai U-Net (fastai \(v1 ? "v1" : "v2") layout)")
    // PixelShuffle_ICNR's convolution: v1 keeps it as `.conv`, v2's is child 0 of an nn.Sequential.
    let shuffleConv = v1 ? "conv" : "0"

    // Encoder: torchvision's ResNet with BasicBlocks (18, 34) or Bottlenecks (50, 101, 152).
    let stemShape = try g.shape("layers.0.0.weight")
    guard stemShape[1] == 3 else { throw g.fail("the encoder takes \(stemShape[1]) channels; ImageNet normalisation needs 3") }
    let x = g.channelMap(TorchGraph.input, name: "imagenet_normalise", scale: imagenetStd.map { 1 / $0 }, shift: zip(imagenetMean, imagenetStd).map { -$0 / $1 })
    var y = try g.conv(x, "layers.0.0", stride: 2, activation: .relu, batchNorm: "layers.0.1")
    var skips = [y], widths = [stemShape[0]], depths: [Int] = []
    y = g.pool(y, .max, kernel: 3, stride: 2, padding: 1)
    var bottleneck = false
    for stage in 4...7 {
      let p = "layers.0.\(stage)"
      let units = g.children(p)
      guard !units.isEmpty else { throw g.fail("the ResNet encoder has no layer\(stage - 3) (nothing under '\(p)')") }
      depths.append(units.count)
      for u in units {
        let b = "\(p).\(u)", stride = stage > 4 && u == units[0] ? 2 : 1
        bottleneck = g.has("\(b).conv3.weight")
        var t = try g.conv(y, "\(b).conv1", stride: bottleneck ? 1 : stride, activation: .relu, batchNorm: "\(b).bn1")
        if bottleneck {
          t = try g.conv(t, "\(b).conv2", stride: stride, activation: .relu, batchNorm: "\(b).bn2")
          t = try g.conv(t, "\(b).conv3", batchNorm: "\(b).bn3")
        } else {
          t = try g.conv(t, "\(b).conv2", batchNorm: "\(b).bn2")
        }
        var shortcut = y
        if g.has("\(b).downsample.0.weight") {
          shortcut = try g.conv(y, "\(b).downsample.0", stride: stride, batchNorm: "\(b).downsample.1")
        } else if stride != 1 {
          throw g.fail("'\(b)' halves the resolution but has no downsample shortcut")
        }
        y = g.activation(g.sum([t, shortcut]), .relu)
      }
      skips.append(y)
      widths.append(try g.shape("\(p).\(units.last!).\(bottleneck ? "conv3" : "conv2").weight")[0])
    }
    skips.removeLast()  // layer4 feeds the middle, not a skip

    // The middle: BatchNorm and ReLU, then two ConvLayers.
    y = try channelMap(&g, y, "layers.1", channels: widths[4], activation: .relu)
    let middle = g.children("layers.3")
    guard !middle.isEmpty else { throw g.fail("the middle convolutions (layers.3.*) are missing") }
    for i in middle { y = try convLayer(&g, y, "layers.3.\(i)", activation: .relu) }

    // UnetBlocks, deepest skip first.
    guard blocks.count == skips.count, blocks == Array(blocks[0]..<(blocks[0] + blocks.count)) else {
      throw g.fail("UnetBlocks at layers \(blocks); a ResNet encoder needs \(skips.count) consecutive ones")
    }
    for (k, b) in blocks.enumerated() {
      let p = "layers.\(b)", s = skips.count - 1 - k
      var up = g.pixelShuffle(try convLayer(&g, y, "\(p).shuf.\(shuffleConv)", activation: .relu), 2)
      if options.blur { up = g.pool(g.pad(up, .replicate, top: 1, left: 1, bottom: 0, right: 0), .average, kernel: 2, stride: 1) }
      // ReLU of the concatenation: `up` is already non-negative.
      let skip = try channelMap(&g, skips[s], "\(p).bn", channels: widths[s], activation: .relu)
      y = try convLayer(&g, g.concat([up, skip]), "\(p).conv1", activation: .relu)
      y = try convLayer(&g, y, "\(p).conv2", activation: .relu)
    }

    // The last upsampling, then last_cross (the input and a res block), the 1x1 head, y_range.
    let rest = top.filter { $0 > blocks.last! }
    guard let final = rest.first else { throw g.fail("nothing follows the last UnetBlock (layers.\(blocks.last!))") }
    y = g.pixelShuffle(try convLayer(&g, y, "layers.\(final).\(shuffleConv)", activation: .relu), 2)
    guard rest.count == 2 || rest.count == 3 else {
      throw g.fail("after the last upsampling it has layers \(rest.dropFirst()); expected an optional res block and a 1x1 convolution")
    }
    if rest.count == 3 {
      let p = "layers.\(rest[1])"
      y = g.concat([y, x])
      if v1 {
        // fastai v1's res_block: x + relu(conv(relu(conv(x)))).
        let t = try convLayer(&g, try convLayer(&g, y, "\(p).layers.0", activation: .relu), "\(p).layers.1", activation: .relu)
        y = g.sum([t, y])
      } else {
        // fastai v2's ResBlock(1, ni, nf): relu(conv(relu(conv(x))) + idpath(x)).
        let t = try convLayer(&g, try convLayer(&g, y, "\(p).convpath.0", activation: .relu), "\(p).convpath.1", activation: .none)
        let id = g.children("\(p).idpath").isEmpty ? y : try convLayer(&g, y, "\(p).idpath.0", activation: .none)
        y = g.activation(g.sum([t, id]), .relu)
      }
    }
    let head = "layers.\(rest.last!)"
    y = try convLayer(&g, y, head, activation: options.yRange == nil ? .none : .sigmoid)
    let outC = g.weights["\(head).0.bias"]!.shape[0]
    guard outC == 3 else { throw g.fail("the head gives \(outC) channels; ImageNet denormalisation needs 3") }
    // SigmoidRange (lo + (hi - lo) sigmoid) and the ImageNet denormalisation, as one per-channel map.
    let (lo, span): (Float, Float) = options.yRange.map { ($0.0, $0.1 - $0.0) } ?? (0, 1)
    y = g.channelMap(
      y, name: "imagenet_denormalise", scale: imagenetStd.map { $0 * span }, shift: zip(imagenetMean, imagenetStd).map { $0 + lo * $1 })

    let encoder = resnetName(depths, bottleneck: bottleneck)
    // No border: fast.ai runs it on the image as it is, so an image that fits one tile gives torch's
    // output; between tiles the tools add their usual context (attention makes it global, so tiled
    // results differ slightly from a whole-image run).
    var m = metadata(name, "DynamicUnet (\(encoder))", scale: 1, channels: (3, 3), halo: 0)
    m.sizeMultiple = 32
    let result = try g.result(output: y, metadata: m)
    // Widths that do not fit together would only show when the model runs: plan it now.
    do {
      _ = try Network(SRGFile.decode(Data(SRGFile.encode(result.spec, weights: result.weights)))).plan(side: 64)
    } catch {
      throw g.fail("the layers' shapes do not fit together: \(error)")
    }
    return result
  }

  static func resnetName(_ depths: [Int], bottleneck: Bool) -> String {
    let known: [[Int]: Int] = bottleneck ? [[3, 4, 6, 3]: 50, [3, 4, 23, 3]: 101, [3, 8, 36, 3]: 152] : [[2, 2, 2, 2]: 18, [3, 4, 6, 3]: 34]
    return known[depths].map { "ResNet-\($0)" } ?? "ResNet \(bottleneck ? "bottleneck" : "basic") blocks \(depths)"
  }

  /// A batch norm that follows no convolution (on the encoder's output, on each skip), as a
  /// per-channel map, then `activation`.
  static func channelMap(_ g: inout TorchGraph, _ x: String, _ prefix: String, channels: Int, activation: Activation) throws -> String {
    let bn = try g.batchNorm(prefix, channels: channels, eps: 1e-5)
    return g.channelMap(x, name: prefix, scale: bn.scale, shift: bn.shift, activation: activation)
  }

  /// fast.ai's ConvLayer (v2) or conv_layer (v1): an nn.Sequential whose child 0 is a convolution
  /// (plain or weight-normalised, 'same' padding) followed by `activation`, which holds no tensors.
  /// A batch norm at child 1 (v2's order, or v1's without an activation) is folded into the
  /// convolution; one at child 2 (v1's order: after the activation) maps its output; a child with
  /// `query` tensors is self-attention, last.
  static func convLayer(_ g: inout TorchGraph, _ x: String, _ prefix: String, activation: Activation) throws -> String {
    let parts = g.children(prefix)
    guard parts.first == 0 else { throw g.fail("the state dict has no convolution at '\(prefix).0'") }
    var folded: String?, after: String?, attention: String?
    for i in parts.dropFirst() {
      let c = "\(prefix).\(i)"
      if g.has("\(c).running_mean") && i == 1 {
        folded = c
      } else if g.has("\(c).running_mean") && i == 2 && activation != .none && folded == nil {
        after = c
      } else if g.state.keys.contains(where: { $0.hasPrefix("\(c).query.") }) && attention == nil && i == parts.last {
        attention = c
      } else {
        throw g.fail("'\(c)' is not a batch norm or self-attention where fast.ai's ConvLayer can have one")
      }
    }
    var y = try g.conv(x, "\(prefix).0", activation: activation, batchNorm: folded)
    if let after { y = try channelMap(&g, y, after, channels: g.weights["\(prefix).0.bias"]!.shape[0], activation: .none) }
    if let attention { y = try selfAttention(&g, y, attention) }
    return y
  }

  /// fast.ai's SelfAttention: query, key and value are spectral-normalised, bias-free Conv1d of
  /// kernel 1 (v1: the Conv1d itself; v2: child 0 of a ConvLayer), and gamma one value.
  static func selfAttention(_ g: inout TorchGraph, _ x: String, _ prefix: String) throws -> String {
    func projection(_ role: String) throws -> WeightFormats.Tensor {
      let base = g.state.keys.contains { $0.hasPrefix("\(prefix).\(role).0.") } ? "\(prefix).\(role).0" : "\(prefix).\(role)"
      let w = try g.spectralWeight(base, rank: 3)
      guard w.shape[2] == 1 else { throw g.fail("'\(base)' has kernel \(w.shape[2]), expected 1") }
      return w
    }
    let (q, k, v) = (try projection("query"), try projection("key"), try projection("value"))
    let c = v.shape[0]
    guard v.shape[1] == c, q.shape[1] == c, k.shape == q.shape else {
      throw g.fail("self-attention '\(prefix)': query \(q.shape), key \(k.shape) and value \(v.shape) do not fit \(c) channels")
    }
    let gamma = try g.take("\(prefix).gamma", rank: 1).values
    guard gamma.count == 1 else { throw g.fail("'\(prefix).gamma' has \(gamma.count) values, expected 1") }
    return g.selfAttention(x, name: prefix, query: q, key: k, value: v, gamma: gamma[0])
  }
}
