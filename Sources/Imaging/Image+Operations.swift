import CVips
import CVipsShim

/// libvips' own interpolation kernels.
public enum VipsKernel: String, CaseIterable, Sendable {
  case nearest, linear, cubic, mitchell, lanczos2, lanczos3

  var vips: CVips.VipsKernel {
    switch self {
    case .nearest: VIPS_KERNEL_NEAREST
    case .linear: VIPS_KERNEL_LINEAR
    case .cubic: VIPS_KERNEL_CUBIC
    case .mitchell: VIPS_KERNEL_MITCHELL
    case .lanczos2: VIPS_KERNEL_LANCZOS2
    case .lanczos3: VIPS_KERNEL_LANCZOS3
    }
  }
}

extension Image {
  /// Applies the EXIF orientation tag and removes it.
  public func autorotated() throws -> Image { try Image.check(srgv_autorot(pointer)) }

  /// libvips' resize: scales by `horizontal` x `vertical` with `kernel` (antialiased when shrinking).
  public func resized(horizontal: Double, vertical: Double, kernel: VipsKernel) throws -> Image {
    try Image.check(srgv_resize(pointer, horizontal, vertical, kernel.vips))
  }

  public func cropped(left: Int, top: Int, width: Int, height: Int) throws -> Image {
    try Image.check(srgv_extract_area(pointer, Int32(left), Int32(top), Int32(width), Int32(height)))
  }

  /// Converts samples to `format`, clipping to its range (float to integer truncates: round first).
  public func cast(_ format: PixelFormat) throws -> Image {
    format == self.format ? self : try Image.check(srgv_cast(pointer, format.vips))
  }

  /// Rounds to the nearest integer, still in a float format.
  public func rounded() throws -> Image { try Image.check(srgv_rint(pointer)) }

  /// Runs `body` on the image with its colour multiplied by alpha, then divides the alpha back out and
  /// returns samples of the original format. Images without alpha pass straight through. Resampling
  /// premultiplied colour keeps transparent pixels from bleeding dark fringes into the edges.
  public func premultiplied(_ body: (Image) throws -> Image) throws -> Image {
    guard hasAlpha else { return try body(self) }
    let original = format
    let pre = try Image.check(srgv_premultiply(pointer))
    let done = try body(pre)
    let un = try Image.check(srgv_unpremultiply(done.pointer))
    return try un.rounded().cast(original)
  }
}
