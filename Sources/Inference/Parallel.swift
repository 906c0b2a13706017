import Dispatch
import Synchronization

/// Splits work over a fixed number of threads. The engine runs OpenBLAS single-threaded inside each
/// share, so the thread count is ours alone and never multiplies with BLAS' own.
enum Parallel {
  /// Calls `body(i)` for every i in 0..<count on up to `threads` threads, each taking the next item
  /// when it finishes one (so a thread slowed by another process holds no one up). `body` also gets
  /// the index of the thread's share, to pick its own scratch memory.
  static func forEach(_ count: Int, threads: Int, _ body: (_ item: Int, _ share: Int) -> Void) {
    let shares = min(threads, count)
    if shares <= 1 {
      for i in 0..<count { body(i, 0) }
      return
    }
    let next = Atomic<Int>(0)
    DispatchQueue.concurrentPerform(iterations: shares) { share in
      while true {
        let i = next.add(1, ordering: .relaxed).oldValue
        guard i < count else { return }
        body(i, share)
      }
    }
  }
}
