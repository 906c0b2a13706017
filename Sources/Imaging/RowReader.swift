import CVips
import CVipsShim

/// Reads an image's pixels a band of rows at a time, top to bottom, so a sequentially opened image
/// streams through in bounded memory. One reader per thread.
public final class RowReader {
  public let image: Image
  private let region: UnsafeMutablePointer<VipsRegion>

  public init(_ image: Image) throws {
    try Vips.start()
    guard let r = vips_region_new(image.pointer) else { throw VipsError.fromBuffer() }
    self.image = image
    region = r
  }

  deinit { g_object_unref(region) }

  /// Computes `rect` and returns a view of it; valid until the next call.
  public func read(_ rect: Rect) throws -> Region {
    let r = Region(pointer: region)
    try r.prepare(rect)
    return r
  }
}
