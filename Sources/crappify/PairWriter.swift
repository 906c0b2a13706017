import Imaging
import ToolSupport

/// Writes training pairs: DIR/hr/NAME beside DIR/lr/NAME (the layout BasicSR's paired datasets and
/// fast.ai's loaders read), or aligned random patches NAME_000.EXT, NAME_001.EXT, ...
struct PairWriter {
  let hrNaming: OutputNaming
  let lrNaming: OutputNaming
  let force: Bool
  let patch: Int?
  let patchesPerImage: Int
  /// The whole-number scale between HR and LR, if there is one.
  let scale: Int?

  init(directory: String, format: String?, force: Bool, patch: Int?, patchesPerImage: Int, scale: Int?) {
    hrNaming = OutputNaming(output: directory + "hr/", format: format)
    lrNaming = OutputNaming(output: directory + "lr/", format: format)
    (self.force, self.patch, self.patchesPerImage, self.scale) = (force, patch, patchesPerImage, scale)
  }

  /// The clean image the pair starts from: cropped from the top left to a multiple of the scale, so
  /// the LR is exactly 1/scale of it, and held in memory (it is read twice).
  func prepare(_ image: Image) throws -> Image {
    guard let s = scale, s > 1 else { return try image.inMemory() }
    let (w, h) = (image.width / s * s, image.height / s * s)
    guard w > 0, h > 0 else { throw InputFailure("image is smaller than the scale factor \(s)") }
    if let patch, w < patch || h < patch {
      throw InputFailure("image is \(image.width)x\(image.height), smaller than the \(patch) px patch")
    }
    return try image.cropped(left: 0, top: 0, width: w, height: h).inMemory()
  }

  func write(
    hr: Image, lr: Image, degraded: Degraded, job: Job, source: Image, seed: UInt64, name: [UInt8], entry: inout JSONRecord
  ) throws {
    let format = job.input.defaultFormat(of: source)
    guard case .file(let hrPath) = try hrNaming.destination(for: job.input, inputFormat: format),
      case .file(let lrPath) = try lrNaming.destination(for: job.input, inputFormat: format)
    else { throw InputFailure("pairs need files, not standard input") }
    guard let patch, let s = scale else {
      try save(hr, to: hrPath)
      try job.save(lr, encodedJPEG: degraded.jpeg, source: source)
      return
    }
    // Patch positions have their own draws, so the LR does not depend on the patch options.
    var draws = Draws(seed: seed, name: name + Array("\u{0}patches".utf8))
    let small = patch / s
    let lrImage = try lr.inMemory()
    var corners: [String] = []
    for i in 0..<patchesPerImage {
      let x = draws.int(0...(lrImage.width - small)), y = draws.int(0...(lrImage.height - small))
      corners.append("\(x * s),\(y * s)")
      try save(try hr.cropped(left: x * s, top: y * s, width: patch, height: patch), to: numbered(hrPath, i))
      try save(try lrImage.cropped(left: x, top: y, width: small, height: small), to: numbered(lrPath, i))
    }
    entry["patch_size"] = .int(patch)
    entry["patches"] = .string(corners.joined(separator: " "))
    job.record["patches"] = .int(patchesPerImage)
  }

  /// NAME.EXT -> NAME_007.EXT
  func numbered(_ path: Path, _ i: Int) -> Path {
    let suffix = Array("_\(String(repeating: "0", count: max(0, 3 - String(i).count)))\(i)".utf8)
    let ext = path.extension.isEmpty ? [] : Array(".\(path.extension)".utf8)
    return path.directory.appending(path.stem + suffix + ext)
  }

  func save(_ image: Image, to path: Path) throws {
    let options = Array((hrNaming.saverOptions.map { "[\($0)]" } ?? "").utf8)
    try AtomicFile.write(to: path, overwrite: force) { temp in
      try Path(bytes: temp.bytes + options).withCString { try image.save(to: $0) }
    }
  }
}
