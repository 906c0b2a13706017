import Foundation
import Imaging
import XCTest

/// Batches killed at random moments, and outputs onto a full disk: nothing half-written is ever left
/// under an output's name, and a rerun finishes the batch.
final class FaultTests: ToolTestCase {
  /// Twenty small textured images of a few sizes.
  func makeInputs() throws -> [String] {
    try (0..<20).map { i in
      let name = "\(String(format: "%02d", i)).png"
      try saveTexturedImage(name, width: 40 + (i % 5) * 13, height: 30 + (i % 3) * 17, seed: i)
      return name
    }
  }

  /// Every entry of `folder`, hidden ones included.
  func entries(_ folder: String) -> [String] {
    (try? FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent(folder).path).sorted()) ?? []
  }

  func bytes(_ path: String) throws -> Data { try Data(contentsOf: work.appendingPathComponent(path)) }

  /// 30 kills with SIGKILL at random moments of upscale, downscale and crappify batches: every output
  /// present is whole (the bytes of an uninterrupted run), and a rerun with --skip-existing completes
  /// the batch and removes the temporaries the killed run left.
  func testKilledBatchesLeaveOnlyWholeOutputs() throws {
    let inputs = try makeInputs()
    let commands: [(String, [String])] = [
      ("upscale", ["-m", "bicubic", "--scale", "3"]),
      ("downscale", ["-s", "2", "-k", "matlab"]),
      ("crappify", ["--seed", "3", "--recipe", "realesrgan", "--scale", "2", "--format", "png"]),
    ]
    var random = SystemRandomNumberGenerator()
    var killedWithTemporaries = 0
    for (tool, options) in commands {
      let start = Date()
      let reference = try Tool(name: tool).run(options + ["-o", "ref-\(tool)/"] + inputs, in: work)
      XCTAssertEqual(reference.status, 0, reference.stderr)
      let duration = Date().timeIntervalSince(start)
      let expected = entries("ref-\(tool)")
      XCTAssertEqual(expected.count, inputs.count)
      for trial in 0..<10 {
        let out = "out-\(tool)-\(trial)"
        let process = try Tool(name: tool).start(options + ["-o", out + "/"] + inputs, in: work)
        usleep(UInt32(Double.random(in: 0...duration, using: &random) * 1_000_000))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let left = entries(out)
        if left.contains(where: { $0.hasPrefix(".") }) { killedWithTemporaries += 1 }
        for name in left where !name.hasPrefix(".") {
          XCTAssertEqual(try bytes("\(out)/\(name)"), try bytes("ref-\(tool)/\(name)"), "\(tool) trial \(trial): \(name) is not whole")
        }
        let rerun = try Tool(name: tool).run(options + ["--skip-existing", "-o", out + "/"] + inputs, in: work)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertEqual(entries(out), expected, "\(tool) trial \(trial): the rerun left the folder unlike a whole run's")
        for name in expected { XCTAssertEqual(try bytes("\(out)/\(name)"), try bytes("ref-\(tool)/\(name)"), "\(tool) trial \(trial): \(name)") }
      }
    }
    // Not a condition of the test (kills land where they land), but tells whether it saw the case.
    print("FaultTests: \(killedWithTemporaries) of 30 kills left temporaries for the rerun to remove")
  }

  /// Outputs onto a 2 MB file system: one line per output that did not fit, naming it; no partial
  /// file and no temporary left; the outputs that fit are whole; exit status 1.
  func testFullDiskFailsOnlyTheOutputsThatDoNotFit() throws {
    try XCTSkipIf(getuid() != 0, "mounting a small tmpfs needs root (CI runs as root)")
    let inputs = try makeInputs()
    let reference = try Tool(name: "upscale").run(["-m", "bicubic", "--scale", "4", "-o", "ref/"] + inputs, in: work)
    XCTAssertEqual(reference.status, 0, reference.stderr)
    let full = work.appendingPathComponent("full")
    try FileManager.default.createDirectory(at: full, withIntermediateDirectories: true)
    let mount = Process()
    mount.executableURL = URL(fileURLWithPath: "/bin/mount")
    mount.arguments = ["-t", "tmpfs", "-o", "size=2m", "tmpfs", full.path]
    try mount.run()
    mount.waitUntilExit()
    XCTAssertEqual(mount.terminationStatus, 0, "mount -t tmpfs failed")
    addTeardownBlock {
      let umount = Process()
      umount.executableURL = URL(fileURLWithPath: "/bin/umount")
      umount.arguments = [full.path]
      try? umount.run()
      umount.waitUntilExit()
    }
    // Uncompressible 4x results of about 100-200 KB each: 2 MB holds some of the twenty.
    let r = try Tool(name: "upscale").run(["-m", "bicubic", "--scale", "4", "--format", "png[compression=0]", "-o", "full/"] + inputs, in: work)
    XCTAssertEqual(r.status, 1, r.stderr)
    let written = entries("full").filter { $0 != "lost+found" }
    XCTAssertFalse(written.contains(where: { $0.hasPrefix(".") }), "temporaries left: \(written)")
    XCTAssertGreaterThan(written.count, 0)
    XCTAssertLessThan(written.count, inputs.count)
    let failed = inputs.filter { !written.contains($0) }
    // One line per failed output, naming its input (in the order they failed).
    XCTAssertEqual(Set(r.stderrLines), Set(failed.map { "upscale: \($0): cannot write full/\($0): No space left on device" }))
    XCTAssertEqual(r.stderrLines.count, failed.count, r.stderr)
    for name in written {
      let reference = try Image.load(path: work.appendingPathComponent("ref/\(name)").path, sequential: false).pixels(as: UInt8.self)
      let pixels: [UInt8]
      do { pixels = try Image.load(path: full.appendingPathComponent(name).path, sequential: false).pixels(as: UInt8.self) } catch {
        XCTFail("\(name) (\(try bytes("full/\(name)").count) bytes) is not whole: \(error)")
        continue
      }
      XCTAssertEqual(pixels, reference, name)
    }
  }
}
