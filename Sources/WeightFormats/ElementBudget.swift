/// Caps the elements a file may make a reader allocate. Views of one storage can address more
/// elements than the file holds bytes (shared storages, zero strides), so the total is bounded by
/// a multiple of the file size rather than by each tensor's own bounds.
struct ElementBudget {
  private(set) var remaining: Int

  /// Eight bytes of Float per byte of file, plus 16 MiB.
  init(fileSize: Int) {
    let (scaled, overflow) = fileSize.multipliedReportingOverflow(by: 2)
    remaining = overflow ? Int.max : scaled.addingReportingOverflow(4 << 20).overflow ? Int.max : scaled + (4 << 20)
  }

  mutating func spend(_ count: Int, for key: String) throws {
    guard count <= remaining else {
      throw failure("tensor '\(key)' would bring the elements read to more than the file's size can justify (views of shared storage?)")
    }
    remaining -= count
  }
}
