import Foundation

public enum PSNR {
  /// 10 log10(peak^2 / MSE); infinite for identical planes.
  public static func compute(_ a: Plane, _ b: Plane, peak: Double = 255) -> Double {
    precondition(a.width == b.width && a.height == b.height, "planes differ in size")
    var sum = 0.0
    for i in 0..<a.samples.count {
      let d = a.samples[i] - b.samples[i]
      sum += d * d
    }
    let mse = sum / Double(a.samples.count)
    return mse == 0 ? .infinity : 10 * log10(peak * peak / mse)
  }
}
