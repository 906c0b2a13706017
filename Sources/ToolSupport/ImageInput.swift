import Foundation
import Imaging

extension Input {
  /// Opens the image for streaming, upright (EXIF orientation applied), refusing images over
  /// `maxPixels` (0: no limit) before any pixel is decoded. With `allPages`, every page of a
  /// multi-page file (animated GIF or WebP, multi-page TIFF) is opened, stacked top to bottom.
  public func openImage(maxPixels: Int, allPages: Bool = false) throws -> Image {
    var image: Image
    switch self {
    case .file(let path):
      if !path.exists { throw InputFailure("no such file") }
      if path.isDirectory { throw InputFailure("is a folder, not an image (list its files: find DIR -type f | \(Diagnostics.tool))") }
      image = try path.withCString { try Image.load(path: $0) }
      if allPages, image.pageCount > 1 { image = try path.withCString { try Image.loadAllPages(path: $0) } }
      if maxPixels > 0, image.pixelCount > maxPixels { throw InputFailure.tooLarge(image, maxPixels) }
      // Rotation reads the image out of order: reopen it for random access.
      if image.orientation > 1 { image = try path.withCString { try Image.load(path: $0, sequential: false) }.autorotated() }
    case .standardInput:
      image = try Image.load(descriptor: 0)
      if maxPixels > 0, image.pixelCount > maxPixels { throw InputFailure.tooLarge(image, maxPixels) }
      if image.orientation > 1 { image = try image.inMemory().autorotated() }
    }
    return image
  }

  /// The extension to write when nothing else names one: the input's own, or for standard input the
  /// format it arrived in.
  public func defaultFormat(of image: Image?) -> String {
    if case .file(let p) = self, !p.extension.isEmpty { return p.extension }
    guard let loader = image?.loader, let end = loader.range(of: "load")?.lowerBound else { return "png" }
    let name = String(loader[..<end])
    return name == "jpeg" ? "jpg" : name
  }
}

/// A reason one input failed, worded for the user.
public struct InputFailure: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }

  static func tooLarge(_ image: Image, _ limit: Int) -> InputFailure {
    InputFailure("image is \(image.width)x\(image.height) (\(image.pixelCount) pixels), over the --max-pixels limit of \(limit)")
  }
}

/// An error that stops the whole batch (exit status 2).
public struct FatalError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}
