import Foundation

/// A square convolution kernel of odd size whose weights sum to 1, stored row by row, with the
/// parameters that made it (for the manifest). The generators follow Real-ESRGAN's
/// `basicsr/data/degradations.py` (`bivariate_Gaussian`, `bivariate_generalized_Gaussian`,
/// `bivariate_plateau`, `circular_lowpass_kernel`).
public struct BlurKernel: Sendable {
  public let size: Int
  public let weights: [Double]
  public let parameters: [(String, DrawnValue)]

  init(size: Int, parameters: [(String, DrawnValue)], value: (_ x: Double, _ y: Double) -> Double) {
    let c = Double(size - 1) / 2
    var w = [Double](repeating: 0, count: size * size)
    for row in 0..<size {
      for col in 0..<size { w[row * size + col] = value(Double(col) - c, Double(row) - c) }
    }
    let sum = w.reduce(0, +)
    (self.size, self.weights, self.parameters) = (size, w.map { $0 / sum }, parameters)
  }

  /// The same kernel with `kind` first among its parameters.
  public func labelled(_ kind: String) -> BlurKernel {
    BlurKernel(size: size, weights: weights, parameters: [("kind", .string(kind))] + parameters)
  }

  init(size: Int, weights: [Double], parameters: [(String, DrawnValue)]) {
    (self.size, self.weights, self.parameters) = (size, weights, parameters)
  }

  /// d^T Σ^-1 d for the covariance Σ = R diag(σx², σy²) R^T, R the rotation by `theta`.
  static func quadraticForm(sigmaX: Double, sigmaY: Double, theta: Double) -> (Double, Double) -> Double {
    let (c, s) = (cos(theta), sin(theta))
    let (vx, vy) = (sigmaX * sigmaX, sigmaY * sigmaY)
    let a = c * c * vx + s * s * vy, b = c * s * (vx - vy), d = s * s * vx + c * c * vy
    let det = a * d - b * b
    return { x, y in (d * x * x - 2 * b * x * y + a * y * y) / det }
  }

  /// exp(-q/2): the (an)isotropic Gaussian.
  public static func gaussian(size: Int, sigmaX: Double, sigmaY: Double, theta: Double) -> BlurKernel {
    let q = quadraticForm(sigmaX: sigmaX, sigmaY: sigmaY, theta: theta)
    return BlurKernel(size: size, parameters: shape(size, sigmaX, sigmaY, theta)) { exp(-0.5 * q($0, $1)) }
  }

  /// exp(-q^β/2): the generalized Gaussian (flat-topped for β > 1, peaked for β < 1).
  public static func generalizedGaussian(size: Int, sigmaX: Double, sigmaY: Double, theta: Double, beta: Double) -> BlurKernel {
    let q = quadraticForm(sigmaX: sigmaX, sigmaY: sigmaY, theta: theta)
    return BlurKernel(size: size, parameters: shape(size, sigmaX, sigmaY, theta) + [("beta", .double(beta))]) {
      exp(-0.5 * pow(q($0, $1), beta))
    }
  }

  /// 1/(q^β + 1): the plateau kernel.
  public static func plateau(size: Int, sigmaX: Double, sigmaY: Double, theta: Double, beta: Double) -> BlurKernel {
    let q = quadraticForm(sigmaX: sigmaX, sigmaY: sigmaY, theta: theta)
    return BlurKernel(size: size, parameters: shape(size, sigmaX, sigmaY, theta) + [("beta", .double(beta))]) {
      1 / (pow(q($0, $1), beta) + 1)
    }
  }

  /// The 2-D sinc (ideal circular low-pass) with cutoff `omega` radians per pixel:
  /// ω J1(ω r) / (2π r), with ω²/(4π) at the centre.
  public static func sinc(size: Int, omega: Double) -> BlurKernel {
    BlurKernel(size: size, parameters: [("size", .int(size)), ("omega_c", .double(omega))]) { x, y in
      let r = (x * x + y * y).squareRoot()
      return r == 0 ? omega * omega / (4 * Double.pi) : omega * j1(omega * r) / (2 * Double.pi * r)
    }
  }

  static func shape(_ size: Int, _ sx: Double, _ sy: Double, _ theta: Double) -> [(String, DrawnValue)] {
    [("size", .int(size)), ("sigma_x", .double(sx)), ("sigma_y", .double(sy)), ("theta", .double(theta))]
  }
}
