import Foundation

/// Describes ncnn generators as their official ncnn programs run them (Real-ESRGAN, waifu2x and
/// SRMD ncnn-vulkan): the architecture, scale, the border the network consumes, the context a tile
/// needs, size alignment, and SRMD's degradation-map planes.
public enum NCNNModels {
  /// The bicubic blur kernel projected on SRMD's 15-dimensional PCA basis (srmd_preproc.comp):
  /// the same for every scale and noise level.
  public static let srmdBicubicDegradation: [Float] = [
    -1.12360956e-08, -1.36899159e-08, 1.85637958e-02, 2.86066886e-08, 3.35292965e-02, 8.37272935e-08,
    -2.54424009e-07, -3.16234976e-02, -1.35169253e-02, -1.10466090e-08, 3.84753793e-02, 3.79465739e-08,
    -2.44916752e-01, -8.02213490e-01, -5.40549755e-01,
  ]

  /// Imports `param` (with the `.bin` beside it) and fills in the metadata. `noise` is SRMD's noise
  /// level (0-10) for models with a noise plane.
  public static func load(paramPath: String, name: String? = nil, noise: Int = 0) throws -> NCNNImporter.Result {
    let binPath = String(paramPath.dropLast(paramPath.hasSuffix(".param") ? 6 : 0)) + ".bin"
    guard let text = try? String(contentsOfFile: paramPath, encoding: .utf8) else { throw InferenceError("\(paramPath): cannot read") }
    guard let bin = FileManager.default.contents(atPath: binPath) else { throw InferenceError("\(binPath): cannot read (the weights beside the .param)") }
    let base = URL(fileURLWithPath: paramPath).deletingPathExtension()
    let defaultName = base.deletingLastPathComponent().lastPathComponent.hasPrefix("models-")
      ? base.deletingLastPathComponent().lastPathComponent.dropFirst(7) + "-" + base.lastPathComponent
      : base.lastPathComponent
    var result = try NCNNImporter.convert(param: text, bin: Array(bin), name: name ?? String(defaultName))
    try describe(&result, noise: noise)
    result.spec.metadata.source = "ncnn model \(URL(fileURLWithPath: paramPath).lastPathComponent)"
    return result
  }

  static func describe(_ r: inout NCNNImporter.Result, noise: Int) throws {
    let ops = Set(r.spec.nodes.map(\.op))
    guard let first = r.spec.nodes.first(where: { $0.op == "conv2d" }), let w = first.weights?["weight"], let shape = r.weights[w]?.shape else {
      throw InferenceError("the graph has no convolution to read the input channels from")
    }
    let inputChannels = shape[1]
    var m = r.spec.metadata
    switch inputChannels {
    case 3: m.inputChannels = 3
    case 18, 19:
      // SRMD: colour, 15 degradation planes, and (srmd, not srmdnf) a noise-level plane.
      m.inputChannels = 3
      m.extraInputPlanes = srmdBicubicDegradation + (inputChannels == 19 ? [Float(noise) / 255] : [])
    default: throw InferenceError("a first convolution over \(inputChannels) channels matches no known model family")
    }
    m.architecture =
      inputChannels != 3 ? "SRMD"
      : ops.contains("linear") ? "CUNet"
      : ops.contains("conv_transpose2d") ? "UpConv7"
      : ops.contains("pixel_shuffle") ? "SRVGGNetCompact"
      : ops.contains("concat") ? "RRDBNet" : "unknown"
    // Scale and consumed border from two trial sizes: out = s*n - 2*s*c.
    let probe = try Network(SRGFile.decode(Data(SRGFile.encode(GraphSpec(metadata: m, inputs: r.spec.inputs, outputs: r.spec.outputs, nodes: r.spec.nodes), weights: r.weights))))
    let channels = inputChannels
    let o1 = try probe.plan(.init(channels: channels, height: 64, width: 64)).output
    let o2 = try probe.plan(.init(channels: channels, height: 72, width: 72)).output
    let s = (o2.width - o1.width) / 8
    guard s >= 1, (o2.width - o1.width) % 8 == 0, (s * 64 - o1.width) % (2 * s) == 0 else {
      throw InferenceError("cannot tell the scale: 64 px give \(o1.width), 72 px give \(o2.width)")
    }
    m.scale = s
    m.consumes = (s * 64 - o1.width) / (2 * s)
    m.outputChannels = o1.channels
    // Context per tile, as the official programs pad: Real-ESRGAN 10, SRMD 12, waifu2x what it consumes.
    switch m.architecture {
    case "SRMD": m.halo = 12
    case "UpConv7", "CUNet": m.halo = m.consumes
    default: m.halo = 10
    }
    if m.architecture == "CUNet" { m.sizeMultiple = s == 1 ? 4 : 2 }
    m.fp16Safe = true
    r.spec.metadata = m
  }
}
