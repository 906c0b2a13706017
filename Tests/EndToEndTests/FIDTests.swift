import Foundation
import XCTest

final class FIDToolTests: ToolTestCase {
  let fid = Tool(name: "fid")

  /// An environment in which no Inception weights can be found.
  var noModels: [String: String] {
    ["SRG_MODEL_PATH": work.path, "XDG_DATA_HOME": work.path, "HOME": work.path, "SRG_FID_WEIGHTS": ""]
  }

  /// Statistics files of numpy (np.savez, np.savez_compressed) and pytorch-fid's distance between them.
  func testStatisticsFilesGivePytorchFidsDistance() throws {
    try copyFixtures(["fid-a.npz", "fid-b.npz"])
    let expected = Double(try String(contentsOf: fixture("fid-ab.txt"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))!
    let r = try fid.run(["fid-a.npz", "fid-b.npz"], in: work, environment: noModels)
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stdoutText.hasPrefix("FID: "), r.stdoutText)
    let value = Double(r.stdoutText.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines))!
    XCTAssertEqual(value, expected, accuracy: 1e-9 * expected)
    let j = try fid.run(["--json", "fid-b.npz", "fid-b.npz"], in: work, environment: noModels)
    let record = try JSONSerialization.jsonObject(with: j.stdout) as! [String: Any]
    XCTAssertEqual(record["fid"] as! Double, 0, accuracy: 1e-9)
    XCTAssertEqual(record["dims"] as? Int, 5)
  }

  func testWithoutWeightsOneMessageSaysWhereTheyComeFrom() throws {
    try copyFixtures(["chelsea.png", "camera.png"], to: "a")
    let r = try fid.run(["a", "a"], in: work, environment: noModels)
    XCTAssertEqual(r.status, 2)
    XCTAssertEqual(r.stderrLines.count, 1, r.stderr)
    XCTAssertTrue(r.stderr.contains("pt_inception-2015-12-05-6726825d.pth"), r.stderr)
    XCTAssertTrue(r.stderr.contains("srg import pt_inception-2015-12-05-6726825d.pth -o ~/.local/share/srg/models/inception-fid.srg"), r.stderr)
  }

  func testUsageErrors() throws {
    try copyFixtures(["fid-a.npz"])
    for args in [["--dims", "100", "fid-a.npz", "fid-a.npz"], ["fid-a.npz"], ["--kid", "fid-a.npz", "fid-a.npz"], ["-", "-"]] {
      XCTAssertEqual(try fid.run(args, in: work, environment: noModels).status, 64, "\(args)")
    }
  }

  /// pytorch-fid itself on the same images and seeded random weights (Tests/Reference/fid_reference.py),
  /// when the system Python has torch and pytorch-fid and a release build exists (the network is
  /// too slow in a debug build).
  func testParityWithPytorchFid() throws {
    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    probe.arguments = ["-c", "import torch, torchvision, scipy, pytorch_fid"]
    probe.standardError = Pipe()
    guard (try? probe.run()) != nil else { throw XCTSkip("no /usr/bin/python3") }
    probe.waitUntilExit()
    guard probe.terminationStatus == 0 else { throw XCTSkip("/usr/bin/python3 lacks torch, torchvision, scipy or pytorch-fid") }
    let release = Tool.productsDirectory.deletingLastPathComponent().appendingPathComponent("release")
    guard FileManager.default.isExecutableFile(atPath: release.appendingPathComponent("fid").path) else {
      throw XCTSkip("no release build of fid beside the debug one (swift build -c release)")
    }
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Reference/fid_reference.py")
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    p.arguments = [script.path, "--bin", release.path, "--work", work.path, "--images", "24", "--dims", "64,2048"]
    let out = Pipe()
    p.standardOutput = out
    p.standardError = Pipe()
    try p.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    XCTAssertEqual(p.terminationStatus, 0, text)
  }
}
