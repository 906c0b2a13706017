import ArgumentParser
import Foundation
import Imaging
import Inference
import Numerics
import ToolSupport

struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Time a model's forward pass on a random input (milliseconds, megapixels per second, GFLOP/s).")

  @Argument(help: ArgumentHelp("Model files.", valueName: "model"), completion: .file(extensions: ["srg"]))
  var models: [String]

  @Option(help: ArgumentHelp("Input side in pixels (rounded up to the model's size multiple).", valueName: "px"))
  var size = 128

  @Option(help: "Threads one forward pass is split over.")
  var threads = 1

  @Option(help: "Timed runs (after one warm-up); the best is reported.")
  var runs = 3

  @Flag(help: "Write one JSON record per model.")
  var json = false

  func validate() throws {
    if size < 8 || size > 4096 { throw ValidationError("--size must be 8 to 4096") }
    if threads < 1 || runs < 1 { throw ValidationError("--threads and --runs must be at least 1") }
  }

  func run() throws {
    BLAS.threads = 1
    // The process set-up of the image tools, the allocator's policy for large buffers included.
    try Vips.start()
    try forEachModel(models) { path, net, macsPerPixel in
      let m = net.metadata
      let padded = (size + m.sizeMultiple - 1) / m.sizeMultiple * m.sizeMultiple
      let side = padded + 2 * m.consumes
      var seed: UInt64 = 1
      let input = Tensor(
        channels: m.inputChannels, height: side, width: side,
        data: (0..<(m.inputChannels * side * side)).map { _ in
          seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
          return Float(seed >> 40) / Float(1 << 24)
        })
      let workspace = Network.Workspace(threads: threads)
      _ = try net.apply(input, workspace: workspace)
      var best = Double.infinity
      for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try net.apply(input, workspace: workspace)
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
      }
      let pixels = Double(padded * padded)
      let gflops = 2 * macsPerPixel * pixels / (best / 1000) / 1e9
      if json {
        var r = JSONRecord()
        r["model"] = .string(path)
        r["size"] = .int(padded)
        r["threads"] = .int(threads)
        r["ms"] = .double((best * 100).rounded() / 100)
        r["megapixels_per_second"] = .double((pixels / best / 1000 * 1000).rounded() / 1000)
        r["gflops"] = .double((gflops * 10).rounded() / 10)
        StandardOutput.write(line: r.line)
      } else {
        StandardOutput.write(line: String(
          format: "%@\t%dx%d\t%d thread%@\t%.1f ms\t%.3f MP/s\t%.1f GFLOP/s", path, padded, padded, threads, threads == 1 ? "" : "s",
          best, pixels / best / 1000, gflops))
      }
    }
  }
}
