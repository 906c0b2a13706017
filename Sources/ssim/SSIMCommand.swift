import ArgumentParser
import Foundation
import Metrics
import ToolSupport

@main
struct SSIMCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ssim",
    abstract: "SSIM, PSNR and MS-SSIM between reference images and test images.",
    discussion: """
      Pairs are two files, two folders (images paired by relative path, or by path without \
      extension when the extensions differ), or a list on standard input: REF<TAB>TEST per line, or \
      NUL-separated REF and TEST in turn with -0. One line per pair on standard output (the metrics, \
      then both paths, tab-separated), then the mean over all pairs.

      The default SSIM is Wang et al. 2004 (11x11 Gaussian window, sigma 1.5, K1 0.01, K2 0.03, \
      population covariance), equal to scikit-image's structural_similarity(gaussian_weights=True, \
      sigma=1.5, use_sample_covariance=False). Colour images give the mean over channels. The SR \
      papers' numbers are --y --crop SCALE. Images stream through in strips, so any size fits in \
      memory (MS-SSIM and --matlab hold both images).

      Examples:
        ssim hr/ sr/                                # folders, paired by name
        ssim --y --crop 4 --json hr/baby.png sr/baby.png
        paste ref.txt out.txt | ssim --csv > scores.csv
      """)

  @Argument(help: ArgumentHelp("Reference and test: two images or two folders. With none, pairs are read from standard input.", valueName: "path"), completion: .file())
  var paths: [String] = []

  @Flag(name: [.customShort("0"), .customLong("null")], help: "Pairs on standard input are NUL-separated paths, reference then test.")
  var nulSeparated = false

  @Option(help: ArgumentHelp("Metrics to report, in order: ssim, psnr, msssim.", valueName: "list"))
  var metrics = "ssim,psnr"

  @Flag(help: "scikit-image's defaults instead of Wang's: 7x7 uniform window, sample covariance.")
  var skimage = false

  @Flag(name: .customLong("y"), help: "Compare the luma of MATLAB's rgb2ycbcr (16 + 65.481 R + 128.553 G + 24.966 B) instead of each channel.")
  var luma = false

  @Option(help: ArgumentHelp("Cut this many pixels from every border first (the SR papers use the scale).", valueName: "px"))
  var crop = 0

  @Flag(help: "Downsample before SSIM as MATLAB's ssim.m does: factor round(min(side) / 256), box filter.")
  var matlab = false

  @Option(help: ArgumentHelp("The value range of the samples (default: 255 for 8-bit, 65535 for 16-bit; required for float images).", valueName: "range"))
  var dataRange: Double?

  @Flag(help: "Compare images of different sizes over their common top-left part.")
  var cropToSmaller = false

  @Flag(help: "Write JSON Lines: one object per pair, then a summary object.")
  var json = false

  @Flag(help: "Write CSV with a header row.")
  var csv = false

  @Option(name: .shortAndLong, help: "Pairs compared at once (default: the number of cores).")
  var jobs: Int?

  @Flag(name: .shortAndLong, help: "No progress bar.")
  var quiet = false

  @Option(help: ArgumentHelp("Refuse images with more pixels than this (0: no limit).", valueName: "n"))
  var maxPixels = 1_000_000_000

  var chosen: [Metric] { metrics.split(separator: ",").compactMap { Metric(rawValue: $0.trimmingCharacters(in: .whitespaces)) } }

  func validate() throws {
    let names = metrics.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    if names.isEmpty || names.contains(where: { Metric(rawValue: $0) == nil }) {
      throw ValidationError("--metrics takes a comma-separated list of ssim, psnr, msssim")
    }
    if json && csv { throw ValidationError("--json and --csv exclude each other") }
    if crop < 0 { throw ValidationError("--crop must be 0 or more") }
    if let dataRange, !(dataRange > 0) { throw ValidationError("--data-range must be positive") }
    if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    if paths.count != 0 && paths.count != 2 { throw ValidationError("give a reference and a test path, or pairs on standard input") }
  }

  func run() throws {
    Diagnostics.tool = "ssim"
    var pairs: [Pair], unpaired: [(Path, String)] = []
    if paths.isEmpty {
      if isatty(0) != 0 { throw ValidationError("no pairs: give two paths, or REF<TAB>TEST lines on standard input") }
      pairs = try Pairs.fromStandardInput(nulSeparated: nulSeparated)
    } else {
      let raw = InputList.rawArguments()
      let (a, b) = (raw[paths[0]] ?? Path(paths[0]), raw[paths[1]] ?? Path(paths[1]))
      for p in [a, b] where !p.exists { throw ValidationError("\(p): no such file or folder") }
      (pairs, unpaired) = try Pairs.fromArguments(a, b)
    }
    for (path, reason) in unpaired { Diagnostics.error(path, reason) }

    let comparison = Comparison(
      ssim: skimage ? { SSIM.skimage(dataRange: $0) } : { SSIM.wang(dataRange: $0) },
      metrics: chosen, luma: luma, crop: crop, matlabDownsampling: matlab, dataRange: dataRange,
      cropToSmaller: cropToSmaller, maxPixels: maxPixels)
    let report = Report(metrics: chosen, style: json ? .json : csv ? .csv : .text)
    report.header()
    Progress.shared.begin(total: Double(pairs.count), enabled: !quiet)
    var failed = unpaired.count
    orderedParallel(
      count: pairs.count, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount,
      work: { i in Result { try comparison.compare(pairs[i]) } },
      emit: { i, result in
        Progress.shared.advance(by: 1)
        switch result {
        case .success(let values): report.pair(pairs[i], values)
        case .failure(let error):
          failed += 1
          Diagnostics.error(pairs[i].test, "\(error)")
        }
      })
    Progress.shared.clearLine()
    report.summary(failed: failed)
    throw ExitCode(failed > 0 ? Status.someFailed : Status.success)
  }
}
