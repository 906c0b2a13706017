import COpenBLAS

public struct LAPACKError: Error, CustomStringConvertible {
  public let routine: String
  public let info: Int32
  public var description: String { "\(routine) failed (info \(info))" }
}

/// Eigenvalues (ascending) and, optionally, eigenvectors of a symmetric matrix via LAPACK's
/// divide-and-conquer `?syevd`. Matrices are n x n, row-major; symmetry makes the layout irrelevant.
public protocol SymmetricEigenScalar: BinaryFloatingPoint {
  static func syevd(
    _ jobz: UnsafePointer<CChar>, _ uplo: UnsafePointer<CChar>, _ n: UnsafePointer<Int32>,
    _ a: UnsafeMutablePointer<Self>, _ lda: UnsafePointer<Int32>, _ w: UnsafeMutablePointer<Self>,
    _ work: UnsafeMutablePointer<Self>, _ lwork: UnsafePointer<Int32>, _ iwork: UnsafeMutablePointer<Int32>,
    _ liwork: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>)
  static var routineName: String { get }
}

extension Float: SymmetricEigenScalar {
  public static var routineName: String { "ssyevd" }
  public static func syevd(
    _ jobz: UnsafePointer<CChar>, _ uplo: UnsafePointer<CChar>, _ n: UnsafePointer<Int32>,
    _ a: UnsafeMutablePointer<Float>, _ lda: UnsafePointer<Int32>, _ w: UnsafeMutablePointer<Float>,
    _ work: UnsafeMutablePointer<Float>, _ lwork: UnsafePointer<Int32>, _ iwork: UnsafeMutablePointer<Int32>,
    _ liwork: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
  ) { ssyevd_(jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork, info, 1, 1) }
}

extension Double: SymmetricEigenScalar {
  public static var routineName: String { "dsyevd" }
  public static func syevd(
    _ jobz: UnsafePointer<CChar>, _ uplo: UnsafePointer<CChar>, _ n: UnsafePointer<Int32>,
    _ a: UnsafeMutablePointer<Double>, _ lda: UnsafePointer<Int32>, _ w: UnsafeMutablePointer<Double>,
    _ work: UnsafeMutablePointer<Double>, _ lwork: UnsafePointer<Int32>, _ iwork: UnsafeMutablePointer<Int32>,
    _ liwork: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
  ) { dsyevd_(jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork, info, 1, 1) }
}

public enum SymmetricEigen {
  /// Decomposes the symmetric n x n `matrix`. Returns ascending eigenvalues and, when `vectors` is true,
  /// the eigenvectors as the rows of an n x n row-major matrix (vector i belongs to value i).
  public static func decompose<T: SymmetricEigenScalar>(
    _ matrix: [T], n: Int, vectors: Bool = true
  ) throws -> (values: [T], vectors: [T]) {
    precondition(matrix.count == n * n, "matrix must be n x n")
    var a = matrix
    var w = [T](repeating: 0, count: n)
    var n32 = Int32(n), info: Int32 = 0
    let jobz: CChar = vectors ? 0x56 : 0x4E  // 'V' : 'N'
    let uplo: CChar = 0x55  // 'U'
    var jz = jobz, up = uplo
    // Workspace query, then the real call.
    var lwork: Int32 = -1, liwork: Int32 = -1
    var workSize: T = 0
    var iworkSize: Int32 = 0
    T.syevd(&jz, &up, &n32, &a, &n32, &w, &workSize, &lwork, &iworkSize, &liwork, &info)
    guard info == 0 else { throw LAPACKError(routine: T.routineName, info: info) }
    lwork = Int32(workSize.rounded(.up))
    liwork = max(1, iworkSize)
    var work = [T](repeating: 0, count: Int(max(1, lwork)))
    var iwork = [Int32](repeating: 0, count: Int(liwork))
    T.syevd(&jz, &up, &n32, &a, &n32, &w, &work, &lwork, &iwork, &liwork, &info)
    guard info == 0 else { throw LAPACKError(routine: T.routineName, info: info) }
    // LAPACK is column-major: column i of `a` is eigenvector i, i.e. row i of the row-major buffer.
    return (w, vectors ? a : [])
  }
}
