import Foundation
import XCTest

/// The committed man pages and completions must match the tools' argument parsers
/// (regenerate both with scripts/generate-docs).
final class DocsTests: XCTestCase {
  static let tools = ["crappify", "downscale", "fid", "srg", "ssim", "upscale"]

  var root: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }

  func testCompletionsAreCurrent() throws {
    for tool in Self.tools {
      for (shell, file) in [("bash", "\(tool).bash"), ("zsh", "_\(tool)"), ("fish", "\(tool).fish")] {
        let generated = try Tool(name: tool).run(["--generate-completion-script", shell]).stdoutText
        let committed = try String(contentsOf: root.appendingPathComponent("completions/\(file)"), encoding: .utf8)
        XCTAssertEqual(generated, committed, "completions/\(file) is stale: run scripts/generate-docs")
      }
    }
  }

  func testManPagesDescribeEveryOption() throws {
    for tool in Self.tools {
      let man = try String(contentsOf: root.appendingPathComponent("man/\(tool).1"), encoding: .utf8)
      let dump = try Tool(name: tool).run(["--experimental-dump-help"]).stdout
      let info = try JSONSerialization.jsonObject(with: dump) as! [String: Any]
      let command = info["command"] as! [String: Any]
      XCTAssertTrue(man.contains(command["abstract"] as! String), "man/\(tool).1 is stale: run scripts/generate-docs")
      for argument in command["arguments"] as? [[String: Any]] ?? [] {
        let names = (argument["names"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "long" }
        for name in names.compactMap({ $0["name"] as? String }) {
          XCTAssertTrue(man.contains("Fl -\(name)"), "man/\(tool).1 lacks --\(name): run scripts/generate-docs")
        }
        if let abstract = argument["abstract"] as? String, !abstract.isEmpty {
          XCTAssertTrue(man.contains(abstract), "man/\(tool).1 has an old description of \(names): run scripts/generate-docs")
        }
      }
    }
  }
}
