/// Where a tensor's elements lie in its storage: an element offset, a shape and per-dimension strides
/// (in elements), as torch describes views. A layout is only built validated against its storage.
struct StridedLayout: Equatable {
  static let maxRank = 32

  let shape: [Int]
  let strides: [Int]
  let offset: Int
  /// The product of `shape`.
  let count: Int

  /// Checks that every element the layout addresses lies in a storage of `storageCount` elements.
  init(shape: [Int], strides: [Int], offset: Int, storageCount: Int) throws {
    guard shape.count == strides.count else {
      throw failure("tensor has \(shape.count) sizes but \(strides.count) strides")
    }
    guard shape.count <= Self.maxRank else { throw failure("tensor has \(shape.count) dimensions, more than \(Self.maxRank)") }
    guard shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }), offset >= 0 else {
      throw failure("tensor has a negative size, stride or storage offset (sizes \(shape), strides \(strides), offset \(offset))")
    }
    guard let count = checkedProduct(shape) else { throw failure("tensor shape \(shape) has more elements than can be addressed") }
    if count > 0 {
      // The last element addressed is offset + Σ (size - 1) × stride.
      var last = offset
      for (size, stride) in zip(shape, strides) {
        let (step, o1) = (size - 1).multipliedReportingOverflow(by: stride)
        let (sum, o2) = last.addingReportingOverflow(step)
        guard !o1, !o2 else { throw failure("tensor view (sizes \(shape), strides \(strides)) overflows its storage") }
        last = sum
      }
      guard last < storageCount else {
        throw failure("tensor view (offset \(offset), sizes \(shape), strides \(strides)) reaches element \(last) of a storage of \(storageCount) elements")
      }
    } else {
      guard offset <= storageCount else { throw failure("tensor storage offset \(offset) lies past its storage of \(storageCount) elements") }
    }
    self.shape = shape
    self.strides = strides
    self.offset = offset
    self.count = count
  }

  /// A contiguous row-major layout of `shape`, starting at element 0.
  init(contiguous shape: [Int], storageCount: Int) throws {
    var strides = [Int](repeating: 1, count: shape.count)
    var running = 1
    for d in shape.indices.reversed() {
      strides[d] = running
      let (next, overflow) = running.multipliedReportingOverflow(by: max(shape[d], 1))
      guard !overflow else { throw failure("tensor shape \(shape) has more elements than can be addressed") }
      running = next
    }
    try self.init(shape: shape, strides: strides, offset: 0, storageCount: storageCount)
  }

  var isContiguous: Bool {
    var expected = 1
    for d in shape.indices.reversed() where shape[d] != 1 {
      if strides[d] != expected { return false }
      expected &*= shape[d]
    }
    return true
  }

  /// The elements in row-major order; `load` reads one storage element by index.
  func gather(_ load: (Int) -> Float) -> [Float] {
    if count == 0 { return [] }
    if isContiguous {
      return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        for i in 0..<count { buffer[i] = load(offset &+ i) }
        initialized = count
      }
    }
    // An odometer over the multi-index, innermost dimension fastest.
    return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      let rank = shape.count
      var index = [Int](repeating: 0, count: rank)
      var position = offset
      for i in 0..<count {
        buffer[i] = load(position)
        var d = rank - 1
        while d >= 0 {
          index[d] += 1
          position &+= strides[d]
          if index[d] < shape[d] { break }
          position &-= strides[d] &* shape[d]
          index[d] = 0
          d -= 1
        }
      }
      initialized = count
    }
  }
}
