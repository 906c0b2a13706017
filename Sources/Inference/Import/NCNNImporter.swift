import Foundation

/// Converts an ncnn model (`.param` + `.bin`) into a graph and weights, reading input and output
/// names from the graph. Weights stored as float16 stay float16.
public enum NCNNImporter {
  public struct Result {
    public var spec: GraphSpec
    public var weights: [String: SRGFile.Weight]
  }

  public static func convert(param: String, bin: [UInt8], name: String) throws -> Result {
    let graph = try NCNNParam(text: param)
    var stream = NCNNWeights(bytes: bin)
    var alias: [String: String] = [:]  // Split outputs name their input
    var nodes: [NodeSpec] = []
    var weights: [String: SRGFile.Weight] = [:]
    var inputs: [String] = []
    var produced: [String] = []
    func resolve(_ b: String) -> String { alias[b] ?? b }

    for (i, layer) in graph.layers.enumerated() {
      func fail(_ why: String) -> InferenceError { InferenceError("layer \(i) \(layer.type) '\(layer.name)': \(why)") }
      let ins = layer.inputs.map(resolve)
      guard let out = layer.outputs.first else {
        if layer.type == "Input" { throw fail("has no output blob") }
        continue
      }
      var node = NodeSpec(op: "", inputs: ins, output: out)
      func store(_ role: String, _ values: [Float], shape: [Int], half: Bool) {
        let key = "\(i).\(role)"
        weights[key] = SRGFile.Weight(shape: shape, values: values, dtype: half ? .f16 : .f32)
        node.weights = (node.weights ?? [:]).merging([role: key]) { $1 }
      }
      func activation(_ type: Int, _ params: [Float]) throws -> ActivationSpec? {
        switch type {
        case 0: return nil
        case 1: return ActivationSpec(.relu)
        case 2: return ActivationSpec(.leakyReLU(slope: params.first ?? 0))
        case 3: return ActivationSpec(.clamp(min: params.first ?? -.infinity, max: params.count > 1 ? params[1] : .infinity))
        case 4: return ActivationSpec(.sigmoid)
        default: throw fail("activation type \(type) is not supported")
        }
      }

      switch layer.type {
      case "Input":
        inputs.append(out)
        continue
      case "Split":
        guard ins.count == 1 else { throw fail("takes one input") }
        for o in layer.outputs { alias[o] = ins[0] }
        continue
      case "Convolution", "ConvolutionDepthWise", "Deconvolution":
        let outC = layer.int(0, 0), kw = layer.int(1, 0), kh = layer.int(11, kw)
        let size = layer.int(6, 0)
        let group = layer.type == "ConvolutionDepthWise" ? layer.int(7, 1) : 1
        guard outC > 0, kw > 0, kh > 0, size > 0, group > 0, size % (outC * kh * kw) == 0 else { throw fail("inconsistent shape parameters") }
        guard layer.int(8, 0) == 0 else { throw fail("int8 quantisation is not supported") }
        let inPer = size / (outC * kh * kw)
        let pl = layer.int(4, 0), pt = layer.int(14, pl), pr = layer.int(15, pl), pb = layer.int(16, pt)
        guard [pl, pt, pr, pb].allSatisfy({ $0 >= 0 }) else { throw fail("automatic padding (SAME) is not supported") }
        node.kernel = [kh, kw]
        node.stride = [layer.int(13, layer.int(3, 1)), layer.int(3, 1)]
        node.padding = [pt, pl, pb, pr]
        node.activation = try activation(layer.int(9, 0), layer.array(10))
        let (w, half) = try stream.tagged(size)
        if layer.type == "Deconvolution" {
          guard layer.int(20, 0) == 0, layer.int(21, 0) == 0 else { throw fail("explicit output sizes are not supported") }
          node.op = "conv_transpose2d"
          node.outputPadding = [layer.int(19, layer.int(18, 0)), layer.int(18, 0)]
          store("weight", w, shape: [outC, inPer, kh, kw], half: half)
        } else {
          node.op = "conv2d"
          node.dilation = [layer.int(12, layer.int(2, 1)), layer.int(2, 1)]
          if group > 1 { node.groups = group }
          store("weight", w, shape: [outC, inPer, kh, kw], half: half)
        }
        if layer.int(5, 0) != 0 { store("bias", try stream.raw(outC), shape: [outC], half: false) }
      case "InnerProduct":
        let outC = layer.int(0, 0), size = layer.int(2, 0)
        guard outC > 0, size > 0, size % outC == 0 else { throw fail("inconsistent shape parameters") }
        node.op = "linear"
        node.activation = try activation(layer.int(9, 0), layer.array(10))
        let (w, half) = try stream.tagged(size)
        store("weight", w, shape: [outC, size / outC], half: half)
        if layer.int(1, 0) != 0 { store("bias", try stream.raw(outC), shape: [outC], half: false) }
      case "PReLU":
        let n = layer.int(0, 0)
        guard n > 0 else { throw fail("no slopes") }
        node.op = "prelu"
        store("slope", try stream.raw(n), shape: [n], half: false)
      case "ReLU":
        node.op = "activation"
        let slope = layer.float(0, 0)
        node.activation = ActivationSpec(slope == 0 ? .relu : .leakyReLU(slope: slope))
      case "Sigmoid":
        node.op = "activation"
        node.activation = ActivationSpec(.sigmoid)
      case "TanH":
        node.op = "activation"
        node.activation = ActivationSpec(.tanh)
      case "Clip":
        node.op = "activation"
        node.activation = ActivationSpec(.clamp(min: layer.float(0, -.greatestFiniteMagnitude), max: layer.float(1, .greatestFiniteMagnitude)))
      case "Concat":
        guard layer.int(0, 0) == 0 else { throw fail("only channel concatenation is supported") }
        node.op = "concat"
      case "Eltwise":
        switch layer.int(0, 1) {
        case 0: node.op = "multiply"
        case 1:
          node.op = "add"
          let c = layer.array(1)
          if !c.isEmpty { node.coefficients = c }
        default: throw fail("Eltwise max is not supported")
        }
      case "BinaryOp":
        let op = layer.int(0, 0)
        if layer.int(1, 0) != 0 {
          let b = layer.float(2, 0)
          node.op = "affine"
          switch op {
          case 0: node.value = [1, b]
          case 1: node.value = [1, -b]
          case 2: node.value = [b, 0]
          case 3: node.value = [1 / b, 0]
          default: throw fail("scalar operation \(op) is not supported")
          }
        } else {
          switch op {
          case 0: node.op = "add"
          case 1: node.op = "add"; node.coefficients = [1, -1]
          case 2: node.op = "multiply"
          default: throw fail("operation \(op) is not supported")
          }
        }
      case "Interp":
        let modes = [1: "nearest", 2: "bilinear", 3: "bicubic"]
        guard let mode = modes[layer.int(0, 0)] else { throw fail("resize type \(layer.int(0, 0)) is not supported") }
        guard layer.int(3, 0) == 0, layer.int(4, 0) == 0, layer.int(6, 0) == 0 else { throw fail("fixed output sizes and align_corner are not supported") }
        node.op = "resize"
        node.mode = mode
        node.scales = [layer.float(1, 1), layer.float(2, 1)]
      case "PixelShuffle":
        guard layer.int(1, 0) == 0 else { throw fail("mode 1 (DCR) is not supported") }
        node.op = "pixel_shuffle"
        node.factor = layer.int(0, 1)
      case "Crop":
        node.op = "crop"
        node.offset = [layer.int(1, 0), layer.int(0, 0)]
        if ins.count < 2 {
          let w = layer.int(3, 0), h = layer.int(4, 0)
          guard w > 0, h > 0 else { throw fail("crop without a reference needs a size") }
          node.size = [h, w]
        }
      case "Pooling":
        if layer.int(4, 0) != 0 {
          guard layer.int(0, 0) == 1 else { throw fail("global max pooling is not supported") }
          node.op = "global_average_pool"
        } else {
          node.op = layer.int(0, 0) == 0 ? "max_pool" : "average_pool"
          let k = layer.int(1, 0), s = layer.int(2, 1), p = layer.int(3, 0)
          node.kernel = [layer.int(11, k), k]
          node.stride = [layer.int(12, s), s]
          node.padding = [layer.int(13, p), p, layer.int(15, layer.int(13, p)), layer.int(14, p)]
          node.countIncludePad = layer.int(6, 0) == 0 ? nil : true
        }
      case "Scale":
        guard layer.int(0, 0) == -233, ins.count == 2 else { throw fail("only per-channel scaling by a second input is supported") }
        node.op = "multiply"
      default:
        throw fail("this layer type is not supported")
      }
      nodes.append(node)
      produced.append(out)
    }
    guard stream.atEnd else { throw InferenceError("ncnn .bin has \(bin.count - stream.offset) bytes no layer reads: it does not belong to this .param") }
    guard inputs.count == 1, let output = produced.last else { throw InferenceError("the graph must have one Input layer and at least one other layer") }
    let metadata = ModelMetadata(name: name, architecture: "", scale: 1, halo: 0)
    return Result(spec: GraphSpec(metadata: metadata, inputs: inputs, outputs: [output], nodes: nodes), weights: weights)
  }
}
