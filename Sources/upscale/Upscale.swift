import ArgumentParser
import Foundation
import Imaging
import Inference
import Numerics
import ToolSupport

enum Pages: String, ExpressibleByArgument, CaseIterable {
  case first, all
}

@main
struct Upscale: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Super-resolve images with a generator network, streaming tiles through libvips.",
    discussion: """
      The network runs tile by tile as the output is written, so memory depends on the image's width \
      and the tile size, not its area. Tiles overlap by the model's halo; colour goes through the \
      network, alpha is enlarged with the bicubic kernel. Grey images stay grey and 16-bit images \
      stay 16-bit; EXIF orientation is applied and metadata kept (--strip drops it). An image with an \
      ICC profile goes through the network in sRGB, as models are trained, and comes back in its own \
      profile, which it keeps; CMYK and --strip results stay sRGB.

      Models are .srg files (see srg(1) and srg(5)), given by path or by name from $SRG_MODEL_PATH, \
      ~/.local/share/srg/models or the install's share/srg/models. The built-in baselines are -m bicubic \
      (MATLAB's bicubic, as SR papers compare against) and -m lanczos (libvips' lanczos3), with --scale.

      Examples:
        find . -name '*.jpg' | upscale -o out/
        upscale -m realesr-animevideov3-x4 --outscale 2 -o '%s_x2.png' frame.png
        upscale -m bicubic --scale 2 -o sr/ lr/*.png
      """)

  @OptionGroup var batch: BatchOptions

  @Option(name: .shortAndLong, help: ArgumentHelp("Model name or .srg file, or bicubic or lanczos.", valueName: "model"), completion: .file(extensions: ["srg"]))
  var model = "realesrgan-x4plus"

  @Option(name: .shortAndLong, help: ArgumentHelp("Scale of the bicubic and lanczos baselines (a network's scale is its own).", valueName: "factor"))
  var scale: Int?

  @Option(help: ArgumentHelp("Resize the result by this factor relative to the input (for example 2 with a x4 model).", valueName: "factor"))
  var outscale: Double?

  @Option(help: ArgumentHelp("Resize the result to this width (height follows unless given).", valueName: "px"))
  var width: Int?

  @Option(help: ArgumentHelp("Resize the result to this height (width follows unless given).", valueName: "px"))
  var height: Int?

  @Option(help: ArgumentHelp("Tile side in input pixels (default: from --memory and the model's cost). Tiles that would pass --memory, or whose memory cannot be allocated, are halved.", valueName: "px"))
  var tile: Int?

  @Option(help: ArgumentHelp("Memory budget for the network's working tensors, in MiB: tiles running at once stay within it.", valueName: "MiB"))
  var memory = 1024

  @Flag(help: "Average the network over the 8 flips and rotations of each tile (8 times slower).")
  var tta = false

  @Option(help: ArgumentHelp("How alpha is enlarged: resize (the bicubic kernel) or model (through the network, as grey).", valueName: "how"))
  var alpha: AlphaMode = .resize

  @Option(help: ArgumentHelp("Pages of animated GIF/WebP and multi-page TIFF files to upscale: first or all.", valueName: "which"))
  var pages: Pages = .first

  @Flag(help: "List the installed models and exit.")
  var listModels = false

  func validate() throws {
    if let scale, !(1...16).contains(scale) { throw ValidationError("--scale must be 1 to 16") }
    if let outscale, !(outscale > 0) { throw ValidationError("--outscale must be positive") }
    if [outscale != nil, width != nil || height != nil].filter({ $0 }).count > 1 { throw ValidationError("give --outscale or --width/--height, not both") }
    if let tile, tile < 16 { throw ValidationError("--tile must be at least 16") }
    if memory < 1 { throw ValidationError("--memory must be at least 1 MiB") }
  }

  func run() throws {
    if listModels { return try list() }
    let runner = try Batch(tool: "upscale", options: batch)
    // Tiles run in parallel on libvips' threads and split over the cores left idle (IdleCores),
    // never through OpenBLAS' own threads.
    BLAS.threads = 1
    let method: Method
    do {
      method = try Method(model: model, scale: scale, tta: tta, alpha: alpha)
    } catch {
      Diagnostics.error(model, "\(error)")
      throw ExitCode(Status.fatal)
    }
    TileMemory.shared.budget = min(memory, 1 << 40) << 20
    let cores = IdleCores(runner.threads)
    let code = runner.run { job in
      let image = try job.openImage(allPages: pages == .all)
      var warnings: [String] = []
      let log = TileLog()
      // Each page goes through the network on its own, so no frame borrows context from the next.
      let frames = try image.pages().map { page in
        try Colour.inSRGB(page, keepProfile: !runner.strips, warn: { warnings.append($0) }) {
          try resized(method.upscale($0, tile: tile, memory: memory, cores: cores, log: log), from: $0)
        }
      }
      try job.save(frames.count == 1 ? frames[0] : Image.stacking(frames), source: image)
      if let side = log.smallestSide { warnings.append("not enough memory for the tiles asked: some were halved down to \(side) px (see --memory)") }
      if !batch.quiet { for w in Set(warnings).sorted() { Diagnostics.warning(job.input, w) } }
    }
    throw ExitCode(code)
  }

  /// --outscale, --width, --height: the network's result resized with libvips' lanczos3.
  func resized(_ out: Image, from input: Image) throws -> Image {
    var (w, h) = (out.width, out.height)
    if let outscale {
      (w, h) = (max(1, Int((Double(input.width) * outscale).rounded())), max(1, Int((Double(input.height) * outscale).rounded())))
    } else if width != nil || height != nil {
      w = width ?? max(1, Int((Double(out.width) * Double(height!) / Double(out.height)).rounded()))
      h = height ?? max(1, Int((Double(out.height) * Double(w) / Double(out.width)).rounded()))
    }
    if (w, h) == (out.width, out.height) { return out }
    return try out.premultiplied {
      try $0.resized(horizontal: Double(w) / Double(out.width), vertical: Double(h) / Double(out.height), kernel: .lanczos3)
    }
  }

  func list() throws {
    let models = ModelLibrary.installed()
    if models.isEmpty {
      Diagnostics.write("upscale: no models installed in \(ModelLibrary.directories.joined(separator: ", ")) (./setup installs them)")
    }
    for (name, path) in models {
      let size = ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
      if let net = try? Network(path: path) {
        StandardOutput.write(line: "\(name)\tx\(net.metadata.scale)\t\(net.metadata.architecture)\t\(size / 1_000_000) MB\t\(path)")
      } else {
        StandardOutput.write(line: "\(name)\t?\tunreadable\t\(size / 1_000_000) MB\t\(path)")
      }
    }
  }
}
