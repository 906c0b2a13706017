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

  /// Splits columns 0..<n of a GEMM into one contiguous range per thread, none narrower than 256
  /// columns, and calls `body(first, count)` for each.
  static func forColumns(_ n: Int, threads: Int, _ body: (_ first: Int, _ count: Int) -> Void) {
    let shares = max(1, min(threads, n / 256)), chunk = (n + shares - 1) / shares
    forEach(shares, threads: shares) { s, _ in
      let first = s * chunk
      if first < n { body(first, min(chunk, n - first)) }
    }
  }
}
