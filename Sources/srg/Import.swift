import ArgumentParser
import Foundation
import Inference
import ToolSupport
import WeightFormats

struct Import: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Convert a pretrained generator into an .srg file.",
    discussion: """
      Sources: an ncnn model (.param with its .bin beside it), or a PyTorch generator checkpoint \
      (.pth, .pt, .ckpt or .safetensors) of a recognised architecture: ESRGAN/RRDBNet (original, \
      BasicSR and Real-ESRGAN pixel-unshuffle layouts), SRVGGNetCompact, MSRResNet, the SRGAN paper's \
      SRResNet, EDSR, fast.ai's U-Net (DynamicUnet over a ResNet encoder, fastai v1 or v2, as \
      learn.save writes it; the decrappify generator). Other PyTorch generators can be written with \
      examples/export/export_srg.py. \
      pytorch-fid's Inception weights (pt_inception-2015-12-05-6726825d.pth, or torch-fidelity's \
      copy) become fid's network: \
      srg import pt_inception-2015-12-05-6726825d.pth -o ~/.local/share/srg/models/inception-fid.srg
      """)

  @Argument(help: ArgumentHelp("The model to convert.", valueName: "source"), completion: .file(extensions: ["param", "pth", "pt", "ckpt", "safetensors"]))
  var source: String

  @Option(name: .shortAndLong, help: ArgumentHelp("The .srg file to write.", valueName: "file"), completion: .file(extensions: ["srg"]))
  var output: String

  @Option(help: "The model's name (default: from the source file name).")
  var name: String?

  @Option(help: "SRMD's noise level, 0-10, for models with a noise-level input.")
  var noise = 0

  @Flag(
    inversion: .prefixedNo,
    help: "fast.ai U-Net: its UnetBlocks blur after upsampling (blur=True, as fast.ai's decrappify trains it; fastai v2's default is False). Not in the checkpoint.")
  var unetBlur = true

  @Option(help: ArgumentHelp("fast.ai U-Net: the y_range of its last layer, or 'none'. Not in the checkpoint.", valueName: "lo,hi"))
  var unetYRange = "-3,3"

  @Flag(name: .shortAndLong, help: "Overwrite an existing output file.")
  var force = false

  func validate() throws {
    if !(0...10).contains(noise) { throw ValidationError("--noise must be 0 to 10") }
    _ = try yRange()
  }

  /// --unet-y-range as two numbers, nil for 'none'.
  func yRange() throws -> (Float, Float)? {
    if unetYRange == "none" { return nil }
    let parts = unetYRange.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
    guard parts.count == 2, let lo = parts[0], let hi = parts[1], lo.isFinite, hi.isFinite, lo < hi else {
      throw ValidationError("--unet-y-range must be 'none' or two numbers LO,HI with LO < HI")
    }
    return (lo, hi)
  }

  func run() throws {
    Diagnostics.tool = "srg"
    Interrupts.install()
    var result: NCNNImporter.Result
    do {
      switch URL(fileURLWithPath: source).pathExtension.lowercased() {
      case "param": result = try NCNNModels.load(paramPath: source, name: name, noise: noise)
      case "pth", "pt", "ckpt", "safetensors":
        let dict = try StateDict.load(path: source)
        if FIDInception.recognises(dict.keys) {
          result = try FIDInception.convert(dict.tensors.mapValues { ($0.shape, $0.values) }, name: name ?? "inception-fid")
        } else {
          var options = TorchImporter.Options()
          options.blur = unetBlur
          options.yRange = try yRange()
          result = try TorchImporter.convert(dict, name: name ?? URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent, options: options)
          result.spec.metadata.source = "PyTorch checkpoint \(URL(fileURLWithPath: source).lastPathComponent)"
        }
      default: throw InferenceError("unknown model format (expected an ncnn .param, or a .pth, .pt, .ckpt or .safetensors checkpoint)")
      }
    } catch {
      Diagnostics.error(source, "\(error)")
      throw ExitCode(Status.fatal)
    }
    do {
      let bytes = try SRGFile.encode(result.spec, weights: result.weights)
      try AtomicFile.write(to: Path(output), overwrite: force) { temp in
        try temp.write(bytes: bytes)
      }
    } catch {
      Diagnostics.error(output, "\(error)")
      throw ExitCode(Status.fatal)
    }
    let m = result.spec.metadata
    Diagnostics.write("srg: wrote \(output): \(m.name), \(m.architecture)" + (m.architecture == "FIDInceptionV3" ? "" : " x\(m.scale)"))
  }
}
