import Foundation

/// A one-line progress bar with ETA on standard error, drawn only when it is a terminal.
public final class Progress: @unchecked Sendable {
  public static let shared = Progress()

  private let lock = NSLock()
  private var enabled = false
  private var total = 0.0
  private var done = 0.0
  private var start = Date()
  private var lastDraw = Date.distantPast
  private var drawn = false

  /// Starts a bar over `total` units of work (images, pixels...).
  public func begin(total: Double, enabled: Bool) {
    lock.lock()
    defer { lock.unlock() }
    (self.total, self.done, self.enabled, self.start) = (total, 0, enabled && standardErrorIsTerminal(), Date())
  }

  public func advance(by units: Double) {
    lock.lock()
    defer { lock.unlock() }
    done += units
    guard enabled, Date().timeIntervalSince(lastDraw) > 0.1 || done >= total else { return }
    lastDraw = Date()
    let fraction = total > 0 ? min(done / total, 1) : 1
    let width = 30
    let filled = Int(fraction * Double(width))
    let elapsed = Date().timeIntervalSince(start)
    let eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
    let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
    let line = "\r\u{1B}[K[\(bar)] \(Int(fraction * 100))% ETA \(Progress.clock(eta))"
    line.utf8CString.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count - 1) }
    drawn = true
  }

  /// Erases the bar (before a message, and at the end).
  public func clearLine() {
    lock.lock()
    defer { lock.unlock() }
    guard drawn else { return }
    "\r\u{1B}[K".utf8CString.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count - 1) }
    drawn = false
  }

  static func clock(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
  }
}
