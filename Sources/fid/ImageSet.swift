import ArgumentParser
import Foundation
import ToolSupport
import WeightFormats

/// One side of the comparison: image files, or precomputed statistics.
struct ImageSet {
  enum Kind {
    case images([Path])
    case statistics(mean: [Double], covariance: [Double])
  }

  var name: String
  var kind: Kind

  static let extensions: Set<String> = ["bmp", "jpg", "jpeg", "pgm", "png", "ppm", "tif", "tiff", "webp"]

  static func isImage(_ p: Path) -> Bool { extensions.contains(p.extension.lowercased()) }

  /// A folder (recursive), an .npz, a list file, or `-` (a list on standard input).
  static func resolve(_ argument: String, nulSeparated: Bool) throws -> ImageSet {
    if argument == "-" {
      if isatty(0) != 0 { throw ValidationError("-: expected a list of image paths on standard input") }
      let list = InputList.split(InputList.readAll(fd: 0), separator: nulSeparated ? 0 : UInt8(ascii: "\n")).map { Path(bytes: $0) }
      return ImageSet(name: "-", kind: .images(list))
    }
    let path = InputList.rawArguments()[argument] ?? Path(argument)
    guard path.exists else { throw ValidationError("\(path): no such file or folder") }
    if path.isDirectory {
      let files = try path.filesRecursively().filter(isImage).map { path.appending($0.bytes) }
      return ImageSet(name: argument, kind: .images(files))
    }
    if path.extension.lowercased() == "npz" {
      let arrays = try NumpyArchive.read(path: argument)
      guard let mu = arrays["mu"], let sigma = arrays["sigma"] else {
        throw ValidationError("\(argument): no 'mu' and 'sigma' arrays (has \(arrays.keys.sorted().joined(separator: ", ")))")
      }
      let d = mu.values.count
      guard mu.shape.count == 1, sigma.shape == [d, d] else {
        throw ValidationError("\(argument): mu is \(mu.shape) and sigma \(sigma.shape); expected [d] and [d, d]")
      }
      return ImageSet(name: argument, kind: .statistics(mean: mu.values, covariance: sigma.values))
    }
    if isImage(path) { return ImageSet(name: argument, kind: .images([path])) }
    let data = try path.withCString { p -> [UInt8] in
      let fd = open(p, O_RDONLY)
      guard fd >= 0 else { throw SystemError(errno: errno, action: "cannot open \(argument)") }
      defer { close(fd) }
      return InputList.readAll(fd: fd)
    }
    return ImageSet(name: argument, kind: .images(InputList.split(data, separator: nulSeparated ? 0 : UInt8(ascii: "\n")).map { Path(bytes: $0) }))
  }
}
