import CZlib
import Foundation

/// A numeric array from a `.npy` file, as float64 values in C (row-major) order.
public struct NumpyArray: Equatable, Sendable {
  public var shape: [Int]
  public var values: [Double]

  public init(shape: [Int], values: [Double]) {
    precondition(shape.reduce(1, *) == values.count, "shape does not hold the values")
    (self.shape, self.values) = (shape, values)
  }
}

/// `.npz` archives as numpy's `np.savez` and `np.savez_compressed` write them: a zip of `.npy`
/// files (stored or deflated, zip64 extras included). Reading takes little-endian float16/32/64
/// and integer arrays in C or Fortran order; writing stores float64 arrays uncompressed, as
/// `np.savez` does, so numpy (and pytorch-fid, clean-fid) read them back.
public enum NumpyArchive {
  /// Reads every array of the archive, keyed by name without `.npy`.
  public static func read(path: String) throws -> [String: NumpyArray] {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
    } catch {
      throw WeightFileError(file: path, "cannot read the file: \(error.localizedDescription)")
    }
    do {
      return try read(data: data)
    } catch var error as WeightFileError {
      if error.file.isEmpty { error.file = path }
      throw error
    }
  }

  public static func read(data: Data) throws -> [String: NumpyArray] {
    let zip = try ZipArchive(ByteView(data))
    var out: [String: NumpyArray] = [:]
    for entry in zip.entries {
      guard entry.name.hasSuffix(".npy") else { continue }
      let bytes: [UInt8]
      switch entry.method {
      case 0: bytes = try zip.read(entry)
      case 8:
        guard entry.flags & 1 == 0 else { throw failure("zip entry '\(entry.name)' is encrypted") }
        let packed = try zip.view.bytes(entry.dataOffset, entry.compressedSize, "data of zip entry '\(entry.name)'")
        bytes = try inflate(packed, size: entry.size, name: entry.name)
        let crc = bytes.withUnsafeBytes { CRC32.checksum($0) }
        guard crc == entry.crc32 else { throw failure("zip entry '\(entry.name)' fails its CRC-32 check (corrupt archive)") }
      default: throw failure("zip entry '\(entry.name)' uses compression method \(entry.method) (numpy writes stored or deflated entries)")
      }
      out[String(entry.name.dropLast(4))] = try parseNPY(bytes, name: entry.name)
    }
    return out
  }

  /// Raw deflate (zip method 8) of an entry whose size the central directory gives.
  static func inflate(_ packed: [UInt8], size: Int, name: String) throws -> [UInt8] {
    var out = [UInt8](repeating: 0, count: size)
    var stream = z_stream()
    guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
      throw failure("zip entry '\(name)': zlib cannot start")
    }
    defer { inflateEnd(&stream) }
    var input = packed
    let status = input.withUnsafeMutableBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        stream.next_in = src.baseAddress
        stream.avail_in = uInt(src.count)
        stream.next_out = dst.baseAddress
        stream.avail_out = uInt(dst.count)
        return CZlib.inflate(&stream, Z_FINISH)
      }
    }
    guard status == Z_STREAM_END, Int(stream.total_out) == size else {
      throw failure("zip entry '\(name)' does not inflate to its \(size) bytes (corrupt archive)")
    }
    return out
  }

  /// Parses a `.npy` file (format versions 1-3).
  static func parseNPY(_ b: [UInt8], name: String) throws -> NumpyArray {
    guard b.count >= 10, b[0..<6].elementsEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]) else { throw failure("\(name) is not a .npy array") }
    let major = b[6]
    let headerLength: Int, start: Int
    switch major {
    case 1: (headerLength, start) = (Int(b[8]) | Int(b[9]) << 8, 10)
    case 2, 3:
      guard b.count >= 12 else { throw failure("\(name): truncated header") }
      (headerLength, start) = (Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24, 12)
    default: throw failure("\(name): .npy format version \(major) is not supported")
    }
    guard headerLength <= b.count - start else { throw failure("\(name): truncated header") }
    let header = String(decoding: b[start..<(start + headerLength)], as: UTF8.self)
    func field(_ key: String) -> Substring? {
      guard let r = header.range(of: "'\(key)':") else { return nil }
      return header[r.upperBound...].drop(while: { $0 == " " })
    }
    guard let d = field("descr"), d.first == "'", let close = d.dropFirst().firstIndex(of: "'") else { throw failure("\(name): no dtype in header \(header)") }
    let descr = String(d[d.index(after: d.startIndex)..<close])
    let fortran = field("fortran_order")?.hasPrefix("True") ?? false
    guard let s = field("shape"), s.first == "(", let end = s.firstIndex(of: ")") else { throw failure("\(name): no shape in header \(header)") }
    let shape = try s[s.index(after: s.startIndex)..<end].split(separator: ",").map { part -> Int in
      guard let v = Int(part.trimmingCharacters(in: .whitespaces)), v >= 0 else { throw failure("\(name): bad shape in header \(header)") }
      return v
    }
    var count = 1
    for v in shape {
      let (m, o) = count.multipliedReportingOverflow(by: v)
      guard !o else { throw failure("\(name): shape \(shape) overflows") }
      count = m
    }
    let size: Int
    let convert: (UnsafeRawBufferPointer, Int) -> Double
    switch descr {
    case "<f8": size = 8; convert = { Double(bitPattern: UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: $1 * 8, as: UInt64.self))) }
    case "<f4": size = 4; convert = { Double(Float(bitPattern: UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: $1 * 4, as: UInt32.self)))) }
    case "<f2": size = 2; convert = { Double(Float(Float16(bitPattern: UInt16(littleEndian: $0.loadUnaligned(fromByteOffset: $1 * 2, as: UInt16.self))))) }
    case "<i8": size = 8; convert = { Double(Int64(littleEndian: $0.loadUnaligned(fromByteOffset: $1 * 8, as: Int64.self))) }
    case "<i4": size = 4; convert = { Double(Int32(littleEndian: $0.loadUnaligned(fromByteOffset: $1 * 4, as: Int32.self))) }
    default: throw failure("\(name): dtype '\(descr)' is not supported (little-endian floats and integers are)")
    }
    let dataStart = start + headerLength
    guard count <= (b.count - dataStart) / size else { throw failure("\(name): \(count) values of \(size) bytes do not fit in the file") }
    var values = b[dataStart...].withUnsafeBytes { raw in (0..<count).map { convert(raw, $0) } }
    if fortran && shape.count > 1 {
      // Column-major: reverse the axes' strides.
      var c = [Double](repeating: 0, count: count)
      var strides = [Int](repeating: 1, count: shape.count)
      for i in 1..<shape.count { strides[i] = strides[i - 1] * shape[i - 1] }
      var index = [Int](repeating: 0, count: shape.count)
      for i in 0..<count {
        var f = 0
        for a in 0..<shape.count { f += index[a] * strides[a] }
        c[i] = values[f]
        var a = shape.count - 1
        while a >= 0 { index[a] += 1; if index[a] < shape[a] { break }; index[a] = 0; a -= 1 }
      }
      values = c
    }
    return NumpyArray(shape: shape, values: values)
  }

  /// A version 1.0 `.npy` file of float64 values, header padded to 64 bytes as numpy pads it.
  public static func npy(_ array: NumpyArray) -> [UInt8] {
    let shape = array.shape.count == 1 ? "(\(array.shape[0]),)" : "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
    var header = Array("{'descr': '<f8', 'fortran_order': False, 'shape': \(shape), }".utf8)
    let total = 10 + header.count + 1
    header += [UInt8](repeating: 0x20, count: (64 - total % 64) % 64)
    header.append(0x0a)
    var out: [UInt8] = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, UInt8(header.count & 0xff), UInt8(header.count >> 8)]
    out += header
    out.reserveCapacity(out.count + array.values.count * 8)
    for v in array.values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 } }
    return out
  }

  /// An `.npz` of stored `NAME.npy` entries, in the order given (a plain zip, zip64 where needed).
  public static func encode(_ arrays: [(String, NumpyArray)]) -> [UInt8] {
    var out: [UInt8] = [], central: [UInt8] = []
    func u16(_ v: Int, _ to: inout [UInt8]) { to += [UInt8(v & 0xff), UInt8(v >> 8 & 0xff)] }
    func u32(_ v: UInt32, _ to: inout [UInt8]) { withUnsafeBytes(of: v.littleEndian) { to += $0 } }
    func u64(_ v: UInt64, _ to: inout [UInt8]) { withUnsafeBytes(of: v.littleEndian) { to += $0 } }
    // DOS time and date of 1980-01-01 00:00.
    let (time, date) = (0, 0x21)
    for (name, array) in arrays {
      let data = npy(array), fileName = Array((name + ".npy").utf8)
      let crc = data.withUnsafeBytes { CRC32.checksum($0) }
      let offset = out.count
      let big = data.count >= 0xffff_ffff || offset >= 0xffff_ffff
      // Local header.
      u32(0x0403_4b50, &out); u16(big ? 45 : 20, &out); u16(0, &out); u16(0, &out); u16(time, &out); u16(date, &out)
      u32(crc, &out)
      u32(big ? 0xffff_ffff : UInt32(data.count), &out); u32(big ? 0xffff_ffff : UInt32(data.count), &out)
      u16(fileName.count, &out); u16(big ? 20 : 0, &out)
      out += fileName
      if big { u16(1, &out); u16(16, &out); u64(UInt64(data.count), &out); u64(UInt64(data.count), &out) }
      out += data
      // Central directory entry.
      u32(0x0201_4b50, &central); u16(big ? 45 : 20, &central); u16(big ? 45 : 20, &central); u16(0, &central); u16(0, &central)
      u16(time, &central); u16(date, &central); u32(crc, &central)
      u32(big ? 0xffff_ffff : UInt32(data.count), &central); u32(big ? 0xffff_ffff : UInt32(data.count), &central)
      u16(fileName.count, &central); u16(big ? 28 : 0, &central); u16(0, &central); u16(0, &central); u16(0, &central)
      u32(0o600 << 16, &central)
      u32(big ? 0xffff_ffff : UInt32(offset), &central)
      central += fileName
      if big { u16(1, &central); u16(24, &central); u64(UInt64(data.count), &central); u64(UInt64(data.count), &central); u64(UInt64(offset), &central) }
    }
    let centralOffset = out.count
    out += central
    let zip64 = centralOffset >= 0xffff_ffff || out.count >= 0xffff_ffff
    if zip64 {
      let record = out.count
      u32(0x0606_4b50, &out); u64(44, &out); u16(45, &out); u16(45, &out); u32(0, &out); u32(0, &out)
      u64(UInt64(arrays.count), &out); u64(UInt64(arrays.count), &out); u64(UInt64(central.count), &out); u64(UInt64(centralOffset), &out)
      u32(0x0706_4b50, &out); u32(0, &out); u64(UInt64(record), &out); u32(1, &out)
    }
    u32(0x0605_4b50, &out); u16(0, &out); u16(0, &out); u16(arrays.count, &out); u16(arrays.count, &out)
    u32(UInt32(central.count), &out); u32(zip64 ? 0xffff_ffff : UInt32(centralOffset), &out); u16(0, &out)
    return out
  }
}
