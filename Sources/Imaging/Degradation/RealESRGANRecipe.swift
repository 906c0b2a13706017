import Foundation

/// Real-ESRGAN's high-order degradation (Wang et al. 2021; `realesrgan/models/realesrgan_model.py`
/// `feed_data` and `realesrgan/data/realesrgan_dataset.py`), with the settings of
/// `RealESRGANSettings`: blur, random resize, noise and JPEG, twice, then resizing to 1/scale with
/// the final sinc filter before or after the last JPEG. Samples stay float in 0...255 between steps,
/// as the PyTorch pipeline keeps them in 0...1. Real-ESRGAN degrades a sharpened (USM) copy of its
/// ground truth; this applies the chain to the image as given.
public struct RealESRGANRecipe: Sendable {
  public var settings: RealESRGANSettings

  public init(settings: RealESRGANSettings = RealESRGANSettings()) { self.settings = settings }

  /// The low-resolution size: floor(side / scale).
  public func outputSize(width: Int, height: Int) -> (Int, Int) {
    (max(1, width / settings.scale), max(1, height / settings.scale))
  }

  public func apply(to image: Image, draws: inout Draws) throws -> Degraded {
    let s = settings
    let (width, height) = (image.width, image.height)
    // The dataset draws the three kernels first.
    let kernel1 = drawKernel(s.first, &draws)
    let kernel2 = drawKernel(s.second, &draws)
    let finalSinc: BlurKernel? =
      draws.chance(s.finalSincProbability)
      ? BlurKernel.sinc(size: draws.pick(s.kernelSizes), omega: draws.uniform(Double.pi / 3...Double.pi)).labelled("sinc") : nil

    // First order.
    var d = Degraded(try image.cast(.float))
    log(kernel1, "blur1", &draws)
    d = Degraded(try d.image.convolved(kernel1))
    let scale1 = drawResizeScale(s.first, "resize1", &draws)
    let mode1: ResampleTable.TorchMode = draws.pick(ResampleTable.TorchMode.allCases)
    draws.record("resize1_mode", .string(mode1.rawValue))
    // F.interpolate(scale_factor=scale): floor(n * scale) samples, placed by 1/scale.
    try resize(&d, Int(Double(width) * scale1), Int(Double(height) * scale1), mode1, coordinateScale: 1 / scale1)
    try addNoise(&d, s.first, "noise1", &draws)
    try compressJPEG(&d, s.first, "jpeg1_quality", &draws)

    // Second order.
    let blur2 = draws.chance(s.secondBlurProbability)
    draws.record("blur2_applied", .bool(blur2))
    if blur2 {
      log(kernel2, "blur2", &draws)
      d = Degraded(try d.image.convolved(kernel2))
    }
    let scale2 = drawResizeScale(s.second, "resize2", &draws)
    let mode2: ResampleTable.TorchMode = draws.pick(ResampleTable.TorchMode.allCases)
    draws.record("resize2_mode", .string(mode2.rawValue))
    let target = Double(s.scale)
    try resize(&d, Int(Double(width) / target * scale2), Int(Double(height) / target * scale2), mode2)
    try addNoise(&d, s.second, "noise2", &draws)

    // Final: [resize back + sinc] then JPEG, or JPEG then [resize back + sinc].
    let (outW, outH) = outputSize(width: width, height: height)
    let resizeFirst = draws.chance(0.5)
    draws.record("final_order", .string(resizeFirst ? "resize_sinc_jpeg" : "jpeg_resize_sinc"))
    if let finalSinc { log(finalSinc, "final_sinc", &draws) }
    func resizeBack() throws {
      let mode: ResampleTable.TorchMode = draws.pick(ResampleTable.TorchMode.allCases)
      draws.record("final_resize_mode", .string(mode.rawValue))
      try resize(&d, outW, outH, mode)
      if let finalSinc { d = Degraded(try d.image.convolved(finalSinc)) }
    }
    if resizeFirst {
      try resizeBack()
      try compressJPEG(&d, s.second, "jpeg2_quality", &draws)
    } else {
      try compressJPEG(&d, s.second, "jpeg2_quality", &draws)
      try resizeBack()
    }
    return d
  }

  /// `random_mixed_kernels` with its size drawn from `kernelSizes`, or (with the order's sinc
  /// probability) `circular_lowpass_kernel` with cutoff in [π/3, π] (below 13 taps) or [π/5, π].
  func drawKernel(_ order: RealESRGANSettings.Order, _ draws: inout Draws) -> BlurKernel {
    let s = settings
    let size = draws.pick(s.kernelSizes)
    if draws.chance(order.sincProbability) {
      let omega = draws.uniform((size < 13 ? Double.pi / 3 : Double.pi / 5)...Double.pi)
      return BlurKernel.sinc(size: size, omega: omega).labelled("sinc")
    }
    let kind = draws.pick(s.kernelKinds, weights: s.kernelProbabilities)
    let sigmaX = draws.uniform(order.blurSigma)
    var sigmaY = sigmaX, theta = 0.0
    if [.aniso, .generalizedAniso, .plateauAniso].contains(kind) {
      sigmaY = draws.uniform(order.blurSigma)
      theta = draws.uniform(s.rotation)
    }
    // Beta below or above 1 with equal chance (`random_bivariate_generalized_Gaussian`, `_plateau`).
    func beta(_ range: ClosedRange<Double>) -> Double {
      draws.chance(0.5) ? draws.uniform(range.lowerBound...1) : draws.uniform(1...range.upperBound)
    }
    let k: BlurKernel
    switch kind {
    case .iso, .aniso:
      k = .gaussian(size: size, sigmaX: sigmaX, sigmaY: sigmaY, theta: theta)
    case .generalizedIso, .generalizedAniso:
      k = .generalizedGaussian(size: size, sigmaX: sigmaX, sigmaY: sigmaY, theta: theta, beta: beta(order.generalizedBeta))
    case .plateauIso, .plateauAniso:
      k = .plateau(size: size, sigmaX: sigmaX, sigmaY: sigmaY, theta: theta, beta: beta(order.plateauBeta))
    }
    return k.labelled(kind.rawValue)
  }

  func log(_ kernel: BlurKernel, _ prefix: String, _ draws: inout Draws) {
    for (key, value) in kernel.parameters { draws.record(key == "kind" ? prefix : "\(prefix)_\(key)", value) }
  }

  func drawResizeScale(_ order: RealESRGANSettings.Order, _ key: String, _ draws: inout Draws) -> Double {
    let direction = draws.pick(["up", "down", "keep"], weights: order.resizeProbabilities)
    let scale: Double
    switch direction {
    case "up": scale = draws.uniform(1...order.resizeRange.upperBound)
    case "down": scale = draws.uniform(order.resizeRange.lowerBound...1)
    default: scale = 1
    }
    draws.record("\(key)_scale", .double(scale))
    return scale
  }

  func resize(_ d: inout Degraded, _ w: Int, _ h: Int, _ mode: ResampleTable.TorchMode, coordinateScale: Double? = nil) throws {
    let (w, h) = (max(1, w), max(1, h))
    if w == d.image.width && h == d.image.height && coordinateScale.map({ $0 == 1 }) ?? true { return }
    try d.resample(
      .torch(mode, inputLength: d.image.width, outputLength: w, coordinateScale: coordinateScale),
      .torch(mode, inputLength: d.image.height, outputLength: h, coordinateScale: coordinateScale))
  }

  /// `random_add_gaussian_noise_pt` or `random_add_poisson_noise_pt`, clipped, not rounded.
  func addNoise(_ d: inout Degraded, _ order: RealESRGANSettings.Order, _ key: String, _ draws: inout Draws) throws {
    let noise: Noise
    if draws.chance(order.gaussianNoiseProbability) {
      let sigma = draws.uniform(order.noiseSigma)
      noise = .gaussian(sigma: sigma)
      draws.record(key, .string("gaussian"))
      draws.record("\(key)_sigma", .double(sigma))
    } else {
      let scale = draws.uniform(order.poissonScale)
      noise = .poisson(scale: scale)
      draws.record(key, .string("poisson"))
      draws.record("\(key)_scale", .double(scale))
    }
    let gray = draws.chance(order.grayNoiseProbability)
    draws.record("\(key)_gray", .bool(gray))
    d = Degraded(try d.image.addingNoise(noise, gray: gray, key: draws.next()))
  }

  /// JPEG at a quality drawn uniformly from the order's range (DiffJPEG takes it as a float), rounded
  /// for libjpeg.
  func compressJPEG(_ d: inout Degraded, _ order: RealESRGANSettings.Order, _ key: String, _ draws: inout Draws) throws {
    let q = Int(draws.uniform(order.jpegQuality).rounded())
    draws.record(key, .int(q))
    try d.compressJPEG(q)
  }
}
