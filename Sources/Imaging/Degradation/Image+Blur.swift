import CVips
import CVipsShim

extension Image {
  /// Convolves every band with `kernel` in float (edges extended by copying the border); the result
  /// is float.
  public func convolved(_ kernel: BlurKernel) throws -> Image {
    try kernel.weights.withUnsafeBufferPointer {
      try Image.check(srgv_conv_float(pointer, $0.baseAddress, Int32(kernel.size), Int32(kernel.size)))
    }
  }

  /// Gaussian blur of standard deviation `sigma` pixels, computed in float with the kernel kept out
  /// to weights of 1/1000 of its peak; the result is float.
  public func gaussianBlurred(sigma: Double) throws -> Image {
    try Image.check(srgv_gaussblur_float(pointer, sigma, 0.001))
  }
}
