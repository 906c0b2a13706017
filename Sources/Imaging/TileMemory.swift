import Foundation

/// Admits tiles to memory before they run. A tile's working memory (a network's feature maps) is
/// allocated by Swift arrays, which trap when an allocation fails; so each tile first asks here, and
/// one refused is halved and asked again. Admission holds when the estimated working sets of the
/// tiles running at once stay within `budget`, and a real allocation of that sum succeeds (then is
/// released): it counts what the other running tiles may still grow to, so a tile admitted alongside
/// them does not find their memory taken when it needs its own.
public final class TileMemory: @unchecked Sendable {
  public static let shared = TileMemory()

  /// Bytes the running tiles' working sets may add up to; nil: only the allocation decides.
  public var budget: Int? {
    get { condition.lock(); defer { condition.unlock() }; return _budget }
    set { condition.lock(); _budget = newValue; condition.unlock() }
  }
  private var _budget: Int?
  private var committed = 0
  private let condition = NSCondition()

  /// Headroom for a thread's first tile: OpenBLAS takes a 128 MiB buffer on a thread's first GEMM,
  /// and loops forever if it cannot.
  public static let headroom = 128 << 20

  public init(budget: Int? = nil) { _budget = budget }

  /// Whether a tile needing `bytes` may run now; if so, call `release(bytes)` when it is done. The
  /// allocator is asked for `headroom` more, not counted against the budget. With `last`, for a tile
  /// that cannot be made smaller, it first waits for the running tiles to finish and then asks only
  /// the allocator: the budget is a target, the allocator the hard limit.
  public func admit(_ bytes: Int, headroom: Int = 0, last: Bool = false) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    if last { while committed > 0 { condition.wait() } }
    let total = committed + bytes
    if !last, let limit = _budget, total > limit { return false }
    guard TileMemory.canMap(total + headroom) else { return false }
    committed = total
    return true
  }

  /// Whether `bytes` of writable memory can be mapped now (address space, and commit charge where the
  /// kernel counts it). mmap rather than malloc: the optimiser may delete a malloc whose block is
  /// only freed, and with it the test.
  static func canMap(_ bytes: Int) -> Bool {
    guard let p = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED else {
      return false
    }
    munmap(p, bytes)
    return true
  }

  public func release(_ bytes: Int) {
    condition.lock()
    committed -= bytes
    condition.broadcast()
    condition.unlock()
  }
}

/// What happened to one image's tiles: the smallest side (input pixels) a tile was halved to.
public final class TileLog: @unchecked Sendable {
  private let lock = NSLock()
  private var smallest: Int?

  public init() {}

  /// Nil when every tile ran at the size asked.
  public var smallestSide: Int? {
    lock.lock()
    defer { lock.unlock() }
    return smallest
  }

  func halved(to side: Int) {
    lock.lock()
    smallest = min(smallest ?? side, side)
    lock.unlock()
  }
}
