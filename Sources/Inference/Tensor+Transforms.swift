/// The eight flips and rotations of the square (test-time augmentation): bit 0 flips left-right,
/// bit 1 flips top-bottom, bit 2 swaps the axes, applied in that order.
extension Tensor {
  public func dihedral(_ t: Int) -> Tensor {
    var x = self
    if t & 1 != 0 { x = x.mapped(height: height, width: width) { y, xx in (y, width - 1 - xx) } }
    if t & 2 != 0 { x = x.mapped(height: height, width: width) { y, xx in (height - 1 - y, xx) } }
    if t & 4 != 0 { x = x.mapped(height: width, width: height) { y, xx in (xx, y) } }
    return x
  }

  /// Undoes `dihedral(t)`.
  public func inverseDihedral(_ t: Int) -> Tensor {
    var x = self
    if t & 4 != 0 { x = x.mapped(height: x.width, width: x.height) { y, xx in (xx, y) } }
    if t & 2 != 0 { x = x.mapped(height: x.height, width: x.width) { [h = x.height] y, xx in (h - 1 - y, xx) } }
    if t & 1 != 0 { x = x.mapped(height: x.height, width: x.width) { [w = x.width] y, xx in (y, w - 1 - xx) } }
    return x
  }

  /// A tensor of the given size whose (y, x) sample is this one's at `source(y, x)`.
  func mapped(height oh: Int, width ow: Int, _ source: (Int, Int) -> (Int, Int)) -> Tensor {
    var out = Tensor(channels: channels, height: oh, width: ow)
    for y in 0..<oh {
      for x in 0..<ow {
        let (sy, sx) = source(y, x)
        for c in 0..<channels { out.data[(c * oh + y) * ow + x] = data[(c * height + sy) * width + sx] }
      }
    }
    return out
  }
}
