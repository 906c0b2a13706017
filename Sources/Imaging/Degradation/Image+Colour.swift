import CVips
import CVipsShim

extension Image {
  /// The image as 8-bit sRGB without alpha: transparency is flattened onto black, grey becomes
  /// three equal bands, 16-bit samples are scaled to 8 bits.
  public func flattenedSRGB8() throws -> Image {
    var image = self
    if image.hasAlpha { image = try Image.check(srgv_flatten(image.pointer)) }
    image = try Image.check(srgv_colourspace(image.pointer, VIPS_INTERPRETATION_sRGB))
    return try image.cast(.uchar)
  }

  /// Float samples rounded to the nearest integer and clipped to 0...255; 8-bit images pass through.
  public func roundedToUChar() throws -> Image {
    format == .uchar ? self : try rounded().cast(.uchar)
  }
}
