import ArgumentParser
import Foundation
import ToolSupport

/// The --manifest file: one JSON line of drawn parameters per image, sorted by input so the file
/// does not depend on -j, and written atomically once the batch is done.
final class Manifest: @unchecked Sendable {
  let path: Path
  let force: Bool
  private let lock = NSLock()
  private var entries: [(String, String)] = []

  init(path: String, force: Bool) throws {
    self.path = Path(path)
    self.force = force
    if self.path.exists && !force { throw ValidationError("--manifest \(path) exists (use -f to overwrite)") }
  }

  func add(_ record: JSONRecord) {
    let key: String
    if case .string(let input)? = record["input"] { key = input } else { key = "" }
    lock.lock()
    entries.append((key, record.line))
    lock.unlock()
  }

  func write() throws {
    let text = entries.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { $0.1 + "\n" }.joined()
    try AtomicFile.write(to: path, overwrite: force) { try $0.write(bytes: Array(text.utf8)) }
  }
}
