/// Real-ESRGAN's degradation settings, all in one place: the defaults of
/// `options/train_realesrgan_x4plus.yml` (xinntao/Real-ESRGAN), with the kernel sizes and sinc
/// cutoffs of `realesrgan/data/realesrgan_dataset.py`.
public struct RealESRGANSettings: Sendable {
  /// One order of degradation: blur, random resize, noise, JPEG.
  public struct Order: Sendable {
    public var sincProbability: Double
    public var blurSigma: ClosedRange<Double>
    public var generalizedBeta: ClosedRange<Double>
    public var plateauBeta: ClosedRange<Double>
    /// Probabilities of resizing up, down, or keeping the size.
    public var resizeProbabilities: [Double]
    public var resizeRange: ClosedRange<Double>
    public var gaussianNoiseProbability: Double
    public var noiseSigma: ClosedRange<Double>
    public var poissonScale: ClosedRange<Double>
    public var grayNoiseProbability: Double
    public var jpegQuality: ClosedRange<Double>
  }

  /// kernel_list and kernel_prob.
  public var kernelKinds: [BlurKind] = [.iso, .aniso, .generalizedIso, .generalizedAniso, .plateauIso, .plateauAniso]
  public var kernelProbabilities: [Double] = [0.45, 0.25, 0.12, 0.03, 0.12, 0.03]
  /// kernel_range: odd sizes 7...21 (blur_kernel_size 21 is the largest).
  public var kernelSizes: [Int] = Array(stride(from: 7, through: 21, by: 2))
  /// Rotation of anisotropic kernels.
  public var rotation: ClosedRange<Double> = -Double.pi...Double.pi

  public var first = Order(
    sincProbability: 0.1, blurSigma: 0.2...3, generalizedBeta: 0.5...4, plateauBeta: 1...2,
    resizeProbabilities: [0.2, 0.7, 0.1], resizeRange: 0.15...1.5,
    gaussianNoiseProbability: 0.5, noiseSigma: 1...30, poissonScale: 0.05...3, grayNoiseProbability: 0.4,
    jpegQuality: 30...95)
  public var second = Order(
    sincProbability: 0.1, blurSigma: 0.2...1.5, generalizedBeta: 0.5...4, plateauBeta: 1...2,
    resizeProbabilities: [0.3, 0.4, 0.3], resizeRange: 0.3...1.2,
    gaussianNoiseProbability: 0.5, noiseSigma: 1...25, poissonScale: 0.05...2.5, grayNoiseProbability: 0.4,
    jpegQuality: 30...95)
  /// second_blur_prob.
  public var secondBlurProbability = 0.8
  /// final_sinc_prob.
  public var finalSincProbability = 0.8
  /// The model's scale (the LR is floor(side / scale)).
  public var scale = 4

  public init() {}

  public enum BlurKind: String, Sendable {
    case iso, aniso
    case generalizedIso = "generalized_iso", generalizedAniso = "generalized_aniso"
    case plateauIso = "plateau_iso", plateauAniso = "plateau_aniso"
  }
}
