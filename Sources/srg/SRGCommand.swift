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
    subcommands: [Import.self, Info.self, Verify.self])
}

/// Loads a model for inspection, turning failures into one line naming the file.
func loadNetwork(_ path: String) throws -> Network {
  do {
    return try Network(path: path)
  } catch {
    throw ModelError(path: path, reason: "\(error)")
  }
}

struct ModelError: Error, CustomStringConvertible {
  let path: String
  let reason: String
  var description: String { "\(path): \(reason)" }
}
