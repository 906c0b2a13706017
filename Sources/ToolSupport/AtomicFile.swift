import Foundation
import Imaging

/// Writes land whole or not at all: a result is written to a hidden temporary file in the target
/// folder and renamed into place. Temporary files still open when the process is interrupted are
/// removed by `Interrupts`.
public enum AtomicFile {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var pending: Set<Path> = []
  nonisolated(unsafe) private static var counter = 0

  /// Writes through `write(temporaryPath)`, then moves the file to `destination`. Without
  /// `overwrite`, an existing destination is never replaced, even one created meanwhile.
  public static func write(to destination: Path, overwrite: Bool, _ write: (Path) throws -> Void) throws {
    try destination.directory.createDirectories()
    let temp = temporaryPath(for: destination)
    register(temp)
    defer {
      _ = temp.withCString { unlink($0) }
      unregister(temp)
    }
    do { try write(temp) } catch { throw explained(error, writing: destination) }
    try commit(temp, to: destination, overwrite: overwrite)
  }

  /// A failed write in the user's terms: the destination named, not the temporary.
  static func explained(_ error: Error, writing destination: Path) -> Error {
    guard let failure = error as? WriteFailure else { return error }
    return SystemError(errno: failure.errno, action: "cannot write \(destination)")
  }

  /// ".NAME.tmp-PID-N-HOST.EXT" beside the destination: same file system (so rename is atomic),
  /// hidden, with the destination's extension (which picks the saver), and naming its writer, so a
  /// later run can tell one abandoned by a killed process (`removeAbandoned`).
  static func temporaryPath(for destination: Path) -> Path {
    lock.lock()
    counter += 1
    let n = counter
    lock.unlock()
    let ext = destination.extension.isEmpty ? "" : "." + destination.extension
    let name = [UInt8(ascii: ".")] + destination.stem + Array(".tmp-\(getpid())-\(n)-\(host)\(ext)".utf8)
    return destination.directory.appending(name)
  }

  /// This machine's name: temporaries of processes on other machines (a shared folder) are theirs.
  static let host: String = {
    var name = [CChar](repeating: 0, count: 256)
    guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
    return String(decoding: name.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }()

  /// Removes the temporaries in `directory` that a process of this machine left when it was killed
  /// (SIGKILL, power loss): those whose writer no longer runs. Others' temporaries are left alone.
  public static func removeAbandoned(in directory: Path) {
    guard let handle = directory.withCString({ opendir($0) }) else { return }
    defer { closedir(handle) }
    while let entry = readdir(handle) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix(while: { $0 != 0 })) }
      guard let pid = writer(ofTemporary: name), pid != getpid(), kill(pid, 0) == -1, errno == ESRCH else { continue }
      _ = directory.appending(name).withCString { unlink($0) }
    }
  }

  /// The process id in a temporary's name written on this machine (".NAME.tmp-PID-N-HOST[.EXT]").
  static func writer(ofTemporary name: [UInt8]) -> pid_t? {
    let text = String(decoding: name, as: UTF8.self)
    guard name.first == UInt8(ascii: "."), let mark = text.range(of: ".tmp-", options: .backwards) else { return nil }
    let fields = text[mark.upperBound...].split(separator: "-", maxSplits: 2)
    guard fields.count == 3, let pid = pid_t(fields[0]), pid > 0, Int(fields[1]) != nil,
      fields[2] == host || fields[2].hasPrefix(host + ".")
    else { return nil }
    return pid
  }

  static func commit(_ temp: Path, to destination: Path, overwrite: Bool) throws {
    let status = temp.withCString { t in
      destination.withCString { d in
        // link(2) fails if the destination exists: an atomic no-clobber rename.
        overwrite ? rename(t, d) : link(t, d)
      }
    }
    guard status == 0 else {
      if !overwrite && errno == EEXIST { throw SystemError(errno: EEXIST, action: "cannot write \(destination)") }
      if !overwrite && (errno == EPERM || errno == ENOTSUP || errno == EXDEV), !destination.exists {
        // File systems without hard links: fall back to a checked rename.
        guard temp.withCString({ t in destination.withCString { rename(t, $0) } }) == 0 else {
          throw SystemError(errno: errno, action: "cannot write \(destination)")
        }
        return
      }
      throw SystemError(errno: errno, action: "cannot write \(destination)")
    }
  }

  static func register(_ p: Path) {
    lock.lock()
    pending.insert(p)
    lock.unlock()
  }

  static func unregister(_ p: Path) {
    lock.lock()
    pending.remove(p)
    lock.unlock()
  }

  /// Removes every temporary file still being written.
  static func removePending() {
    lock.lock()
    for p in pending { _ = p.withCString { unlink($0) } }
    pending.removeAll()
    lock.unlock()
  }
}

/// Ctrl-C, SIGTERM and SIGHUP stop the process cleanly: temporary files are removed and the exit
/// status is 128 + the signal number, as shells expect.
public enum Interrupts {
  /// Must run before any thread starts (libvips starts its own), so every thread inherits the mask
  /// and the signals reach only the waiting thread.
  public static func install() {
    var set = sigset_t()
    sigemptyset(&set)
    for s in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, s) }
    pthread_sigmask(SIG_BLOCK, &set, nil)
    let blocked = set
    let waiter = Thread {
      var signal: Int32 = 0
      var waitSet = blocked
      sigwait(&waitSet, &signal)
      AtomicFile.removePending()
      _exit(128 + signal)
    }
    waiter.start()
  }
}
