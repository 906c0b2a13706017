import Foundation

/// A file path kept as raw bytes, so names that are not valid UTF-8 survive a round trip.
public struct Path: Hashable, Sendable, CustomStringConvertible {
  public var bytes: [UInt8]

  public init(bytes: [UInt8]) { self.bytes = bytes }
  public init(_ string: String) { bytes = Array(string.utf8) }

  /// For messages: invalid UTF-8 shows as U+FFFD.
  public var description: String { String(decoding: bytes, as: UTF8.self) }

  public func withCString<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
    try (bytes + [0]).withUnsafeBufferPointer { try $0.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) } }
  }

  public var isAbsolute: Bool { bytes.first == UInt8(ascii: "/") }

  /// Path components, without empty ones.
  public var components: [[UInt8]] { bytes.split(separator: UInt8(ascii: "/")).map(Array.init) }

  /// The last component.
  public var name: [UInt8] { components.last ?? [] }

  /// The name without its last extension (`photo` for `photo.jpg`; a leading dot is not an extension).
  public var stem: [UInt8] {
    let n = name
    guard let dot = n.lastIndex(of: UInt8(ascii: ".")), dot > 0 else { return n }
    return Array(n[..<dot])
  }

  /// The last extension without its dot, lower-cased ASCII; empty when there is none.
  public var `extension`: String {
    let n = name
    guard let dot = n.lastIndex(of: UInt8(ascii: ".")), dot > 0 else { return "" }
    return String(decoding: n[(dot + 1)...], as: UTF8.self).lowercased()
  }

  /// Everything before the last component ("." for a bare name).
  public var directory: Path {
    guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return Path(".") }
    return slash == 0 ? Path("/") : Path(bytes: Array(bytes[..<slash]))
  }

  public func appending(_ component: [UInt8]) -> Path {
    if bytes.isEmpty { return Path(bytes: component) }
    return Path(bytes: bytes.last == UInt8(ascii: "/") ? bytes + component : bytes + [UInt8(ascii: "/")] + component)
  }

  /// The components of a relative path with "." dropped and ".." resolved lexically; a ".." that
  /// would climb above the start is dropped, so the result never leaves the folder it is joined to.
  public var containedComponents: [[UInt8]] {
    var out: [[UInt8]] = []
    for c in components {
      if c == [UInt8(ascii: ".")] { continue }
      if c == [UInt8(ascii: "."), UInt8(ascii: ".")] {
        if !out.isEmpty { out.removeLast() }
        continue
      }
      out.append(c)
    }
    return out
  }

  // MARK: File system

  public var exists: Bool { withCString { access($0, F_OK) == 0 } }

  public var isDirectory: Bool {
    withCString { p in
      var st = stat()
      return stat(p, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }
  }

  /// `mkdir -p`.
  public func createDirectories() throws {
    if bytes.isEmpty || isDirectory { return }
    let parent = directory
    if parent != self, !parent.bytes.isEmpty { try parent.createDirectories() }
    try withCString { p in
      if mkdir(p, 0o777) != 0 && errno != EEXIST { throw SystemError(errno: errno, action: "cannot create folder \(self)") }
    }
  }
}

/// An `errno` failure with a readable reason.
public struct SystemError: Error, CustomStringConvertible {
  public let errno: Int32
  public let action: String
  public init(errno: Int32, action: String) { (self.errno, self.action) = (errno, action) }
  public var description: String { "\(action): \(String(cString: strerror(errno)))" }
}

extension Path {
  /// Every regular file under this folder, recursively, as paths relative to it, sorted bytewise.
  /// Hidden entries (names starting with ".") are skipped.
  public func filesRecursively() throws -> [Path] {
    var found: [Path] = []
    func walk(_ relative: Path?) throws {
      let dir = relative.map { appending($0.bytes) } ?? self
      guard let handle = dir.withCString({ opendir($0) }) else {
        throw SystemError(errno: errno, action: "cannot read folder \(dir)")
      }
      defer { closedir(handle) }
      var children: [([UInt8], Bool)] = []
      while let entry = readdir(handle) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix(while: { $0 != 0 })) }
        if name.first == UInt8(ascii: ".") { continue }
        let child = relative.map { $0.appending(name) } ?? Path(bytes: name)
        let full = appending(child.bytes)
        children.append((child.bytes, full.isDirectory))
      }
      for (child, isDir) in children.sorted(by: { $0.0.lexicographicallyPrecedes($1.0) }) {
        if isDir { try walk(Path(bytes: child)) } else { found.append(Path(bytes: child)) }
      }
    }
    try walk(nil)
    return found
  }
}
