import Foundation
import Imaging

extension Job {
  /// Saves `image`, except that when the destination is a JPEG (by extension, or on standard output)
  /// with no saver options and `jpeg` holds the bytes `image` was decoded from, those bytes are
  /// written as they are: no second compression.
  public func save(_ image: Image, encodedJPEG jpeg: [UInt8]?, source: Image? = nil) throws {
    let naming = batch.naming
    guard let jpeg, naming.saverOptions == nil else { return try save(image, source: source) }
    let destination = try self.destination ?? naming.destination(for: input, inputFormat: input.defaultFormat(of: source))
    let jpegExtensions = ["jpg", "jpeg", "jpe"]
    switch destination {
    case .file(let path) where jpegExtensions.contains(path.extension):
      record["output_width"] = .int(image.width)
      record["output_height"] = .int(image.height)
      record["output"] = .string(path.description)
      try AtomicFile.write(to: path, overwrite: batch.options.force) { try $0.write(bytes: jpeg) }
    case .standardOutput(let suffix) where jpegExtensions.contains(String(suffix.dropFirst()).lowercased()):
      record["output_width"] = .int(image.width)
      record["output_height"] = .int(image.height)
      record["output"] = .string("-")
      try FileDescriptor.write(jpeg, to: 1, name: "standard output")
    default:
      try save(image, source: source)
    }
  }
}

extension Path {
  /// Creates (or truncates) the file and writes `bytes` to it.
  public func write(bytes: [UInt8]) throws {
    let fd = withCString { open($0, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666) }
    guard fd >= 0 else { throw SystemError(errno: errno, action: "cannot write \(self)") }
    defer { close(fd) }
    try FileDescriptor.write(bytes, to: fd, name: description)
  }
}

enum FileDescriptor {
  static func write(_ bytes: [UInt8], to fd: Int32, name: String) throws {
    var offset = 0
    while offset < bytes.count {
      let n = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw SystemError(errno: errno, action: "cannot write \(name)")
      }
      offset += n
    }
  }
}
