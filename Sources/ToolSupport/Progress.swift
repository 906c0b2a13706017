import Foundation

/// A one-line progress bar with ETA on standard error, drawn only when it is a terminal. It counts
/// either units of work (`begin(total:)`, `advance(by:)`) or items of known or estimated size
/// (`begin(items:)`, `setSize`, `setDone`, `finish`): a batch's images weighted by their pixels, so
/// the ETA holds when a few large images follow many small ones, and moves within a large one.
public final class Progress: @unchecked Sendable {
  public static let shared = Progress()

  /// Whether the bar is drawn (a terminal, not --quiet): when not, callers need not report.
  public var isEnabled: Bool { lock.withLock { enabled } }

  private let lock = NSLock()
  private var enabled = false
  private var tally = Tally(count: 0)
  private var itemised = false
  private var start = Date()
  private var lastDraw = Date.distantPast
  private var drawn = false

  /// Starts a bar over `total` units of work.
  public func begin(total: Double, enabled: Bool) {
    reset(Tally(units: total), itemised: false, enabled: enabled)
  }

  public func advance(by units: Double) {
    update { $0.advance(by: units) }
  }

  /// Starts a bar over `count` items (numbered from 0) whose sizes arrive through `setSize`.
  public func begin(items count: Int, enabled: Bool) {
    reset(Tally(count: count), itemised: true, enabled: enabled)
  }

  /// Records the size of `item` (for images, their pixels; 0 for one that will fail at once).
  public func setSize(_ size: Double, item: Int) {
    lock.lock()
    defer { lock.unlock() }
    tally.setSize(size, item: item)
  }

  /// Records how much of `item` is done, from 0 to 1, before it finishes.
  public func setDone(_ fraction: Double, item: Int) {
    update { $0.setDone(fraction, item: item) }
  }

  public func finish(item: Int) {
    update { $0.finish(item) }
  }

  private func reset(_ tally: Tally, itemised: Bool, enabled: Bool) {
    lock.lock()
    defer { lock.unlock() }
    (self.tally, self.itemised, self.enabled, start) = (tally, itemised, enabled && standardErrorIsTerminal(), Date())
  }

  private func update(_ change: (inout Tally) -> Void) {
    lock.lock()
    defer { lock.unlock() }
    change(&tally)
    let fraction = tally.fraction
    guard enabled, Date().timeIntervalSince(lastDraw) > 0.1 || fraction >= 1 else { return }
    lastDraw = Date()
    let width = 30
    let filled = Int(fraction * Double(width))
    let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
    let count = itemised ? " \(tally.finishedCount)/\(tally.count)" : ""
    let eta = Progress.remaining(elapsed: Date().timeIntervalSince(start), fraction: fraction)
    let line = "\r\u{1B}[K[\(bar)] \(Int(fraction * 100))%\(count) ETA \(Progress.clock(eta))"
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

  /// Seconds left if the rest goes at the pace so far.
  static func remaining(elapsed: Double, fraction: Double) -> Double {
    fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
  }

  static func clock(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
  }
}

/// The share of work done: the sizes of finished items, and the done part of those under way, over
/// the sizes of all. A size not yet known is taken as the mean of the known ones (1 while none is),
/// so the share is sensible from the start and sharpens as sizes arrive, in any order relative to
/// the items finishing.
struct Tally {
  let count: Int
  private var sizes: [Double?]
  private var finished: [Bool]
  private var knownSum = 0.0, knownCount = 0
  private var doneKnownSum = 0.0, doneUnknownCount = 0
  private(set) var finishedCount = 0
  /// The done part of items under way.
  private var partial: [Int: Double] = [:]
  /// Units mode: one item standing for `total` units, `doneUnits` of them done.
  private var total: Double?, doneUnits = 0.0

  init(count: Int) {
    self.count = count
    sizes = Array(repeating: nil, count: count)
    finished = Array(repeating: false, count: count)
  }

  init(units total: Double) {
    self.init(count: 0)
    self.total = total
  }

  mutating func advance(by units: Double) { doneUnits += units }

  mutating func setSize(_ size: Double, item: Int) {
    guard sizes.indices.contains(item), sizes[item] == nil else { return }
    sizes[item] = max(0, size)
    knownSum += max(0, size)
    knownCount += 1
    if finished[item] {
      doneUnknownCount -= 1
      doneKnownSum += max(0, size)
    }
  }

  mutating func setDone(_ fraction: Double, item: Int) {
    guard finished.indices.contains(item), !finished[item] else { return }
    partial[item] = min(max(fraction, 0), 1)
  }

  mutating func finish(_ item: Int) {
    guard finished.indices.contains(item), !finished[item] else { return }
    finished[item] = true
    partial[item] = nil
    finishedCount += 1
    if let size = sizes[item] { doneKnownSum += size } else { doneUnknownCount += 1 }
  }

  /// From 0 to 1.
  var fraction: Double {
    if let total { return total > 0 ? min(doneUnits / total, 1) : 1 }
    guard count > 0 else { return 1 }
    if finishedCount == count { return 1 }
    let mean = knownCount > 0 ? knownSum / Double(knownCount) : 1
    let all = knownSum + Double(count - knownCount) * mean
    let done = doneKnownSum + Double(doneUnknownCount) * mean + partial.reduce(0) { $0 + $1.value * (sizes[$1.key] ?? mean) }
    // All known sizes zero (every header unreadable): fall back to counting items.
    guard all > 0 else { return Double(finishedCount) / Double(count) }
    return min(done / all, 1)
  }
}
