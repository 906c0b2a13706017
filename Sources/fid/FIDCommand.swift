import ArgumentParser
import Foundation
import Inference
import Metrics
import Numerics
import ToolSupport
import WeightFormats

@main
struct FIDCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fid",
    abstract: "Frechet Inception Distance (and KID) between two sets of images, equal to pytorch-fid's.",
    discussion: """
      Each set is a folder (searched recursively for bmp, jpg, jpeg, pgm, png, ppm, tif, tiff and \
      webp files), a list file (one path per line), an .npz of statistics (mu and sigma, as \
      pytorch-fid --save-stats and clean-fid write them), or - for a list of paths on standard input.

      Images are processed as pytorch-fid does: decoded to RGB (grey repeated, alpha dropped, \
      no EXIF rotation), samples / 255, bilinear resize to 299x299 (PyTorch's F.interpolate, \
      align_corners false, no antialiasing), scaled to [-1, 1], then pytorch-fid's Inception-v3; \
      features at --dims. Mean and covariance (N-1) in float64; the Frechet distance |mu1-mu2|^2 + \
      tr S1 + tr S2 - 2 tr sqrt(S1^1/2 S2 S1^1/2) with symmetric eigensolvers. Images of any size \
      mix freely; memory does not grow with their number (except with --kid, which keeps the \
      features: 8 KB per image at 2048 dimensions).

      The network's weights are pytorch-fid's pt_inception-2015-12-05-6726825d.pth, converted once \
      with srg import (a .pth given to --weights is converted on the fly). They are found through \
      --weights, $SRG_FID_WEIGHTS, or inception-fid.srg in the model path ($SRG_MODEL_PATH, \
      ~/.local/share/srg/models, the install prefix's share/srg/models).

      Unreadable images are reported and skipped (exit status 1, the distance still printed).

      Examples:
        fid real/ generated/
        fid --kid --json real/ generated/
        fid --save-stats real.npz real/          # statistics only
        fid real.npz generated/
        find out -name '*.png' | fid real.npz -
      """)

  @Argument(help: ArgumentHelp("Two sets (one with --save-stats): folders, list files, .npz statistics, or - for a list on standard input.", valueName: "set"), completion: .file())
  var paths: [String] = []

  @Option(help: ArgumentHelp("Features of pytorch-fid's block: 64, 192, 768 or 2048 (pool3).", valueName: "n"))
  var dims = 2048

  @Option(help: ArgumentHelp("The Inception weights: an .srg from srg import, or pytorch-fid's .pth (default: $SRG_FID_WEIGHTS, then inception-fid in the model path).", valueName: "file"), completion: .file(extensions: ["srg", "pth"]))
  var weights: String?

  @Option(help: ArgumentHelp("Write the first set's statistics (mu, sigma) as an .npz numpy and pytorch-fid read.", valueName: "file"), completion: .file(extensions: ["npz"]))
  var saveStats: String?

  @Flag(help: "Also compute the Kernel Inception Distance (cubic polynomial kernel, unbiased, over random subsets).")
  var kid = false

  @Option(help: ArgumentHelp("KID: number of subsets.", valueName: "n"))
  var kidSubsets = 100

  @Option(help: ArgumentHelp("KID: subset size (at most the smaller set).", valueName: "n"))
  var kidSubsetSize = 1000

  @Option(help: ArgumentHelp("KID: seed of the subset draws.", valueName: "n"))
  var seed: UInt64 = 0

  @Flag(name: [.customShort("0"), .customLong("null")], help: "The list on standard input is NUL-separated.")
  var nulSeparated = false

  @Flag(help: "Write one JSON object.")
  var json = false

  @Option(name: .shortAndLong, help: "Images processed at once (default: the number of cores).")
  var jobs: Int?

  @Flag(name: .shortAndLong, help: "No progress bar.")
  var quiet = false

  @Option(help: ArgumentHelp("Refuse images with more pixels than this (0: no limit).", valueName: "n"))
  var maxPixels = 1_000_000_000

  func validate() throws {
    if !FIDInception.dimensions.contains(dims) { throw ValidationError("--dims must be 64, 192, 768 or 2048") }
    if saveStats == nil && paths.count != 2 { throw ValidationError("give two sets to compare (or one with --save-stats)") }
    if !(1...2).contains(paths.count) { throw ValidationError("give one or two sets") }
    if paths.filter({ $0 == "-" }).count > 1 { throw ValidationError("only one set can come from standard input") }
    if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    if kidSubsets < 1 || kidSubsetSize < 2 { throw ValidationError("--kid-subsets must be positive and --kid-subset-size at least 2") }
    if kid && paths.count != 2 { throw ValidationError("--kid needs two sets") }
  }

  func run() throws {
    Diagnostics.tool = "fid"
    Interrupts.install()
    let sets = try paths.map { try ImageSet.resolve($0, nulSeparated: nulSeparated) }
    if kid, let s = sets.first(where: { if case .statistics = $0.kind { true } else { false } }) {
      throw ValidationError("\(s.name): --kid needs the images' features, not statistics")
    }
    if let saveStats, case .statistics = sets[0].kind, paths.count == 1 {
      throw ValidationError("\(sets[0].name) already holds statistics; nothing to write to \(saveStats)")
    }

    var extractor: FeatureExtractor?
    if sets.contains(where: { if case .images = $0.kind { true } else { false } }) {
      do {
        extractor = try FeatureExtractor(weights: try FeatureExtractor.locate(weights), dims: dims)
      } catch {
        Diagnostics.error("\(error)")
        throw ExitCode(Status.fatal)
      }
    }

    let jobs = jobs ?? ProcessInfo.processInfo.activeProcessorCount
    // Images run in parallel, each network single-threaded; one job lets the GEMMs use every core.
    BLAS.threads = jobs > 1 ? 1 : ProcessInfo.processInfo.activeProcessorCount
    let total = sets.reduce(0) { if case .images(let p) = $1.kind { $0 + p.count } else { $0 } }
    Progress.shared.begin(total: Double(total), enabled: !quiet)
    var failed = 0
    var summaries: [SetSummary] = []
    for set in sets {
      switch set.kind {
      case .statistics(let mean, let cov):
        guard mean.count == dims || extractor == nil else {
          Diagnostics.error(set.name, "statistics of \(mean.count) dimensions, not --dims \(dims)")
          throw ExitCode(Status.fatal)
        }
        summaries.append(SetSummary(mean: mean, covariance: cov, count: nil, features: nil))
      case .images(let files):
        let (summary, bad) = compute(files, extractor!, jobs: jobs, keepFeatures: kid)
        failed += bad
        guard summary.count! >= (paths.count == 1 ? 1 : 2) else {
          Progress.shared.clearLine()
          Diagnostics.error(set.name, "\(summary.count!) readable image\(summary.count == 1 ? "" : "s"); statistics need at least 2")
          throw ExitCode(Status.fatal)
        }
        summaries.append(summary)
      }
    }
    Progress.shared.clearLine()
    if failed > 0 { Diagnostics.error("skipped \(failed) unreadable image\(failed == 1 ? "" : "s")") }

    if let saveStats {
      do {
        let s = summaries[0], d = s.mean.count
        let bytes = NumpyArchive.encode([("mu", NumpyArray(shape: [d], values: s.mean)), ("sigma", NumpyArray(shape: [d, d], values: s.covariance))])
        try AtomicFile.write(to: Path(saveStats), overwrite: true) { try $0.write(bytes: bytes) }
      } catch {
        Diagnostics.error(saveStats, "\(error)")
        throw ExitCode(Status.fatal)
      }
    }

    BLAS.threads = ProcessInfo.processInfo.activeProcessorCount
    var record = JSONRecord()
    if summaries.count == 2 {
      let (a, b) = (summaries[0], summaries[1])
      guard a.mean.count == b.mean.count else {
        Diagnostics.error("the sets have statistics of \(a.mean.count) and \(b.mean.count) dimensions")
        throw ExitCode(Status.fatal)
      }
      let fid: Double
      do {
        fid = try FrechetDistance.compute(mean1: a.mean, covariance1: a.covariance, mean2: b.mean, covariance2: b.covariance)
      } catch {
        Diagnostics.error("\(error)")
        throw ExitCode(Status.fatal)
      }
      record["fid"] = .double(fid)
      if !json { StandardOutput.write(line: "FID: \(fid)") }
      if kid, let x = a.features, let y = b.features {
        let d = a.mean.count
        let k = KernelInceptionDistance.compute(
          x, count: x.count / d, y, count: y.count / d, dimension: d, subsets: kidSubsets, subsetSize: kidSubsetSize, seed: seed)
        record["kid"] = .double(k.mean)
        record["kid_std"] = .double(k.std)
        if !json { StandardOutput.write(line: "KID: \(k.mean) ± \(k.std)") }
      }
    }
    if json {
      record["dims"] = .int(summaries[0].mean.count)
      for (i, s) in summaries.enumerated() {
        if let n = s.count { record["images\(i + 1)"] = .int(n) }
      }
      record["failed"] = .int(failed)
      if let saveStats { record["saved"] = .string(saveStats) }
      StandardOutput.write(line: record.line)
    }
    throw ExitCode(failed > 0 ? Status.someFailed : Status.success)
  }

  struct SetSummary {
    var mean: [Double]
    var covariance: [Double]
    var count: Int?
    var features: [Float]?
  }

  /// Features of every image in parallel, accumulated in input order.
  func compute(_ files: [Path], _ extractor: FeatureExtractor, jobs: Int, keepFeatures: Bool) -> (SetSummary, failed: Int) {
    var stats = FeatureStatistics(dimension: extractor.dims)
    var kept: [Float] = []
    var failed = 0
    let maxPixels = self.maxPixels
    orderedParallel(
      count: files.count, jobs: jobs,
      work: { i in Result { try extractor.features(files[i], maxPixels: maxPixels) } },
      emit: { i, result in
        Progress.shared.advance(by: 1)
        switch result {
        case .success(let f):
          stats.add(f)
          if keepFeatures { kept += f }
        case .failure(let error):
          failed += 1
          Diagnostics.error(files[i], "\(error)")
        }
      })
    let n = stats.count
    let (mean, cov) = stats.finish()
    return (SetSummary(mean: mean, covariance: cov, count: n, features: keepFeatures ? kept : nil), failed)
  }
}
