import CVips
import Foundation
import CVipsShim

extension Image {
  /// Opens an image file. Pixels are decoded on demand; `sequential` lets libvips stream the file top
  /// to bottom instead of decoding it whole. Truncated or corrupt data fails rather than warns.
  public static func load(path: UnsafePointer<CChar>, sequential: Bool = true) throws -> Image {
    try Vips.start()
    return try check(srgv_load_path(path, sequential ? 1 : 0))
  }

  public static func load(path: String, sequential: Bool = true) throws -> Image {
    try path.withCString { try load(path: $0, sequential: sequential) }
  }

  /// Reads one image's bytes from a file descriptor (a pipe or standard input).
  public static func load(descriptor: Int32, sequential: Bool = true) throws -> Image {
    try Vips.start()
    return try check(srgv_load_descriptor(descriptor, sequential ? 1 : 0))
  }

  /// Saves with the saver chosen by the extension of `name`; saver options may follow in brackets,
  /// as in `out.jpg[Q=90,strip]`. `progress` hears the fraction computed as the save goes.
  /// A file the file system refused to create or write (then incomplete) throws `WriteFailure`.
  public func save(to name: UnsafePointer<CChar>, progress: ((Double) -> Void)? = nil) throws {
    var writeError: Int32 = 0
    guard watchingProgress(progress, { srgv_save_path(pointer, name, &writeError) }) == 0 else {
      // Taken in either case, so no later failure reads it.
      let error = VipsError.fromBuffer()
      throw writeError != 0 ? WriteFailure(errno: writeError) : error
    }
  }

  public func save(to name: String, progress: ((Double) -> Void)? = nil) throws {
    try name.withCString { try save(to: $0, progress: progress) }
  }

  /// Writes the encoded image to a file descriptor; `suffix` picks the saver (".png", ".jpg[Q=90]").
  public func write(descriptor: Int32, suffix: String, progress: ((Double) -> Void)? = nil) throws {
    guard watchingProgress(progress, { srgv_save_descriptor(pointer, descriptor, suffix) }) == 0 else { throw VipsError.fromBuffer() }
  }

  /// Runs `save` with `progress` told, from the saving thread, the fraction of pixels computed.
  private func watchingProgress(_ progress: ((Double) -> Void)?, _ save: () -> Int32) -> Int32 {
    guard let progress else { return save() }
    final class Box {
      let progress: (Double) -> Void
      init(_ progress: @escaping (Double) -> Void) { self.progress = progress }
    }
    let box = Box(progress)
    return withExtendedLifetime(box) {
      let watch = srgv_watch_progress(pointer, { ctx, fraction in Unmanaged<Box>.fromOpaque(ctx!).takeUnretainedValue().progress(fraction) }, Unmanaged.passUnretained(box).toOpaque())
      defer { srgv_unwatch_progress(pointer, watch) }
      return save()
    }
  }

  /// Makes an image from packed, interleaved samples (copied).
  public static func fromPixels<T>(_ samples: [T], width: Int, height: Int, bands: Int, format: PixelFormat) throws
    -> Image
  {
    precondition(samples.count == width * height * bands && MemoryLayout<T>.stride == format.size)
    try Vips.start()
    return try samples.withUnsafeBytes {
      try check(srgv_new_from_memory_copy($0.baseAddress, $0.count, Int32(width), Int32(height), Int32(bands), format.vips))
    }
  }

  /// Computes every pixel and returns the packed, interleaved samples.
  public func pixels<T>(as: T.Type) throws -> [T] {
    precondition(MemoryLayout<T>.stride == format.size, "sample type does not match the image format")
    var size = 0
    guard let raw = srgv_write_to_memory(pointer, &size) else { throw VipsError.fromBuffer() }
    defer { g_free(raw) }
    let count = size / MemoryLayout<T>.stride
    return Array(UnsafeBufferPointer(start: raw.assumingMemoryBound(to: T.self), count: count))
  }

  /// Whether the pixels come from a file that is read top to bottom once (opened `sequential`).
  var isSequential: Bool { srgv_is_sequential(pointer) != 0 }

  /// The same pixels computed strictly top to bottom, `lines` at a time, whichever thread asks; recent
  /// lines are kept for the threads that ask for them later.
  func sequentialised(lines: Int) throws -> Image { try Image.check(srgv_sequential(pointer, Int32(lines))) }

  /// Evaluates the whole pipeline into memory, so later reads are random-access.
  public func inMemory() throws -> Image { try Image.check(srgv_copy_memory(pointer)) }
}

/// A file could not be created or written: `errno` (a full disk, a quota, permissions, an I/O error).
public struct WriteFailure: Error, CustomStringConvertible {
  public let errno: Int32
  public var description: String { "write error: \(String(cString: strerror(errno)))" }
}

extension Image {
  /// Pages (frames) in the file the image came from; 1 for single images.
  public var pageCount: Int { Int(vips_image_get_n_pages(pointer)) }

  /// The height of one page when several are stacked top to bottom.
  public var pageHeight: Int { Int(vips_image_get_page_height(pointer)) }

  /// Opens every page of a multi-page file (animated GIF or WebP, multi-page TIFF), stacked top to
  /// bottom, with `pageHeight` telling them apart.
  public static func loadAllPages(path: UnsafePointer<CChar>, sequential: Bool = true) throws -> Image {
    try Vips.start()
    return try check(srgv_load_path_all_pages(path, sequential ? 1 : 0))
  }

  /// The pages, each `pageHeight` high.
  public func pages() throws -> [Image] {
    let h = pageHeight
    guard h > 0, height % h == 0, height > h else { return [self] }
    return try (0..<(height / h)).map { try cropped(left: 0, top: $0 * h, width: width, height: h) }
  }

  /// Pages of equal size stacked top to bottom, recorded as one multi-page image.
  public static func stacking(_ pages: [Image]) throws -> Image {
    var pointers: [UnsafeMutablePointer<VipsImage>?] = pages.map { $0.pointer }
    return try check(srgv_stack_pages(&pointers, Int32(pages.count), Int32(pages[0].height)))
  }
}
