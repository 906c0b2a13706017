import Foundation

/// Where named models live: `$SRG_MODEL_PATH` (folders separated by ':'), then the user's data
/// folder (`$XDG_DATA_HOME/srg/models`, by default `~/.local/share/srg/models`), then the install
/// prefix's `share/srg/models` (beside the executable's `bin`).
public enum ModelLibrary {
  public static var directories: [String] {
    let env = ProcessInfo.processInfo.environment
    var dirs = (env["SRG_MODEL_PATH"] ?? "").split(separator: ":").map(String.init)
    let data = env["XDG_DATA_HOME"].map { $0 + "/srg/models" } ?? env["HOME"].map { $0 + "/.local/share/srg/models" }
    if let data { dirs.append(data) }
    // The running binary's own path (argv[0] is a bare name when the tool is found through PATH).
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    dirs.append(exe.deletingLastPathComponent().appendingPathComponent("share/srg/models").path)
    return dirs
  }

  /// A path as given (when it names a file), or the first `NAME.srg` in the search folders.
  public static func resolve(_ nameOrPath: String) throws -> String {
    if nameOrPath.contains("/") || nameOrPath.hasSuffix(".srg") {
      guard FileManager.default.fileExists(atPath: nameOrPath) else { throw InferenceError("\(nameOrPath): no such model file") }
      return nameOrPath
    }
    for dir in directories {
      let p = dir + "/" + nameOrPath + ".srg"
      if FileManager.default.fileExists(atPath: p) { return p }
    }
    throw InferenceError("no model named '\(nameOrPath)' in \(directories.joined(separator: ", ")) (see upscale --list-models; ./setup installs the registry models)")
  }

  /// Every installed model, by name; earlier folders shadow later ones.
  public static func installed() -> [(name: String, path: String)] {
    var seen = Set<String>(), out: [(String, String)] = []
    for dir in directories {
      let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
      for f in files.sorted() where f.hasSuffix(".srg") {
        let name = String(f.dropLast(4))
        if seen.insert(name).inserted { out.append((name, dir + "/" + f)) }
      }
    }
    return out
  }
}
