import ArgumentParser
import Imaging
import ToolSupport

/// The resampling kernels `downscale` offers: MATLAB's and Pillow's bicubic, and libvips' own.
enum Kernel: String, ExpressibleByArgument, CaseIterable {
  case matlab, pil, nearest, linear, cubic, mitchell, lanczos2, lanczos3
}

@main
struct Downscale: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Make low-resolution images for super-resolution training and evaluation.",
    discussion: """
      The default kernel is MATLAB's imresize bicubic (antialiased when shrinking), which the SR \
      literature uses to make its low-resolution test sets. Images keep their alpha (resampled \
      premultiplied), bit depth, ICC profile and metadata; EXIF orientation is applied. Large images \
      stream through in strips.

      Examples:
        downscale -s 4 -o lr/ hr/*.png
        find hr -name '*.png' | downscale -s 4 --modcrop -o lr/
        downscale --size 256x256 --crop-square -k lanczos3 -o '%s_256.jpg[Q=95]' photo.jpg
      """)

  @OptionGroup var batch: BatchOptions

  @Option(name: .shortAndLong, help: ArgumentHelp("Shrink by this factor (4 = a quarter of each side; need not be an integer).", valueName: "factor"))
  var scale: Double?

  @Option(help: ArgumentHelp("Output width in pixels (height follows the aspect ratio unless given).", valueName: "px"))
  var width: Int?

  @Option(help: ArgumentHelp("Output height in pixels (width follows the aspect ratio unless given).", valueName: "px"))
  var height: Int?

  @Option(help: ArgumentHelp("Output size as WIDTHxHEIGHT.", valueName: "WxH"))
  var size: String?

  @Option(name: .shortAndLong, help: "Resampling kernel: matlab, pil, or libvips' nearest, linear, cubic, mitchell, lanczos2, lanczos3.")
  var kernel: Kernel = .matlab

  @Flag(help: "First crop each image (from the top left) so its sides divide by the integer --scale, as SR datasets do.")
  var modcrop = false

  @Flag(help: "First crop the centred square of each image.")
  var cropSquare = false

  func validate() throws {
    let given = [scale != nil, width != nil || height != nil, size != nil].filter { $0 }.count
    if given != 1 { throw ValidationError("give one of --scale, --width/--height, or --size") }
    if let scale, !(scale > 0 && scale.isFinite) { throw ValidationError("--scale must be a positive number") }
    if let w = width, w < 1 { throw ValidationError("--width must be at least 1") }
    if let h = height, h < 1 { throw ValidationError("--height must be at least 1") }
    if let size, parse(size) == nil { throw ValidationError("--size must look like 640x480") }
    if modcrop, scale.map({ $0 != $0.rounded() }) ?? true {
      throw ValidationError("--modcrop needs an integer --scale")
    }
  }

  func parse(_ size: String) -> (Int, Int)? {
    let parts = size.lowercased().split(separator: "x")
    guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), w > 0, h > 0 else { return nil }
    return (w, h)
  }

  func run() throws {
    let runner = try Batch(tool: "downscale", options: batch)
    let code = runner.run { job in
      let image = try job.openImage()
      try job.save(try shrink(image), source: image)
    }
    throw ExitCode(code)
  }

  func shrink(_ original: Image) throws -> Image {
    var image = original
    if cropSquare {
      let side = min(image.width, image.height)
      image = try image.cropped(left: (image.width - side) / 2, top: (image.height - side) / 2, width: side, height: side)
    }
    if modcrop, let scale {
      let s = Int(scale)
      let (w, h) = (image.width / s * s, image.height / s * s)
      guard w > 0, h > 0 else { throw InputFailure("image is smaller than the scale factor \(s)") }
      image = try image.cropped(left: 0, top: 0, width: w, height: h)
    }
    let (w, h) = outputSize(image)
    let source = image
    return try image.premultiplied { pre in
      switch kernel {
      case .matlab:
        // MATLAB places samples by the factor it is given (imresize(A, 1/s)), not by the size ratio.
        return try pre.resampled(
          width: w, height: h, rule: .matlab, horizontalScale: scale.map { 1 / $0 }, verticalScale: scale.map { 1 / $0 })
      case .pil:
        return try pre.resampled(width: w, height: h, rule: .pil)
      default:
        return try pre.resized(
          horizontal: Double(w) / Double(source.width), vertical: Double(h) / Double(source.height),
          kernel: VipsKernel(rawValue: kernel.rawValue)!)
      }
    }
  }

  /// MATLAB's rule (ceil(n/s)) for the matlab kernel; the nearest integer otherwise, as libvips and
  /// Pillow users compute it.
  func outputSize(_ image: Image) -> (Int, Int) {
    let (iw, ih) = (Double(image.width), Double(image.height))
    if let scale {
      let rule: FloatingPointRoundingRule = kernel == .matlab ? .up : .toNearestOrEven
      return (max(1, Int((iw / scale).rounded(rule))), max(1, Int((ih / scale).rounded(rule))))
    }
    if let size, let (w, h) = parse(size) { return (w, h) }
    switch (width, height) {
    case let (w?, h?): return (w, h)
    case let (w?, nil): return (w, max(1, Int((ih * Double(w) / iw).rounded())))
    case let (nil, h?): return (max(1, Int((iw * Double(h) / ih).rounded())), h)
    default: return (image.width, image.height)
    }
  }
}
