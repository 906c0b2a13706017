import Foundation
import Imaging
import XCTest

/// Runs a built executable of this package and captures what it did.
struct Tool {
  let name: String

  struct Result {
    var status: Int32
    var stdout: Data
    var stderr: String
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
  }

  static var productsDirectory: URL {
    let bundle = Bundle.main.bundleURL
    return bundle.pathExtension == "xctest" ? bundle.deletingLastPathComponent() : bundle
  }

  var url: URL { Tool.productsDirectory.appendingPathComponent(name) }

  @discardableResult
  func run(_ arguments: [String], stdin: Data? = nil, in directory: URL? = nil, environment: [String: String] = [:]) throws -> Result {
    let process = try start(arguments, stdin: stdin, in: directory, environment: environment)
    let out = process.standardOutput as! Pipe, err = process.standardError as! Pipe
    // Drain both pipes while the process runs, so a large output cannot block it.
    let errBox = Box()
    let reader = Thread { errBox.data = err.fileHandleForReading.readDataToEndOfFile() }
    reader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    while !reader.isFinished { Thread.sleep(forTimeInterval: 0.005) }
    let errData = errBox.data
    process.waitUntilExit()
    return Result(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
  }

  func start(_ arguments: [String], stdin: Data? = nil, in directory: URL? = nil, environment: [String: String] = [:]) throws -> Process {
    let process = Process()
    process.executableURL = url
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    var env = ProcessInfo.processInfo.environment
    env.merge(environment) { $1 }
    process.environment = env
    process.standardOutput = Pipe()
    process.standardError = Pipe()
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(stdin) }
    try input.fileHandleForWriting.close()
    return process
  }
}

final class Box: @unchecked Sendable { var data = Data() }

/// A fresh temporary folder per test, removed afterwards.
class ToolTestCase: XCTestCase {
  var work: URL!

  override func setUpWithError() throws {
    work = FileManager.default.temporaryDirectory.appendingPathComponent("srg-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: work)
  }

  func fixture(_ name: String) -> URL {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(name)
  }

  /// Copies fixtures into the work folder (tests then name them by relative path).
  func copyFixtures(_ names: [String], to folder: String = "") throws {
    let dir = work.appendingPathComponent(folder)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    for n in names { try FileManager.default.copyItem(at: fixture(n), to: dir.appendingPathComponent(n)) }
  }

  /// Saves a textured 8-bit image of `bands` bands (3, or 4 with alpha) to `name`; `seed` varies the
  /// texture.
  func saveTexturedImage(_ name: String, width: Int, height: Int, bands: Int = 3, seed: Int = 0) throws {
    let samples = (0..<(width * height * bands)).map { i -> UInt8 in
      let p = i / bands, x = p % width, y = p / width
      return UInt8(truncatingIfNeeded: x * 5 + y * 3 + (i % bands) * 70 + (p * (7919 + seed)) % 23)
    }
    try Image.fromPixels(samples, width: width, height: height, bands: bands, format: .uchar)
      .save(to: work.appendingPathComponent(name).path)
  }

  /// Starts two processes that spin until stopped: the tools then run on loaded cores, as on a busy
  /// machine. Stopped when the test ends.
  func loadCores() throws {
    for _ in 0..<2 {
      let p = Process()
      p.executableURL = URL(fileURLWithPath: "/bin/sh")
      p.arguments = ["-c", "while :; do :; done"]
      try p.run()
      addTeardownBlock {
        p.terminate()
        p.waitUntilExit()
      }
    }
  }

  /// Runs python3 with `arguments` in the work folder; returns the status and the combined output.
  func python(_ arguments: [String]) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3"] + arguments
    p.currentDirectoryURL = work
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    try p.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return (p.terminationStatus, text)
  }

  func files(in folder: String, hidden: Bool = true) -> [String] {
    let dir = work.appendingPathComponent(folder)
    guard let e = FileManager.default.enumerator(atPath: dir.path) else { return [] }
    return e.compactMap { $0 as? String }.filter { p in
      var isDir: ObjCBool = false
      FileManager.default.fileExists(atPath: dir.appendingPathComponent(p).path, isDirectory: &isDir)
      return !isDir.boolValue
    }.sorted()
  }
}
