/// Where a tool writes each result, from `-o` and `--format`.
///
/// - `-o DIR/` (trailing slash, or an existing folder): the inputs' relative tree mirrored under DIR;
///   absolute inputs go in by name. Nothing can land outside DIR.
/// - `-o TEMPLATE` containing `%s` (stem), `%d` (the input's folder), `%e` (extension), `%%`.
/// - `-o FILE`: one output file, for one input.
/// - `-o -`, or no `-o` with the image on standard input: the encoded image to standard output.
/// Saver options may follow in brackets on `-o` or `--format`: `-o 'out/[Q=90,strip]'`, `--format 'webp[lossless]'`.
public struct OutputNaming: Sendable {
  public enum Target: Sendable, Equatable {
    case directory(Path)
    case template([UInt8])
    case file(Path)
    case standardOutput
  }

  public let target: Target
  /// Extension that overrides the input's (without the dot, lower case).
  public let format: String?
  /// libvips saver options, without brackets.
  public let saverOptions: String?

  public init(output: String?, format: String?, outputPath: Path? = nil, strip: Bool = false) {
    var options: [String] = strip ? ["strip"] : []
    var formatName: String?
    if let format {
      let (name, opts) = OutputNaming.splitOptions(format)
      formatName = name.hasPrefix(".") ? String(name.dropFirst()).lowercased() : name.lowercased()
      if let opts { options.append(opts) }
    }
    if let output {
      let (name, opts) = OutputNaming.splitOptions(output)
      if let opts { options.append(opts) }
      let path = outputPath.map { p in Path(bytes: Array(p.bytes.prefix(p.bytes.count - (output.utf8.count - name.utf8.count)))) } ?? Path(name)
      if name == "-" {
        target = .standardOutput
      } else if name.hasSuffix("/") || path.isDirectory {
        target = .directory(path)
      } else if name.contains("%") {
        target = .template(path.bytes)
      } else {
        target = .file(path)
      }
    } else {
      target = .standardOutput
    }
    self.format = formatName
    saverOptions = options.isEmpty ? nil : options.joined(separator: ",")
  }

  /// Whether the saver drops metadata, the ICC profile with it: `--strip`, or `strip` among the saver
  /// options (`strip=false` undoes an earlier one, as libvips reads them in order).
  public var strips: Bool {
    var strips = false
    for option in (saverOptions ?? "").split(separator: ",") {
      let parts = option.lowercased().filter { !$0.isWhitespace }.split(separator: "=", maxSplits: 1)
      guard parts.first == "strip" else { continue }
      strips = parts.count == 1 || ["true", "1", "yes", "on"].contains(parts[1])
    }
    return strips
  }

  /// "name[opts]" -> ("name", "opts").
  static func splitOptions(_ s: String) -> (String, String?) {
    guard s.hasSuffix("]"), let open = s.lastIndex(of: "[") else { return (s, nil) }
    return (String(s[..<open]), String(s[s.index(after: open)..<s.index(before: s.endIndex)]))
  }

  /// Where the result for `input` goes. `inputFormat` is the extension used when neither `-o` nor
  /// `--format` names one (the input's own, or the decoder's for standard input).
  public func destination(for input: Input, inputFormat: String) throws -> Destination {
    switch target {
    case .standardOutput:
      return .standardOutput(suffix: suffix(format ?? inputFormat))
    case .file(let path):
      return .file(withFormat(path))
    case .directory(let dir):
      guard case .file(let p) = input else { throw NamingError.standardInputNeedsFile }
      let parts = p.isAbsolute ? [p.name] : p.containedComponents
      guard !parts.isEmpty else { throw NamingError.noName }
      return .file(withFormat(parts.reduce(dir) { $0.appending($1) }))
    case .template(let template):
      guard case .file(let p) = input else { throw NamingError.standardInputNeedsFile }
      return .file(withFormat(Path(bytes: expand(template, for: p))))
    }
  }

  func expand(_ template: [UInt8], for p: Path) -> [UInt8] {
    var out: [UInt8] = []
    var i = 0
    while i < template.count {
      let c = template[i]
      if c == UInt8(ascii: "%"), i + 1 < template.count {
        switch template[i + 1] {
        case UInt8(ascii: "s"): out += p.stem
        case UInt8(ascii: "d"): out += p.directory.bytes
        case UInt8(ascii: "e"): out += Array(p.extension.utf8)
        case UInt8(ascii: "%"): out.append(c)
        default: out += [c, template[i + 1]]
        }
        i += 2
      } else {
        out.append(c)
        i += 1
      }
    }
    return out
  }

  func withFormat(_ p: Path) -> Path {
    guard let format, p.extension != format else { return p }
    let base = p.extension.isEmpty ? p.bytes : Array(p.bytes.dropLast(p.extension.utf8.count + 1))
    return Path(bytes: base + Array(".\(format)".utf8))
  }

  /// ".jpg[Q=90]": the saver suffix libvips picks a format and options from.
  public func suffix(_ ext: String) -> String {
    "." + ext + (saverOptions.map { "[\($0)]" } ?? "")
  }

  public enum Destination: Sendable, Equatable {
    case file(Path)
    case standardOutput(suffix: String)
  }
}

public enum NamingError: Error, CustomStringConvertible {
  case standardInputNeedsFile, noName
  public var description: String {
    switch self {
    case .standardInputNeedsFile: "an image on standard input needs -o FILE or -o - (standard output)"
    case .noName: "the input has no file name to mirror"
    }
  }
}
