import Foundation
import XCTest

/// Runs the scripts in examples/ with the built tools first on PATH and a model folder holding the
/// compact Real-ESRGAN model (as av3), on small copies of the bundled photos and of Set5.
final class ExamplesTests: ToolTestCase {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  var examples: URL { ExamplesTests.repository.appendingPathComponent("examples") }
  var models: URL { work.appendingPathComponent("models") }

  override func setUpWithError() throws {
    try super.setUpWithError()
    let param = ExamplesTests.repository.appendingPathComponent("Tests/InferenceTests/Fixtures/realesr-animevideov3-x4.param")
    try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
    let r = try Tool(name: "srg").run(["import", param.path, "-o", models.appendingPathComponent("av3.srg").path])
    XCTAssertEqual(r.status, 0, r.stderr)
  }

  struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// Runs a script (a path under examples/) with bash; outputs go to files, so nothing can block.
  @discardableResult
  func script(_ name: String, _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil) throws -> Run {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [examples.appendingPathComponent(name).path] + arguments
    process.currentDirectoryURL = directory ?? work
    var env = ProcessInfo.processInfo.environment
    env["PATH"] = Tool.productsDirectory.path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
    env["SRG_MODEL_PATH"] = models.path
    env["XDG_DATA_HOME"] = work.appendingPathComponent("data").path  // no models or FID weights of the user's
    env["SRG_FID_WEIGHTS"] = nil
    env["SRG_BIN"] = nil
    for k in ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN", "SLURM_CPUS_PER_TASK"] { env[k] = nil }
    env.merge(environment) { $1 }
    process.environment = env
    let out = work.appendingPathComponent(".stdout-\(UUID().uuidString)"), err = work.appendingPathComponent(".stderr-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: out.path, contents: nil)
    FileManager.default.createFile(atPath: err.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
    return Run(status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8), stderr: try String(contentsOf: err, encoding: .utf8))
  }

  /// The bundled photos (160x120) shrunk by `factor` into `folder`.
  func smallPhotos(_ folder: String, factor: Int = 3) throws -> URL {
    let dir = work.appendingPathComponent(folder)
    let photos = try FileManager.default.contentsOfDirectory(atPath: examples.appendingPathComponent("photos").path)
      .filter { $0.hasSuffix(".jpg") }.sorted().map { examples.appendingPathComponent("photos/\($0)").path }
    let r = try Tool(name: "downscale").run(["-q", "-s", "\(factor)", "-o", dir.path + "/"] + photos)
    XCTAssertEqual(r.status, 0, r.stderr)
    return dir
  }

  /// (method, PSNR, SSIM, FID) rows of evaluate.sh's table.
  func table(_ text: String) -> [(String, Double, Double, String)] {
    text.split(separator: "\n").dropFirst().compactMap { line in
      let f = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
      guard f.count == 4, let psnr = Double(f[1]), let ssim = Double(f[2]) else { return nil }
      return (f[0], psnr, ssim, f[3])
    }
  }

  func imageSize(_ url: URL) throws -> [Int] {
    let facts = try ImageFacts(url)
    return [facts.width, facts.height]
  }

  /// On the full Set5, the bicubic row is the SR literature's x4 baseline: 28.42 dB, SSIM 0.8104.
  func testEvaluateGivesTheSet5BicubicBaseline() throws {
    let set5 = ExamplesTests.repository.appendingPathComponent("Tests/ImagingTests/Set5")
    let r = try script("evaluate.sh", [set5.path, "4"], environment: ["MODELS": "none"])
    XCTAssertEqual(r.status, 0, r.stderr)
    let rows = table(r.stdout)
    XCTAssertEqual(rows.map(\.0), ["bicubic"], r.stdout)
    XCTAssertEqual(rows[0].1, 28.42, accuracy: 0.01)
    XCTAssertEqual(rows[0].2, 0.8104, accuracy: 0.0005)
    XCTAssertEqual(rows[0].3, "n/a")
    XCTAssertTrue(r.stderr.contains("FID is n/a"), r.stderr)
  }

  /// A small Set5 with the bicubic baseline and an installed model; the model's SSIM beats bicubic's.
  func testEvaluateComparesInstalledModels() throws {
    let set5 = ExamplesTests.repository.appendingPathComponent("Tests/ImagingTests/Set5")
    let names = ["baby", "bird", "butterfly", "head", "woman"].map { set5.appendingPathComponent("\($0).png").path }
    XCTAssertEqual(try Tool(name: "downscale").run(["-q", "-s", "4", "-o", work.path + "/small/"] + names).status, 0)
    let r = try script("evaluate.sh", ["small"], environment: ["MODELS": "av3", "KEEP": work.appendingPathComponent("eval").path])
    XCTAssertEqual(r.status, 0, r.stderr)
    let rows = table(r.stdout)
    XCTAssertEqual(rows.map(\.0), ["bicubic", "av3"], r.stdout)
    for row in rows {
      XCTAssert((15...40).contains(row.1) && (0.3...1).contains(row.2), "\(row)")
      XCTAssertEqual(row.3, "n/a")
    }
    XCTAssertGreaterThan(rows[1].2, rows[0].2)
    XCTAssertEqual(files(in: "eval/sr/av3").count, 5)
  }

  func testTrainingPairs() throws {
    let r = try script("training-pairs.sh", [examples.appendingPathComponent("photos").path, "pairs", "4"])
    XCTAssertEqual(r.status, 0, r.stderr)
    for set in ["", "realesrgan/", "fastai/"] {
      XCTAssertEqual(files(in: "pairs/\(set)lr"), ["chelsea.png", "coffee.png", "rocket.png"], set)
      XCTAssertEqual(files(in: "pairs/\(set)hr").count, 3, set)
      XCTAssertEqual(try imageSize(work.appendingPathComponent("pairs/\(set)lr/rocket.png")), [30, 40], set)
    }
    XCTAssertEqual(try imageSize(work.appendingPathComponent("pairs/realesrgan/hr/chelsea.png")), [160, 120])
    // Seeded: a second run writes the same bytes.
    let first = try Data(contentsOf: work.appendingPathComponent("pairs/realesrgan/lr/coffee.png"))
    XCTAssertEqual(try script("training-pairs.sh", [examples.appendingPathComponent("photos").path, "pairs", "4"]).status, 0)
    XCTAssertEqual(try Data(contentsOf: work.appendingPathComponent("pairs/realesrgan/lr/coffee.png")), first)
  }

  /// Runs a program in the work folder with its output in `log`; its exit status, or -1 when it cannot start.
  func run(_ program: String, _ arguments: [String], log: URL) throws -> Int32 {
    guard FileManager.default.isExecutableFile(atPath: program) else { return -1 }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: program)
    p.arguments = arguments
    p.currentDirectoryURL = work
    FileManager.default.createFile(atPath: log.path, contents: nil)
    p.standardOutput = try FileHandle(forWritingTo: log)
    p.standardError = p.standardOutput
    try p.run()
    p.waitUntilExit()
    return p.terminationStatus
  }

  /// train.py --tiny on the photos' pairs, then upscale with the exported generator.
  func testTrainTinyExportsAModelUpscaleRuns() throws {
    let python = "/usr/bin/python3"
    guard try run(python, ["-c", "import torch, torch.fx, numpy, PIL"], log: work.appendingPathComponent("import.log")) == 0 else {
      throw XCTSkip("examples/train needs PyTorch, numpy and Pillow for \(python) (Debian: apt-get install python3-torch python3-pil)")
    }
    XCTAssertEqual(try script("training-pairs.sh", [examples.appendingPathComponent("photos").path, "pairs", "4"]).status, 0)
    let log = work.appendingPathComponent("train.log")
    let status = try run(python, [examples.appendingPathComponent("train/train.py").path, "--tiny", "--data", "pairs", "--data", "pairs/realesrgan", "-o", "tiny.srg"], log: log)
    XCTAssertEqual(status, 0, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    let r = try Tool(name: "upscale").run(["-m", "tiny.srg", "-o", "up.png", examples.appendingPathComponent("photos/coffee.jpg").path], in: work)
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(try imageSize(work.appendingPathComponent("up.png")), [640, 480])
    // The other generator, loss and GAN, at x2 on the fast.ai-style pairs.
    XCTAssertEqual(try script("training-pairs.sh", [examples.appendingPathComponent("photos").path, "pairs2", "2"]).status, 0)
    let status2 = try run(python, [examples.appendingPathComponent("train/train.py").path, "--tiny", "--arch", "rrdb", "--loss", "mse", "--gan", "critic",
      "--scale", "2", "--data", "pairs2/fastai", "-o", "rrdb.srg"], log: log)
    XCTAssertEqual(status2, 0, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    let r2 = try Tool(name: "upscale").run(["-m", "rrdb.srg", "-o", "up2.png", "pairs2/lr/coffee.png"], in: work)
    XCTAssertEqual(r2.status, 0, r2.stderr)
    XCTAssertEqual(try imageSize(work.appendingPathComponent("up2.png")), [160, 120])
  }

  func testNightlyUpscale() throws {
    let inbox = try smallPhotos("inbox")
    try Data("not an image".utf8).write(to: inbox.appendingPathComponent("broken.png"))
    let env = ["MIN_AGE": "0"]
    let logURL = work.appendingPathComponent("out/nightly-upscale.log")
    // Some inputs fail: logged, not fatal.
    var r = try script("cron/nightly-upscale.sh", [inbox.path, "out", "-m", "av3"], environment: env)
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(files(in: "out", hidden: false).filter { $0.hasSuffix(".jpg") }, ["chelsea.jpg", "coffee.jpg", "rocket.jpg"])
    var log = try String(contentsOf: logURL, encoding: .utf8)
    XCTAssertTrue(log.contains("broken.png") && log.contains("some images failed"), log)
    // Only what is new is done on the next run.
    try FileManager.default.copyItem(at: inbox.appendingPathComponent("coffee.jpg"), to: inbox.appendingPathComponent("new.jpg"))
    r = try script("cron/nightly-upscale.sh", [inbox.path, "out", "-m", "av3"], environment: env)
    XCTAssertEqual(r.status, 0, r.stderr)
    log = try String(contentsOf: logURL, encoding: .utf8)
    XCTAssertEqual(log.components(separatedBy: "\"output\":").count - 1, 4, log)
    XCTAssertTrue(FileManager.default.fileExists(atPath: work.appendingPathComponent("out/new.jpg").path))
    // A run that finds the lock taken does nothing.
    let fd = open(work.appendingPathComponent("out/.nightly-upscale.lock").path, O_WRONLY | O_CREAT, 0o644)
    XCTAssertEqual(flock(fd, LOCK_EX | LOCK_NB), 0)
    r = try script("cron/nightly-upscale.sh", [inbox.path, "out", "-m", "av3"], environment: env)
    close(fd)
    XCTAssertEqual(r.status, 0)
    XCTAssertTrue(try String(contentsOf: logURL, encoding: .utf8).contains("another run holds"))
    // A fatal error is the job's exit status.
    r = try script("cron/nightly-upscale.sh", [inbox.path, "out", "-m", "no-such-model"], environment: env)
    XCTAssertEqual(r.status, 2)
    XCTAssertTrue(try String(contentsOf: logURL, encoding: .utf8).contains("failed with status 2"))
  }

  func pathList() throws -> URL {
    let small = try smallPhotos("small")
    let list = work.appendingPathComponent("paths.txt")
    try (["chelsea", "coffee", "rocket"].map { small.appendingPathComponent("\($0).jpg").path }.joined(separator: "\n") + "\n")
      .write(to: list, atomically: true, encoding: .utf8)
    return list
  }

  func testGNUParallelOnThisMachine() throws {
    guard ["/usr/bin/parallel", "/usr/local/bin/parallel"].contains(where: FileManager.default.isExecutableFile) else {
      throw XCTSkip("GNU parallel is not installed (apt-get install parallel)")
    }
    let list = try pathList()
    let r = try script("cluster/parallel.sh", [list.path, "out", "-m", "av3"], environment: ["SSHLOGIN": ":"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(files(in: "out"), ["chelsea.jpg", "coffee.jpg", "rocket.jpg"])
    XCTAssertEqual(try imageSize(work.appendingPathComponent("out/chelsea.jpg")), [216, 160])
  }

  func testSlurmArrayTasksShareTheList() throws {
    let list = try pathList()
    var r = try script("cluster/slurm-upscale.sh", [list.path, "t1", "-m", "av3"], environment: ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "2"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(files(in: "t1"), ["coffee.jpg"])
    r = try script("cluster/slurm-upscale.sh", [list.path, "t0", "-m", "av3"], environment: ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "2"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(files(in: "t0"), ["chelsea.jpg", "rocket.jpg"])
    // Outside Slurm: task 0 of 1, the whole list.
    r = try script("cluster/slurm-upscale.sh", [list.path, "all", "-m", "av3"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(files(in: "all"), ["chelsea.jpg", "coffee.jpg", "rocket.jpg"])
  }
}
