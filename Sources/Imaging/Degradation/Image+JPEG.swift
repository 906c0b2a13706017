import CVips
import CVipsShim

extension Image {
  /// The image encoded as a baseline JPEG at `quality` (1-100) with libjpeg's standard tables
  /// scaled as libjpeg does, 4:2:0 chroma (as Pillow and libjpeg default to) and no metadata.
  /// Float images are rounded and clipped to 8 bits first.
  public func jpegEncoded(quality: Int) throws -> [UInt8] {
    let source = try roundedToUChar()
    var buffer: UnsafeMutableRawPointer?
    var length = 0
    guard srgv_jpegsave_buffer(source.pointer, Int32(quality), &buffer, &length) == 0, let buffer else {
      throw VipsError.fromBuffer()
    }
    defer { g_free(buffer) }
    return Array(UnsafeRawBufferPointer(start: buffer, count: length))
  }

  /// Decodes an encoded image held in memory (the bytes are copied).
  public static func load(bytes: [UInt8]) throws -> Image {
    try Vips.start()
    return try bytes.withUnsafeBytes { try check(srgv_load_buffer_copy($0.baseAddress, $0.count)) }
  }
}
