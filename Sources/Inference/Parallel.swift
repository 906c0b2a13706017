import Dispatch

/// Splits work over a fixed number of threads. The engine runs OpenBLAS single-threaded inside each
/// share, so the thread count is ours alone and never multiplies with BLAS' own.
enum Parallel {
  /// Calls `body(i)` for every i in 0..<count, share k of `threads` taking i = k, k + threads, ...
  /// `body` also gets the share's index, to pick its own scratch memory.
  static func forEach(_ count: Int, threads: Int, _ body: (_ item: Int, _ share: Int) -> Void) {
    let shares = min(threads, count)
    if shares <= 1 {
      for i in 0..<count { body(i, 0) }
      return
    }
    withoutActuallyEscaping(body) { body in
      DispatchQueue.concurrentPerform(iterations: shares) { k in
        for i in stride(from: k, to: count, by: shares) { body(i, k) }
      }
    }
  }
}
