import ArgumentParser
import Foundation
import Inference
import ToolSupport

struct Info: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Show a model's metadata, size and cost.")

  @Argument(help: ArgumentHelp("Model files.", valueName: "model"), completion: .file(extensions: ["srg"]))
  var models: [String]

  @Flag(help: "Write one JSON record per model.")
  var json = false

  func run() throws {
    try forEachModel(models) { path, net, macsPerPixel in
      let m = net.metadata
      let flops = 2 * macsPerPixel
      if json {
        var r = JSONRecord()
        r["file"] = .string(path)
        r["name"] = .string(m.name)
        r["architecture"] = .string(m.architecture)
        r["scale"] = .int(m.scale)
        r["input_channels"] = .int(m.inputChannels)
        r["output_channels"] = .int(m.outputChannels)
        r["extra_input_planes"] = .int(m.extraInputPlanes.count)
        r["halo"] = .int(m.halo)
        r["consumes"] = .int(m.consumes)
        r["size_multiple"] = .int(m.sizeMultiple)
        r["parameters"] = .int(net.parameterCount)
        r["flops_per_input_pixel"] = .double(flops.rounded())
        r["source"] = .string(m.source)
        StandardOutput.write(line: r.line)
      } else {
        StandardOutput.write(line: """
          \(path)
            name          \(m.name)
            architecture  \(m.architecture)
            scale         x\(m.scale)
            channels      \(m.inputChannels) in\(m.extraInputPlanes.isEmpty ? "" : " (+\(m.extraInputPlanes.count) constant planes)"), \(m.outputChannels) out (\(m.colourOrder))
            halo          \(m.halo) px\(m.consumes > 0 ? " (the network consumes \(m.consumes) px per side)" : "")\(m.sizeMultiple > 1 ? "; input sides padded to a multiple of \(m.sizeMultiple)" : "")
            parameters    \(net.parameterCount)
            cost          \(String(format: "%.2f", flops / 1e6)) MFLOP per input pixel
            source        \(m.source)
          """)
      }
    }
  }
}

struct Verify: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Check models' checksums and structure; print 'OK' per good file.")

  @Argument(help: ArgumentHelp("Model files.", valueName: "model"), completion: .file(extensions: ["srg"]))
  var models: [String]

  func run() throws {
    try forEachModel(models) { path, _, _ in StandardOutput.write(line: "\(path): OK") }
  }
}
