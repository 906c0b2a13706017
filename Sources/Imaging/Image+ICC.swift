import CVips
import CVipsShim
import Foundation

extension Image {
  /// The embedded ICC profile's bytes, if the image carries one.
  public var iccProfile: [UInt8]? {
    var data: UnsafeRawPointer?
    var length = 0
    guard hasField("icc-profile-data"), vips_image_get_blob(pointer, "icc-profile-data", &data, &length) == 0, let data
    else {
      vips_error_clear()
      return nil
    }
    return Array(UnsafeRawBufferPointer(start: data, count: length))
  }

  /// Whether the samples are CMYK ink amounts.
  public var isCMYK: Bool { vips_image_get_interpretation(pointer) == VIPS_INTERPRETATION_CMYK }

  /// Whether libvips was built with colour management (lcms).
  public static var colourManagementAvailable: Bool { (try? Vips.start()) != nil && vips_icc_present() != 0 }

  /// The colour converted to `profile` (a file name, or libvips' built-in "srgb", "cmyk" or "p3") with
  /// `depth` (8 or 16) bits per sample, the profile attached. The source profile is the embedded one,
  /// else `input` (same naming); with neither, libvips' default for the image's interpretation.
  /// Point by point, so it streams.
  public func iccTransformed(to profile: String, from input: String? = nil, depth: Int) throws -> Image {
    try Image.check(srgv_icc_transform(pointer, profile, input, 1, Int32(depth)))
  }

  /// `iccTransformed` from `input`, ignoring any embedded profile (which a processed image may have
  /// inherited from its source).
  public func iccTransformed(to profile: String, ignoringEmbeddedFrom input: String, depth: Int) throws -> Image {
    try Image.check(srgv_icc_transform(pointer, profile, input, 0, Int32(depth)))
  }

  /// `iccTransformed(to:ignoringEmbeddedFrom:depth:)` to a profile given as bytes (an image's own):
  /// libvips takes profiles by file name only, so they go to a private temporary file, removed as
  /// soon as the operation has read it.
  public func iccTransformed(toProfile bytes: [UInt8], ignoringEmbeddedFrom input: String, depth: Int) throws -> Image {
    let folder = NSTemporaryDirectory()
    var template = Array((folder.hasSuffix("/") ? folder : folder + "/").utf8CString.dropLast()) + Array("srg-icc-XXXXXX.icc".utf8CString)
    let fd = mkstemps(&template, 4)
    guard fd >= 0 else { throw VipsError("cannot make a temporary profile file in \(folder): \(String(cString: strerror(errno)))") }
    let path = String(cString: template)
    defer { unlink(path) }
    let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
    let closed = close(fd)
    guard written == bytes.count, closed == 0 else { throw VipsError("cannot write a temporary profile file \(path): \(String(cString: strerror(errno)))") }
    return try iccTransformed(to: path, ignoringEmbeddedFrom: input, depth: depth)
  }
}
