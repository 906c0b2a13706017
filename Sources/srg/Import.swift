import ArgumentParser
import Foundation
import Inference
import ToolSupport

struct Import: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Convert a pretrained generator into an .srg file.",
    discussion: """
      Sources: an ncnn model (.param with its .bin beside it), or a PyTorch generator checkpoint \
      (.pth, .pt, .ckpt or .safetensors) of a recognised architecture: ESRGAN/RRDBNet (original, \
      BasicSR and Real-ESRGAN pixel-unshuffle layouts), SRVGGNetCompact, MSRResNet, the SRGAN paper's \
      SRResNet, EDSR. Other PyTorch generators can be written with examples/export/export_srg.py.
      """)

  @Argument(help: ArgumentHelp("The model to convert.", valueName: "source"), completion: .file(extensions: ["param", "pth", "pt", "ckpt", "safetensors"]))
  var source: String

  @Option(name: .shortAndLong, help: ArgumentHelp("The .srg file to write.", valueName: "file"), completion: .file(extensions: ["srg"]))
  var output: String

  @Option(help: "The model's name (default: from the source file name).")
  var name: String?

  @Option(help: "SRMD's noise level, 0-10, for models with a noise-level input.")
  var noise = 0

  @Flag(name: .shortAndLong, help: "Overwrite an existing output file.")
  var force = false

  func validate() throws {
    if !(0...10).contains(noise) { throw ValidationError("--noise must be 0 to 10") }
  }

  func run() throws {
    Diagnostics.tool = "srg"
    Interrupts.install()
    let result: NCNNImporter.Result
    do {
      switch URL(fileURLWithPath: source).pathExtension.lowercased() {
      case "param": result = try NCNNModels.load(paramPath: source, name: name, noise: noise)
      case "pth", "pt", "ckpt", "safetensors": result = try TorchImporter.load(path: source, name: name)
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
    Diagnostics.write("srg: wrote \(output): \(m.name), \(m.architecture) x\(m.scale)")
  }
}
