import Imaging

/// Models are trained on sRGB pixels, so an image with an ICC profile, or in CMYK, is converted to
/// sRGB before it is enlarged and back into its own profile afterwards, which the result carries.
/// CMYK comes out as sRGB with libvips' sRGB profile, as vipsthumbnail makes it: a second separation
/// would invent a black generation the original never had, and PNG and WebP cannot hold CMYK. With
/// `--strip` the result also stays sRGB: untagged pixels are read as sRGB. Alpha is set aside, so
/// libvips never rescales it, and every step works point by point, so the image still streams.
enum Colour {
  /// Runs `body` on `image` in sRGB (same depth, alpha kept as the last band) and returns its result
  /// in the image's own colour space. `warn` hears of a profile that cannot be used.
  static func inSRGB(
    _ image: Image, keepProfile: Bool, warn: (String) -> Void, _ body: (Image) throws -> Image
  ) throws -> Image {
    let cmyk = image.isCMYK
    guard image.iccProfile != nil || cmyk, image.format == .uchar || image.format == .ushort,
      Image.colourManagementAvailable
    else { return try body(image) }
    let depth = image.format == .ushort ? 16 : 8
    let colourBands = image.bands - (image.hasAlpha ? 1 : 0)
    let alpha = image.hasAlpha ? try image.bands(colourBands, count: 1) : nil
    var srgb: Image
    do {
      // A CMYK file without a profile is read with libvips' stock CMYK profile.
      srgb = try image.bands(0, count: colourBands).iccTransformed(to: "srgb", from: cmyk ? "cmyk" : nil, depth: depth)
    } catch {
      warn("its ICC profile is unusable; its pixels were taken as sRGB")
      return try body(image)
    }
    // Grey comes out of a grey profile as R = G = B (within a level): it stays one band.
    if colourBands == 1 { srgb = try srgb.bandMean() }
    let out = try body(alpha.map { try srgb.joined(with: $0) } ?? srgb)
    guard keepProfile, !cmyk, let profile = image.iccProfile else { return out }
    let n = out.bands - (alpha == nil ? 0 : 1)
    var colour = try out.bands(0, count: n)
    if n == 1 { colour = try colour.joined(with: colour).joined(with: colour) }
    let back: Image
    do {
      back = try colour.iccTransformed(toProfile: profile, ignoringEmbeddedFrom: "srgb", depth: depth)
    } catch {
      // Input-only profiles (scanners, cameras) cannot take colour back.
      warn("its ICC profile cannot take colour back from sRGB; the result is sRGB")
      return out
    }
    return alpha == nil ? back : try back.joined(with: out.bands(n, count: 1))
  }
}
