import CVips
import CVipsShim
import Foundation

extension Image {
  /// The font the text degradation draws with: DejaVu Sans Bold (Debian's fonts-dejavu-core), loaded
  /// from its file when present so the result does not depend on fontconfig's fallbacks.
  public static let textFontFamily = "DejaVu Sans Bold"
  public static let textFontFile = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

  /// `text` rendered by libvips (pango) as a one-band 8-bit coverage mask, `pixelSize` pixels high
  /// (the font size at libvips' 72 dpi).
  public static func textMask(_ text: String, pixelSize: Int) throws -> Image {
    try Vips.start()
    let font = "\(textFontFamily) \(pixelSize)"
    let file = FileManager.default.fileExists(atPath: textFontFile) ? textFontFile : nil
    if let file { return try check(srgv_text(text, font, file)) }
    return try check(srgv_text(text, font, nil))
  }

  /// Paints `colour` (one value per band) through `mask` placed with its top left at (x, y);
  /// partial coverage blends. The result has this image's format.
  public func painting(mask: Image, x: Int, y: Int, colour: [Double]) throws -> Image {
    let placed = try Image.check(srgv_embed_black(mask.pointer, Int32(x), Int32(y), Int32(width), Int32(height)))
    let paint = try colour.withUnsafeBufferPointer {
      try Image.check(srgv_constant_like(pointer, $0.baseAddress, Int32($0.count)))
    }
    return try Image.check(srgv_ifthenelse_blend(placed.pointer, paint.pointer, pointer)).cast(format)
  }
}
