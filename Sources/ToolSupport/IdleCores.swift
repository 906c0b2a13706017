import Foundation

/// Cores shared by work items that each split over threads: an item takes all those no other item
/// is running on when it starts (upscale's tiles: a saver writes strips across a whole row of tiles,
/// so libvips' workers mostly wait on the same tile, and a fixed share per worker would leave cores
/// idle).
public final class IdleCores: @unchecked Sendable {
  /// Cores the process may use: items running at once at most.
  public let count: Int
  private var idle: Int
  private let lock = NSLock()

  public init(_ count: Int) {
    self.count = max(1, count)
    idle = self.count
  }

  /// Takes every idle core, at least one; give them back when the item is done.
  public func take() -> Int {
    lock.withLock {
      let n = max(1, idle)
      idle -= n
      return n
    }
  }

  public func give(_ n: Int) { lock.withLock { idle += n } }
}
