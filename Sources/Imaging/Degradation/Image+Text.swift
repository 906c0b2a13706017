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
    _ = fontFileAdded
    return try check(srgv_text(text, "\(textFontFamily) \(pixelSize)", nil))
  }

  /// Starts libvips' text rendering (fontconfig's configuration, pango, the font file: some 25 ms the
  /// first time) so that the first `textMask` does not pay for it. Safe from any thread.
  public static func prepareTextRendering() {
    guard (try? Vips.start()) != nil else { return }
    _ = fontFileAdded
  }

  /// Hands the font file to libvips, once per process, by rendering a digit with it. Once added, the
  /// family name finds that face. (libvips 8.14 forgets which files it has added: its table keeps a
  /// pointer to a string it frees, so passing the file with every text re-reads the font and empties
  /// pango's caches, a few milliseconds each time.)
  private static let fontFileAdded: Bool = {
    guard FileManager.default.fileExists(atPath: textFontFile), let mask = srgv_text("0", "\(textFontFamily) 12", textFontFile)
    else {
      vips_error_clear()
      return false
    }
    g_object_unref(mask)
    return true
  }()

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
