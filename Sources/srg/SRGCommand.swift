import ArgumentParser
import Foundation
import Inference
import ToolSupport

@main
struct SRGCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "srg",
    abstract: "Inspect .srg generator files and import pretrained generators into them.",
    discussion: """
      Examples:
        srg import realesr-animevideov3-x4.param -o animevideov3-x4.srg
        srg info animevideov3-x4.srg
        srg verify models/*.srg
      """,
    subcommands: [Import.self, Info.self, Verify.self, Bench.self])
}

/// Loads and plans each model (a 64 x 64 probe), handing the good ones to `body`; a bad one gets
/// one line naming the file, and the exit status says whether any failed.
func forEachModel(_ paths: [String], _ body: (String, Network, _ macsPerPixel: Double) throws -> Void) throws {
  Diagnostics.tool = "srg"
  var failed = false
  for path in paths {
    do {
      let net = try Network(path: path)
      let plan = try net.plan(side: 64)
      try body(path, net, Double(plan.macs) / Double(64 * 64))
    } catch {
      Diagnostics.error(path, "\(error)")
      failed = true
    }
  }
  if failed { throw ExitCode(Status.someFailed) }
}
