import COpenBLAS

/// Thin, typed entry points to OpenBLAS: GEMM and thread control.
public enum BLAS {
  /// Threads OpenBLAS uses for one call. `OPENBLAS_NUM_THREADS` sets the start-up value. Set it
  /// while no other thread is inside OpenBLAS.
  public static var threads: Int {
    get { Int(openblas_get_num_threads()) }
    set {
      let n = max(1, newValue)
      guard n != threads else { return }
      openblas_set_num_threads(Int32(n))
      // Idle workers spin (sched_yield) for about 0.1 s after start-up and after each call, taking
      // cores from the caller's own threads; with one thread they have nothing to do.
      if n == 1 { blas_thread_shutdown_() }
    }
  }

  /// C = alpha * op(A) * op(B) + beta * C, row-major, single precision.
  /// op(A) is m x k, op(B) is k x n, C is m x n with leading dimension `ldc`.
  public static func sgemm(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_sgemm(
      CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  /// Double-precision GEMM, same conventions as `sgemm`.
  public static func dgemm(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
    alpha: Double = 1, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
    beta: Double = 0, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    cblas_dgemm(
      CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }
}
