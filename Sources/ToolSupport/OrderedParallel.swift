import Foundation

/// Runs `work` over 0..<count on `jobs` threads and hands each result to `emit` in index order, as
/// soon as it and all before it are done (so output order never depends on timing). `emit` runs
/// under a lock, one call at a time.
public func orderedParallel<R>(count: Int, jobs: Int, work: @escaping (Int) -> R, emit: @escaping (Int, R) -> Void) {
  let state = OrderedState<R>()
  let group = DispatchGroup()
  for _ in 0..<max(1, min(jobs, count)) {
    group.enter()
    Thread {
      while let i = state.claim(below: count) {
        state.finish(i, work(i), emit)
      }
      group.leave()
    }.start()
  }
  group.wait()
}

private final class OrderedState<R>: @unchecked Sendable {
  private let lock = NSLock()
  private var next = 0
  private var emitted = 0
  private var done: [Int: R] = [:]

  func claim(below count: Int) -> Int? {
    lock.lock()
    defer { lock.unlock() }
    guard next < count else { return nil }
    next += 1
    return next - 1
  }

  func finish(_ i: Int, _ result: R, _ emit: (Int, R) -> Void) {
    lock.lock()
    defer { lock.unlock() }
    done[i] = result
    while let ready = done.removeValue(forKey: emitted) {
      emit(emitted, ready)
      emitted += 1
    }
  }
}
