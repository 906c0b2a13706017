import Foundation

/// Pointwise activations, fusable into the op that produces their input.
public enum Activation: Sendable, Equatable, Codable {
  case none
  case relu
  case leakyReLU(slope: Float)
  case sigmoid
  case tanh
  case clamp(min: Float, max: Float)

  @inline(__always)
  func callAsFunction(_ x: Float) -> Float {
    switch self {
    case .none: x
    case .relu: Swift.max(x, 0)
    case .leakyReLU(let s): x > 0 ? x : x * s
    case .sigmoid: 1 / (1 + exp(-x))
    case .tanh: Foundation.tanh(x)
    case .clamp(let lo, let hi): Swift.min(Swift.max(x, lo), hi)
    }
  }

  /// Applies the activation in place.
  func apply(_ p: UnsafeMutablePointer<Float>, _ count: Int) {
    switch self {
    case .none: return
    case .relu: for i in 0..<count { p[i] = Swift.max(p[i], 0) }
    case .leakyReLU(let s): for i in 0..<count { let v = p[i]; p[i] = v > 0 ? v : v * s }
    default: for i in 0..<count { p[i] = self(p[i]) }
    }
  }
}

/// PReLU: a learned slope per channel for negative values.
enum PReLU {
  static func apply(_ t: inout Tensor, slopes: [Float]) {
    let plane = t.plane
    t.data.withUnsafeMutableBufferPointer { d in
      for c in 0..<t.channels {
        let s = slopes.count == 1 ? slopes[0] : slopes[c]
        let p = d.baseAddress! + c * plane
        for i in 0..<plane { let v = p[i]; p[i] = v > 0 ? v : v * s }
      }
    }
  }
}
