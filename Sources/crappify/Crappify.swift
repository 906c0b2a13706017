import ArgumentParser
import Dispatch
import Imaging
import ToolSupport

enum Recipe: String, ExpressibleByArgument, CaseIterable {
  case fastai, realesrgan
}

@main
struct Crappify: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Degrade good images into the low-quality inputs restoration GANs train on.",
    discussion: """
      Recipes: fastai (the default) is fast.ai's crappifier: shrink so the shorter side is --size \
      pixels with Pillow's bilinear filter, draw a random number in a random size, place and colour, \
      then JPEG at a random quality 10-70. realesrgan is Real-ESRGAN's second-order degradation with \
      its published ranges and probabilities (blur kernels, random resizes, Gaussian and Poisson noise, \
      JPEG, twice, then the final sinc filter and resize to 1/--scale). Or chain stages instead, in \
      the order given: --downscale, --blur, --noise, --jpeg (values or ranges such as 30-90), --text.

      Random draws come from --seed and each input's path as given, so the same command gives the same \
      bytes whatever -j or the order of inputs. Outputs are 8-bit sRGB (alpha flattened onto black); \
      when the last step is JPEG and the output is .jpg, its bytes are written as they are. \
      --manifest records every image's draws. --pairs DIR writes DIR/hr/NAME (the clean image, cropped \
      to a multiple of an integer scale) and DIR/lr/NAME (PNG unless --format), or with --patch, \
      aligned random patches named NAME_000.png and so on.

      Examples:
        crappify -o crappy/ photos/*.jpg
        crappify --recipe realesrgan --seed 7 --pairs train/ --patch 256 --patches-per-image 8 hr/*.png
        crappify --downscale 4 --blur 0.5-2 --noise 2-10 --jpeg 30-90 --manifest lr.jsonl -o lr/ hr/*.png
      """)

  @OptionGroup var batch: BatchOptions

  @Option(help: "Degradation recipe: fastai or realesrgan (default fastai; not with stage options).")
  var recipe: Recipe?

  @Option(help: ArgumentHelp("fastai: the shorter side of the result, in pixels.", valueName: "px"))
  var size: Int?

  @Option(help: ArgumentHelp("realesrgan: the scale factor (the result is 1/scale of each side).", valueName: "n"))
  var scale: Int?

  @Option(help: ArgumentHelp("Stage: shrink by this factor with MATLAB's antialiased bicubic.", valueName: "factor"))
  var downscale: [Double] = []

  @Option(help: ArgumentHelp("Stage: Gaussian blur of this sigma in pixels, or a range (0.5-2) to draw from.", valueName: "sigma"))
  var blur: [String] = []

  @Option(help: ArgumentHelp("Stage: Gaussian colour noise of this sigma in 8-bit levels, or a range to draw from.", valueName: "sigma"))
  var noise: [String] = []

  @Option(help: ArgumentHelp("Stage: JPEG round trip at this quality (1-100), or a range (30-90) to draw from.", valueName: "q"))
  var jpeg: [String] = []

  @Flag(help: "Stage: draw a random number in a random size, position and colour.")
  var text: Int

  @Option(help: ArgumentHelp("Seed of the random draws, mixed with each input's path.", valueName: "n"))
  var seed: UInt64 = 0

  @Option(help: ArgumentHelp("Write each image's drawn parameters to this file (JSON Lines, sorted by input).", valueName: "file"), completion: .file())
  var manifest: String?

  @Option(help: ArgumentHelp("Write training pairs: DIR/hr/NAME and DIR/lr/NAME (instead of -o).", valueName: "dir"), completion: .directory)
  var pairs: String?

  @Option(help: ArgumentHelp("With --pairs: write random aligned patches this many HR pixels square.", valueName: "px"))
  var patch: Int?

  @Option(help: ArgumentHelp("With --patch: patches per image.", valueName: "n"))
  var patchesPerImage: Int = 1

  func validate() throws {
    let steps = try stageSteps()
    if !steps.isEmpty && recipe != nil { throw ValidationError("--recipe cannot be combined with stage options") }
    let effective = steps.isEmpty ? (recipe ?? .fastai) : nil
    if let size, effective != .fastai || size < 1 { throw ValidationError("--size takes a positive number, with the fastai recipe") }
    if let scale, effective != .realesrgan || scale < 1 { throw ValidationError("--scale takes a positive integer, with --recipe realesrgan") }
    if pairs != nil && batch.output != nil { throw ValidationError("--pairs writes DIR/hr and DIR/lr: leave out -o") }
    if let patch {
      guard pairs != nil else { throw ValidationError("--patch needs --pairs") }
      guard let s = integerScale(steps) else {
        throw ValidationError("--patch needs an integer scale: the realesrgan recipe or integer --downscale factors")
      }
      if patch < s || patch % s != 0 { throw ValidationError("--patch must be a multiple of the scale (\(s))") }
    }
    if patchesPerImage < 1 { throw ValidationError("--patches-per-image must be at least 1") }
  }

  /// The stage options as steps, in command-line order.
  func stageSteps() throws -> [DegradationStep] {
    var values: [String: [DegradationStep]] = [:]
    values["downscale"] = try downscale.map { f in
      guard f > 0 && f.isFinite else { throw ValidationError("--downscale must be a positive number") }
      return .downscale(factor: f)
    }
    values["blur"] = try blur.map { .blur(sigma: try ValueRange.parse($0, option: "--blur", within: 0.01...100)) }
    values["noise"] = try noise.map { .noise(sigma: try ValueRange.parse($0, option: "--noise", within: 0...255)) }
    values["jpeg"] = try jpeg.map { s in
      let r = try ValueRange.parse(s, option: "--jpeg", within: 1...100)
      guard r.lowerBound == r.lowerBound.rounded(), r.upperBound == r.upperBound.rounded() else {
        throw ValidationError("--jpeg takes whole qualities, as 75 or 30-90")
      }
      return .jpeg(quality: Int(r.lowerBound)...Int(r.upperBound))
    }
    values["text"] = Array(repeating: .text, count: text)
    return StageOrder.arrange(values, arguments: CommandLine.arguments)
  }

  /// The scale between HR and LR when it is a whole number.
  func integerScale(_ steps: [DegradationStep]) -> Int? {
    if steps.isEmpty { return recipe == .realesrgan ? (scale ?? 4) : nil }
    let s = DegradationStep.scale(of: steps)
    return s == s.rounded() && s >= 1 ? Int(s) : nil
  }

  func run() throws {
    let steps = try stageSteps()
    let degrade = degradation(steps)
    let scale = integerScale(steps)
    var options = batch
    var writer: PairWriter?
    if let pairs {
      let dir = pairs.hasSuffix("/") ? pairs : pairs + "/"
      options.output = dir + "lr/"
      options.format = options.format ?? "png"
      writer = PairWriter(directory: dir, format: options.format, force: batch.force, patch: patch, patchesPerImage: patchesPerImage, scale: scale)
    }
    let log = try manifest.map { try Manifest(path: $0, force: batch.force) }
    let runner = try Batch(tool: "crappify", options: options)
    let recipeName = steps.isEmpty ? (recipe ?? .fastai).rawValue : "stages"
    // Text rendering takes some 25 ms to start: start it beside the first decodes rather than on
    // whichever job draws text first (with another job waiting on libvips' text lock).
    let warmUp = DispatchGroup()
    if (try? Vips.start()) != nil, steps.isEmpty ? (recipe ?? .fastai) == .fastai : steps.contains(.text) {
      DispatchQueue.global().async(group: warmUp) { Image.prepareTextRendering() }
    }
    defer { warmUp.wait() }
    let code = runner.run { job in
      let source = try job.openImage()
      var hr = try source.flattenedSRGB8()
      if let writer { hr = try writer.prepare(hr) }
      let name = Self.seedName(job.input)
      var draws = Draws(seed: seed, name: name)
      let degraded = try degrade(hr, &draws)
      let lr = try degraded.finished()
      var entry = JSONRecord()
      entry["input"] = .string(job.input.description)
      entry["recipe"] = .string(recipeName)
      entry["seed"] = seed <= UInt64(Int.max) ? .int(Int(seed)) : .string(String(seed))
      entry["lr_width"] = .int(lr.width)
      entry["lr_height"] = .int(lr.height)
      for (key, value) in draws.log { entry[key] = value.json }
      if let writer {
        try writer.write(hr: hr, lr: lr, degraded: degraded, job: job, source: source, seed: seed, name: name, entry: &entry)
      } else {
        try job.save(lr, encodedJPEG: degraded.jpeg, source: source)
      }
      for (key, value) in draws.log { job.record[key] = value.json }
      log?.add(entry)
    }
    do {
      try log?.write()
    } catch {
      Diagnostics.error("\(error)")
      throw ExitCode(Status.fatal)
    }
    throw ExitCode(code)
  }

  /// The function that degrades one 8-bit sRGB image.
  func degradation(_ steps: [DegradationStep]) -> (Image, inout Draws) throws -> Degraded {
    if !steps.isEmpty { return { try DegradationStep.apply(steps, to: $0, draws: &$1) } }
    switch recipe ?? .fastai {
    case .fastai:
      let r = FastAIRecipe(size: size ?? 96)
      return { try r.apply(to: $0, draws: &$1) }
    case .realesrgan:
      var settings = RealESRGANSettings()
      settings.scale = scale ?? 4
      let r = RealESRGANRecipe(settings: settings)
      return { try r.apply(to: $0, draws: &$1) }
    }
  }

  /// The name an input's draws are keyed by: its path as given, with "." components dropped
  /// ("./a.png" and "a.png" draw alike), or "-" for standard input.
  static func seedName(_ input: Input) -> [UInt8] {
    guard case .file(let path) = input else { return Array("-".utf8) }
    let parts = path.components.filter { $0 != [UInt8(ascii: ".")] }
    return (path.isAbsolute ? [UInt8(ascii: "/")] : []) + Array(parts.joined(separator: [UInt8(ascii: "/")]))
  }
}

extension DrawnValue {
  var json: JSONRecord.Value {
    switch self {
    case .int(let v): .int(v)
    case .double(let v): .double(v)
    case .string(let v): .string(v)
    case .bool(let v): .bool(v)
    }
  }
}
