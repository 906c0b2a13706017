import Foundation

/// Exit statuses shared by every tool.
public enum Status {
  public static let success: Int32 = 0
  /// Some inputs failed; the rest were done.
  public static let someFailed: Int32 = 1
  /// Nothing could be done (bad model, unwritable output, ...).
  public static let fatal: Int32 = 2
  /// Bad command line (swift-argument-parser's validation failure).
  public static let usage: Int32 = 64
}

/// Messages to standard error: one line each, written with a single write(2) so lines from
/// parallel jobs never interleave.
public enum Diagnostics {
  nonisolated(unsafe) public static var tool = "srg"

  public static func write(_ line: String) {
    Progress.shared.clearLine()
    var bytes = Array(line.utf8)
    if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
    bytes.withUnsafeBytes { _ = Foundation.write(2, $0.baseAddress, $0.count) }
  }

  /// `tool: PATH: reason`.
  public static func error(_ subject: CustomStringConvertible, _ reason: CustomStringConvertible) {
    write("\(tool): \(subject): \(reason)")
  }

  /// `tool: PATH: warning: reason`, for something done differently than asked; the input still succeeds.
  public static func warning(_ subject: CustomStringConvertible, _ reason: CustomStringConvertible) {
    write("\(tool): \(subject): warning: \(reason)")
  }

  /// `tool: reason`.
  public static func error(_ reason: CustomStringConvertible) {
    write("\(tool): \(reason)")
  }
}

/// Standard output, for results: locked so records from parallel jobs stay whole.
public enum StandardOutput {
  private static let lock = NSLock()

  public static func write(line: String) {
    lock.lock()
    defer { lock.unlock() }
    var bytes = Array(line.utf8)
    bytes.append(UInt8(ascii: "\n"))
    var offset = 0
    while offset < bytes.count {
      let n = bytes[offset...].withUnsafeBytes { Foundation.write(1, $0.baseAddress, $0.count) }
      if n <= 0 { if errno == EINTR { continue }; return }
      offset += n
    }
  }
}

/// Whether standard error is an interactive terminal that can redraw a line.
public func standardErrorIsTerminal() -> Bool {
  isatty(2) != 0 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
}
