import CVips
import CVipsShim
import Foundation

/// libvips' error text, surfaced as a Swift error.
public struct VipsError: Error, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }

  /// Takes (and clears) libvips' error buffer. Lines are joined and the class-name prefixes libvips
  /// puts on each line ("VipsForeignLoad: ...") are dropped: they mean nothing to a user.
  static func fromBuffer(_ fallback: String = "libvips operation failed") -> VipsError {
    guard let raw = vips_error_buffer_copy() else { return VipsError(fallback) }
    defer { g_free(raw) }
    let lines = String(cString: raw).split(separator: "\n").compactMap { line -> String? in
      // The temporary file a saver was writing is ours, not the user's business.
      if line.contains("unable to write to target") || line.contains("unable to call") { return nil }
      var text = String(line)
      if let colon = text.firstIndex(of: ":"), ["Vips", "vips", "srg"].contains(where: text.hasPrefix) {
        text = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      }
      if text.hasSuffix("is not a known file format") { return "not a known image format" }
      return text
    }
    var seen = Set<String>()
    let unique = lines.filter { !$0.isEmpty && seen.insert($0).inserted }
    return VipsError(unique.isEmpty ? fallback : unique.joined(separator: "; "))
  }
}

/// Process-wide libvips state: initialised once, on first use.
public enum Vips {
  private static let started: Bool = {
    // Batch tools open each file once: the operation cache only holds on to memory and file handles.
    guard srgv_init(CommandLine.arguments.first ?? "srg") == 0 else { return false }
    vips_cache_set_max(0)
    // Failures reach the user as errors; libvips' warnings would only repeat them per tile.
    srgv_silence_warnings()
    return true
  }()

  /// Initialises libvips; safe to call any number of times from any thread.
  public static func start() throws {
    guard started else { throw VipsError.fromBuffer("libvips failed to start") }
  }

  /// Worker threads libvips uses inside one image pipeline (read after start-up: before, libvips
  /// has not looked at VIPS_CONCURRENCY and says 0).
  public static var concurrency: Int {
    get {
      try? start()
      return Int(vips_concurrency_get())
    }
    set {
      try? start()
      vips_concurrency_set(Int32(max(1, newValue)))
    }
  }

  /// Whether `VIPS_CONCURRENCY` was set by the user (then it wins over our defaults).
  public static var concurrencyFromEnvironment: Bool { ProcessInfo.processInfo.environment["VIPS_CONCURRENCY"] != nil }
}
