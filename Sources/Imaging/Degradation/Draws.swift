/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", 2014): a
/// small, fast generator whose whole state is one 64-bit word. Its output is fixed by its seed on
/// every platform and Swift version, which is what reproducible datasets need.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  public var state: UInt64
  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    return SplitMix64.mix(state)
  }

  /// SplitMix64's output function: a bijective 64-bit mixer.
  @inline(__always)
  public static func mix(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform double in [0, 1) from the top 53 bits.
  @inline(__always)
  public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
}

/// 64-bit FNV-1a over bytes (Fowler, Noll, Vo): a fixed, documented hash, unlike Swift's `Hasher`,
/// which is seeded afresh in every process.
public func fnv1a64<S: Sequence>(_ bytes: S, basis: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 where S.Element == UInt8 {
  var h = basis
  for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
  return h
}

/// A value a degradation drew at random, for the manifest.
public enum DrawnValue: Sendable, Equatable {
  case int(Int), double(Double), string(String), bool(Bool)
}

/// The random draws of one image: a generator seeded from the run's seed and the image's name, and
/// the log of every parameter drawn, in order. The same seed and name give the same draws.
public struct Draws: Sendable {
  var generator: SplitMix64
  public private(set) var log: [(String, DrawnValue)] = []

  public init(seed: UInt64, name: [UInt8]) {
    var key = withUnsafeBytes(of: seed.littleEndian) { Array($0) }
    key += name
    generator = SplitMix64(seed: SplitMix64.mix(fnv1a64(key)))
  }

  /// A raw 64-bit draw (for keying per-pixel noise).
  public mutating func next() -> UInt64 { generator.next() }

  /// Uniform in [lower, upper).
  public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
    range.lowerBound + (range.upperBound - range.lowerBound) * generator.unit()
  }

  /// Uniform over the integers of `range`.
  public mutating func int(_ range: ClosedRange<Int>) -> Int {
    let count = UInt64(range.upperBound - range.lowerBound) + 1
    return range.lowerBound + Int(count.multipliedFullWidth(by: generator.next()).high)
  }

  /// True with probability `p`.
  public mutating func chance(_ p: Double) -> Bool { generator.unit() < p }

  /// One of `items`, picked with the given weights (equal weights when nil).
  public mutating func pick<T>(_ items: [T], weights: [Double]? = nil) -> T {
    let w = weights ?? Array(repeating: 1, count: items.count)
    var u = generator.unit() * w.reduce(0, +)
    for (item, weight) in zip(items, w) {
      if u < weight { return item }
      u -= weight
    }
    return items[items.count - 1]
  }

  /// Logs a parameter; a key already logged gets a suffix (`_2`, `_3`, ...) so repeats stay apart.
  public mutating func record(_ key: String, _ value: DrawnValue) {
    var name = key
    var n = 1
    while log.contains(where: { $0.0 == name }) {
      n += 1
      name = "\(key)_\(n)"
    }
    log.append((name, value))
  }
}
