import Foundation

/// One thing to process: a file, or one image's bytes on standard input (`-`).
public enum Input: Hashable, Sendable, CustomStringConvertible {
  case file(Path)
  case standardInput

  public var description: String {
    switch self {
    case .file(let p): p.description
    case .standardInput: "-"
    }
  }
}

public enum InputList {
  /// The inputs named by `arguments`; with none, a list of paths read from standard input, one per
  /// line or NUL-separated (`find -print0`). Arguments are matched back to the raw bytes of argv, so
  /// names that are not valid UTF-8 survive.
  public static func read(arguments: [String], nulSeparated: Bool) throws -> [Input] {
    if arguments.isEmpty {
      if isatty(0) != 0 { throw InputError.noInputs }
      return split(readAll(fd: 0), separator: nulSeparated ? 0 : UInt8(ascii: "\n"))
        .map { .file(Path(bytes: $0)) }
    }
    let raw = rawArguments()
    return arguments.map { $0 == "-" ? .standardInput : .file(raw[$0] ?? Path($0)) }
  }

  /// Splits a list, dropping empty entries and the carriage return of CRLF lines.
  public static func split(_ data: [UInt8], separator: UInt8) -> [[UInt8]] {
    data.split(separator: separator).compactMap { entry in
      var e = Array(entry)
      if separator != 0, e.last == UInt8(ascii: "\r") { e.removeLast() }
      return e.isEmpty ? nil : e
    }
  }

  public static func readAll(fd: Int32) -> [UInt8] {
    var data = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
      if n > 0 { data += buffer[0..<n] } else if n < 0 && errno == EINTR { continue } else { break }
    }
    return data
  }

  /// argv as bytes, keyed by the (lossily decoded) strings the argument parser sees.
  public static func rawArguments() -> [String: Path] {
    var map: [String: Path] = [:]
    for i in 1..<Int(CommandLine.argc) {
      guard let p = CommandLine.unsafeArgv[i] else { continue }
      let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p)))
      map[String(decoding: bytes, as: UTF8.self)] = Path(bytes: bytes)
    }
    return map
  }
}

public enum InputError: Error, CustomStringConvertible {
  case noInputs
  public var description: String {
    "no inputs: name images as arguments, or pipe a list of paths on standard input (-0 for NUL-separated)"
  }
}
