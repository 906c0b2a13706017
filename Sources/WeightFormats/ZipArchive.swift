/// A minimal reader of zip archives as torch.save writes them: the end-of-central-directory record
/// (zip64 included), the central directory and each entry's local header. Entries are read in place;
/// only stored (uncompressed) entries can be read. Every offset and length is checked against the file.
struct ZipArchive {
  struct Entry {
    let name: String
    /// Compression method: 0 = stored, 8 = deflate, ...
    let method: UInt16
    let flags: UInt16
    let crc32: UInt32
    let compressedSize: Int
    let size: Int
    /// Where the entry's bytes start in the file, after its local header.
    let dataOffset: Int
  }

  let view: ByteView
  let entries: [Entry]
  private let index: [String: Int]

  private static let eocdSignature: UInt32 = 0x0605_4b50
  private static let zip64LocatorSignature: UInt32 = 0x0706_4b50
  private static let zip64EOCDSignature: UInt32 = 0x0606_4b50
  private static let centralSignature: UInt32 = 0x0201_4b50
  private static let localSignature: UInt32 = 0x0403_4b50

  init(_ view: ByteView) throws {
    self.view = view
    let size = view.count
    guard size >= 22 else { throw failure("zip archive is \(size) bytes, too short for an end-of-central-directory record") }

    // The record is the last 22 bytes, followed by a comment of at most 65535 bytes.
    var eocd = -1
    var candidate = size - 22
    let lowest = max(0, size - 22 - 0xffff)
    while candidate >= lowest {
      if try view.u32(candidate, "end-of-central-directory record") == Self.eocdSignature {
        let commentLength = Int(try view.u16(candidate + 20, "zip comment length"))
        if candidate + 22 + commentLength <= size { eocd = candidate; break }
      }
      candidate -= 1
    }
    guard eocd >= 0 else { throw failure("no zip end-of-central-directory record: the archive is truncated or not a zip file") }

    let disk = try view.u16(eocd + 4, "zip disk number")
    let centralDisk = try view.u16(eocd + 6, "zip central directory disk")
    var entryCount = UInt64(try view.u16(eocd + 10, "zip entry count"))
    var centralSize = UInt64(try view.u32(eocd + 12, "zip central directory size"))
    var centralOffset = UInt64(try view.u32(eocd + 16, "zip central directory offset"))
    guard disk == 0, centralDisk == 0 else { throw failure("multi-disk zip archives are not supported") }

    // Zip64: a locator right before the record points at the zip64 end-of-central-directory record.
    if eocd >= 20, try view.u32(eocd - 20, "zip64 locator") == Self.zip64LocatorSignature {
      let recordOffset = try checkedInt(try view.u64(eocd - 20 + 8, "zip64 record offset"), atMost: size, "zip64 record offset")
      guard try view.u32(recordOffset, "zip64 end-of-central-directory record") == Self.zip64EOCDSignature else {
        throw failure("zip64 locator points at offset \(recordOffset), where there is no zip64 end-of-central-directory record")
      }
      entryCount = try view.u64(recordOffset + 32, "zip64 entry count")
      centralSize = try view.u64(recordOffset + 40, "zip64 central directory size")
      centralOffset = try view.u64(recordOffset + 48, "zip64 central directory offset")
    } else if entryCount == 0xffff || centralSize == 0xffff_ffff || centralOffset == 0xffff_ffff {
      throw failure("zip end-of-central-directory record defers to zip64 but the archive has no zip64 locator")
    }

    let start = try checkedInt(centralOffset, atMost: size, "zip central directory offset")
    let length = try checkedInt(centralSize, atMost: size - start, "zip central directory size")
    // Each central entry takes at least 46 bytes, which bounds the count before anything is allocated.
    guard entryCount <= UInt64(length / 46) else {
      throw failure("zip archive claims \(entryCount) entries but its central directory of \(length) bytes holds at most \(length / 46)")
    }

    var entries: [Entry] = []
    var index: [String: Int] = [:]
    var position = start
    let end = start + length
    for n in 0..<Int(entryCount) {
      let what = "zip central directory entry \(n)"
      guard position <= end - 46 else { throw failure("\(what) lies past the end of the central directory") }
      guard try view.u32(position, what) == Self.centralSignature else {
        throw failure("\(what) at offset \(position) has no central directory signature (corrupt archive)")
      }
      let flags = try view.u16(position + 8, what)
      let method = try view.u16(position + 10, what)
      let crc = try view.u32(position + 16, what)
      var compressed = UInt64(try view.u32(position + 20, what))
      var uncompressed = UInt64(try view.u32(position + 24, what))
      let nameLength = Int(try view.u16(position + 28, what))
      let extraLength = Int(try view.u16(position + 30, what))
      let commentLength = Int(try view.u16(position + 32, what))
      var localOffset = UInt64(try view.u32(position + 42, what))
      let variable = nameLength + extraLength + commentLength
      guard variable <= end - position - 46 else { throw failure("\(what) runs past the end of the central directory") }
      let name = String(decoding: try view.bytes(position + 46, nameLength, what), as: UTF8.self)

      // Zip64 extra field (id 1): 8-byte values for exactly those fields saturated above, in this order.
      if uncompressed == 0xffff_ffff || compressed == 0xffff_ffff || localOffset == 0xffff_ffff {
        var field = position + 46 + nameLength
        let fieldsEnd = field + extraLength
        var found = false
        while field + 4 <= fieldsEnd {
          let id = try view.u16(field, what)
          let dataLength = Int(try view.u16(field + 2, what))
          guard dataLength <= fieldsEnd - field - 4 else { throw failure("zip entry '\(name)' has a malformed extra field") }
          if id == 1 {
            var p = field + 4
            let limit = p + dataLength
            func next() throws -> UInt64 {
              guard p + 8 <= limit else { throw failure("zip entry '\(name)' has a zip64 extra field too short for its saturated sizes") }
              defer { p += 8 }
              return try view.u64(p, what)
            }
            if uncompressed == 0xffff_ffff { uncompressed = try next() }
            if compressed == 0xffff_ffff { compressed = try next() }
            if localOffset == 0xffff_ffff { localOffset = try next() }
            found = true
            break
          }
          field += 4 + dataLength
        }
        guard found else { throw failure("zip entry '\(name)' has saturated sizes but no zip64 extra field") }
      }

      let compressedSize = try checkedInt(compressed, atMost: view.count, "compressed size of zip entry '\(name)'")
      // Deflate expands at most 1032-fold; stored entries are no larger than the file.
      let size = try checkedInt(uncompressed, atMost: method == 8 ? compressedSize.multipliedReportingOverflow(by: 1032).partialValue : view.count, "size of zip entry '\(name)'")
      let local = try checkedInt(localOffset, atMost: view.count, "local header offset of zip entry '\(name)'")
      guard try view.u32(local, "local header of zip entry '\(name)'") == Self.localSignature else {
        throw failure("zip entry '\(name)' points at offset \(local), where there is no local header (corrupt archive)")
      }
      let localName = Int(try view.u16(local + 26, "local header of zip entry '\(name)'"))
      let localExtra = Int(try view.u16(local + 28, "local header of zip entry '\(name)'"))
      let dataOffset = local + 30 + localName + localExtra
      try view.check(dataOffset, compressedSize, "data of zip entry '\(name)'")

      guard index[name] == nil else { throw failure("zip archive has two entries named '\(name)'") }
      index[name] = entries.count
      entries.append(Entry(name: name, method: method, flags: flags, crc32: crc, compressedSize: compressedSize,
                           size: size, dataOffset: dataOffset))
      position += 46 + variable
    }
    self.entries = entries
    self.index = index
  }

  func entry(_ name: String) -> Entry? { index[name].map { entries[$0] } }

  /// Checks that an entry can be read in place (stored, unencrypted, intact) and returns its byte range.
  func storedRange(of entry: Entry) throws -> (offset: Int, length: Int) {
    guard entry.flags & 1 == 0 else { throw failure("zip entry '\(entry.name)' is encrypted") }
    guard entry.method == 0 else {
      let name = entry.method == 8 ? " (deflate)" : ""
      throw failure("zip entry '\(entry.name)' uses compression method \(entry.method)\(name); only stored entries are supported, as torch.save writes them")
    }
    guard entry.compressedSize == entry.size else {
      throw failure("stored zip entry '\(entry.name)' has different compressed and uncompressed sizes")
    }
    let crc = try view.withBytes(entry.dataOffset, entry.size, "data of zip entry '\(entry.name)'") { CRC32.checksum($0) }
    guard crc == entry.crc32 else {
      throw failure("zip entry '\(entry.name)' fails its CRC-32 check (corrupt archive)")
    }
    return (entry.dataOffset, entry.size)
  }

  func read(_ entry: Entry) throws -> [UInt8] {
    let range = try storedRange(of: entry)
    return try view.bytes(range.offset, range.length, "data of zip entry '\(entry.name)'")
  }
}

/// CRC-32 (IEEE 802.3, reflected), as zip uses.
enum CRC32 {
  static let table: [UInt32] = (0..<256).map { n in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xedb8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }

  static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    var crc: UInt32 = 0xffff_ffff
    table.withUnsafeBufferPointer { t in
      for b in bytes { crc = t[Int((crc ^ UInt32(b)) & 0xff)] ^ (crc >> 8) }
    }
    return crc ^ 0xffff_ffff
  }
}
