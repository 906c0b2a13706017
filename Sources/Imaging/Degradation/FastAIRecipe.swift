/// fast.ai's "crappify" (the course's `crappify.py`, used to train its decrappify U-Net): resize so
/// the shorter side is `size` with Pillow's bilinear filter, draw a random number, then save as
/// JPEG at a random quality and load back. fast.ai draws the quality itself in white at a random
/// spot of the top-left quarter; here the number, its size, place and colour are all random.
public struct FastAIRecipe: Sendable {
  public var size: Int
  public var quality: ClosedRange<Int>

  public init(size: Int = 96, quality: ClosedRange<Int> = 10...70) { (self.size, self.quality) = (size, quality) }

  /// fast.ai's `resize_to(img, targ_sz, use_min=True)`: both sides times size/shorter, truncated.
  public func outputSize(width: Int, height: Int) -> (Int, Int) {
    let ratio = Double(size) / Double(min(width, height))
    return (max(1, Int(Double(width) * ratio)), max(1, Int(Double(height) * ratio)))
  }

  /// Degrades 8-bit `image`; logs `width`, `height`, then the text and `jpeg_quality` draws.
  public func apply(to image: Image, draws: inout Draws) throws -> Degraded {
    let (w, h) = outputSize(width: image.width, height: image.height)
    var d = Degraded(image)
    try d.resample(
      .pillow(inputLength: image.width, outputLength: w, filter: .bilinear),
      .pillow(inputLength: image.height, outputLength: h, filter: .bilinear), roundBetweenPasses: true)
    try d.drawText(draws: &draws)
    try d.compressJPEG(quality: quality, draws: &draws)
    return d
  }
}
