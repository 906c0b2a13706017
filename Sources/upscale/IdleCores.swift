import Foundation

/// The cores a tile's network splits over: all those no other tile is running on when it starts.
/// A fixed share per libvips worker would leave cores idle: a saver writes strips across a whole
/// row of tiles, so the workers mostly wait on the same tile rather than run one each.
final class IdleCores: @unchecked Sendable {
  /// Cores the process may use: tiles running at once at most.
  let count: Int
  private var idle: Int
  private let lock = NSLock()

  init(_ count: Int) {
    self.count = max(1, count)
    idle = self.count
  }

  /// Takes every idle core, at least one; give them back when the tile is done.
  func take() -> Int {
    lock.withLock {
      let n = max(1, idle)
      idle -= n
      return n
    }
  }

  func give(_ n: Int) { lock.withLock { idle += n } }
}
