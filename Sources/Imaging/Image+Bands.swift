import CVipsShim

extension Image {
  /// Bands `first ..< first + count`.
  public func bands(_ first: Int, count: Int) throws -> Image {
    try Image.check(srgv_extract_bands(pointer, Int32(first), Int32(count)))
  }

  /// This image's bands followed by `other`'s.
  public func joined(with other: Image) throws -> Image { try Image.check(srgv_bandjoin2(pointer, other.pointer)) }

  /// The mean of the bands, as one band.
  public func bandMean() throws -> Image { try Image.check(srgv_bandmean(pointer)) }

  /// `self * a + b` per sample, as float.
  public func linear(_ a: Double, _ b: Double) throws -> Image { try Image.check(srgv_linear(pointer, a, b)) }

  /// The image placed at (`left`, `top`) of a `width` x `height` canvas, edge pixels repeated outward.
  public func extended(left: Int, top: Int, width: Int, height: Int) throws -> Image {
    try Image.check(srgv_embed_copy(pointer, Int32(left), Int32(top), Int32(width), Int32(height)))
  }

  /// Caches `tileWidth` x `tileHeight` tiles computed by several threads at once, for sequential
  /// consumers (savers) downstream of an expensive tiled operation.
  public func tileCached(tileWidth: Int, tileHeight: Int, maxTiles: Int) throws -> Image {
    try Image.check(srgv_tilecache(pointer, Int32(tileWidth), Int32(tileHeight), Int32(maxTiles)))
  }
}
