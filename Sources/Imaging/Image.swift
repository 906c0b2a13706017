import CVips
import CVipsShim

/// The sample type of each band.
public enum PixelFormat: Sendable, Equatable {
  case uchar, char, ushort, short, uint, int, float, double, complex, dpcomplex

  init(_ f: VipsBandFormat) {
    switch f {
    case VIPS_FORMAT_UCHAR: self = .uchar
    case VIPS_FORMAT_CHAR: self = .char
    case VIPS_FORMAT_USHORT: self = .ushort
    case VIPS_FORMAT_SHORT: self = .short
    case VIPS_FORMAT_UINT: self = .uint
    case VIPS_FORMAT_INT: self = .int
    case VIPS_FORMAT_FLOAT: self = .float
    case VIPS_FORMAT_DOUBLE: self = .double
    case VIPS_FORMAT_COMPLEX: self = .complex
    default: self = .dpcomplex
    }
  }

  var vips: VipsBandFormat {
    switch self {
    case .uchar: VIPS_FORMAT_UCHAR
    case .char: VIPS_FORMAT_CHAR
    case .ushort: VIPS_FORMAT_USHORT
    case .short: VIPS_FORMAT_SHORT
    case .uint: VIPS_FORMAT_UINT
    case .int: VIPS_FORMAT_INT
    case .float: VIPS_FORMAT_FLOAT
    case .double: VIPS_FORMAT_DOUBLE
    case .complex: VIPS_FORMAT_COMPLEX
    case .dpcomplex: VIPS_FORMAT_DPCOMPLEX
    }
  }

  /// Bytes per sample.
  public var size: Int {
    switch self {
    case .uchar, .char: 1
    case .ushort, .short: 2
    case .uint, .int, .float: 4
    case .double, .complex: 8
    case .dpcomplex: 16
    }
  }
}

/// An immutable libvips image. Pixels are computed on demand when the image is saved or read; the
/// object owns one reference and drops it when released. libvips images are safe to share between threads.
public final class Image: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<VipsImage>

  /// Takes ownership of one reference.
  init(owning pointer: UnsafeMutablePointer<VipsImage>) { self.pointer = pointer }

  /// Wraps the result of a shim call that returns NULL on failure.
  static func check(_ result: UnsafeMutablePointer<VipsImage>?) throws -> Image {
    guard let result else { throw VipsError.fromBuffer() }
    return Image(owning: result)
  }

  deinit { g_object_unref(pointer) }

  public var width: Int { Int(vips_image_get_width(pointer)) }
  public var height: Int { Int(vips_image_get_height(pointer)) }
  public var bands: Int { Int(vips_image_get_bands(pointer)) }
  public var format: PixelFormat { PixelFormat(vips_image_get_format(pointer)) }
  public var hasAlpha: Bool { vips_image_hasalpha(pointer) != 0 }
  public var pixelCount: Int { width * height }

  /// Whether the image carries metadata field `name` (for example "icc-profile-data", "exif-data").
  public func hasField(_ name: String) -> Bool { vips_image_get_typeof(pointer, name) != 0 }
}

extension Image {
  /// The EXIF orientation tag, 1 (upright) to 8.
  public var orientation: Int { Int(vips_image_get_orientation(pointer)) }

  /// The loader that decoded the image ("jpegload", "pngload_source", ...), if known.
  public var loader: String? {
    var value: UnsafePointer<CChar>?
    guard vips_image_get_string(pointer, "vips-loader", &value) == 0, let value else {
      vips_error_clear()
      return nil
    }
    return String(cString: value)
  }
}
