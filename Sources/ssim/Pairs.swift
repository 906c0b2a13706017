import ArgumentParser
import Foundation
import ToolSupport

/// A reference image and the image compared with it.
struct Pair {
  var reference: Path
  var test: Path
}

enum Pairs {
  /// Two files, or two folders whose images pair by relative path (by path without extension when
  /// the extensions differ). Files without a partner are returned as `unpaired`.
  static func fromArguments(_ a: Path, _ b: Path) throws -> (pairs: [Pair], unpaired: [(Path, String)]) {
    switch (a.isDirectory, b.isDirectory) {
    case (false, false): return ([Pair(reference: a, test: b)], [])
    case (true, true): break
    default: throw ValidationError("give two files or two folders")
    }
    let refs = try a.filesRecursively(), tests = try b.filesRecursively()
    let testSet = Set(tests)
    var byStem: [Path: [Path]] = [:]
    for t in tests { byStem[withoutExtension(t), default: []].append(t) }
    var pairs: [Pair] = [], unpaired: [(Path, String)] = [], used = Set<Path>()
    for r in refs {
      let match = testSet.contains(r) ? r : byStem[withoutExtension(r)].flatMap { $0.count == 1 ? $0[0] : nil }
      if let match, !used.contains(match) {
        used.insert(match)
        pairs.append(Pair(reference: a.appending(r.bytes), test: b.appending(match.bytes)))
      } else {
        unpaired.append((a.appending(r.bytes), "no matching image in \(b)"))
      }
    }
    for t in tests where !used.contains(t) { unpaired.append((b.appending(t.bytes), "no matching image in \(a)")) }
    return (pairs, unpaired)
  }

  /// Pairs from standard input: `REF<TAB>TEST` lines, or with -0, NUL-separated REF and TEST in turn.
  static func fromStandardInput(nulSeparated: Bool) throws -> [Pair] {
    let data = InputList.readAll(fd: 0)
    if nulSeparated {
      let items = data.split(separator: 0, omittingEmptySubsequences: false).map(Array.init)
      let paths = items.last?.isEmpty == true ? Array(items.dropLast()) : items
      guard paths.count % 2 == 0 else { throw ValidationError("the NUL-separated list has an odd number of paths") }
      return stride(from: 0, to: paths.count, by: 2).map { Pair(reference: Path(bytes: paths[$0]), test: Path(bytes: paths[$0 + 1])) }
    }
    return try InputList.split(data, separator: UInt8(ascii: "\n")).map { line in
      let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
      guard fields.count == 2 else {
        throw ValidationError("each line on standard input needs two tab-separated paths: \(String(decoding: line, as: UTF8.self))")
      }
      return Pair(reference: Path(bytes: Array(fields[0])), test: Path(bytes: Array(fields[1])))
    }
  }

  static func withoutExtension(_ p: Path) -> Path {
    p.extension.isEmpty ? p : Path(bytes: Array(p.bytes.dropLast(p.extension.utf8.count + 1)))
  }
}
