import ArgumentParser
import Foundation
import Imaging

/// One input's work inside a batch: open it, save the result, add fields to its JSON record.
public final class Job {
  public let input: Input
  public var record = JSONRecord()
  let batch: Batch
  var destination: OutputNaming.Destination?
  /// Its place on the progress bar, once it runs.
  var progressItem: Int?

  init(input: Input, destination: OutputNaming.Destination?, batch: Batch) {
    (self.input, self.destination, self.batch) = (input, destination, batch)
    record["input"] = .string(input.description)
  }

  /// The input image, streaming and upright; with `allPages`, every page stacked top to bottom.
  public func openImage(allPages: Bool = false) throws -> Image {
    let image = try input.openImage(maxPixels: batch.options.maxPixels, allPages: allPages)
    record["width"] = .int(image.width)
    record["height"] = .int(image.height)
    return image
  }

  /// Encodes `image` to this input's destination; files are written atomically.
  public func save(_ image: Image, source: Image? = nil) throws {
    let naming = batch.naming
    let destination = try self.destination ?? naming.destination(for: input, inputFormat: input.defaultFormat(of: source))
    // The save computes the image: the bar moves with its pixels.
    let progress = progressItem.flatMap { item in
      Progress.shared.isEnabled ? { (done: Double) in Progress.shared.setDone(done, item: item) } : nil
    }
    record["output_width"] = .int(image.width)
    record["output_height"] = .int(image.height)
    switch destination {
    case .standardOutput(let suffix):
      record["output"] = .string("-")
      try image.write(descriptor: 1, suffix: suffix, progress: progress)
    case .file(let path):
      record["output"] = .string(path.description)
      let options = naming.saverOptions.map { "[\($0)]" } ?? ""
      try AtomicFile.write(to: path, overwrite: batch.options.force) { temp in
        try Path(bytes: temp.bytes + Array(options.utf8)).withCString { try image.save(to: $0, progress: progress) }
      }
    }
  }
}

/// Runs a tool's work over every input: parallel jobs, one error line per failed input, JSON
/// records, progress, no-clobber and skip-existing, and the exit status.
public final class Batch: @unchecked Sendable {
  public let options: BatchOptions
  let naming: OutputNaming
  let inputs: [Input]

  /// Reads the inputs and checks that the output naming fits them. Call first thing in `run()`.
  public init(tool: String, options: BatchOptions) throws {
    Diagnostics.tool = tool
    Interrupts.install()
    self.options = options
    let rawOutput = options.output.flatMap { InputList.rawArguments()[$0] }
    naming = OutputNaming(output: options.output, format: options.format, outputPath: rawOutput, strip: options.strip)
    do {
      inputs = try InputList.read(arguments: options.inputs, nulSeparated: options.nulSeparated)
    } catch {
      throw ValidationError("\(error)")
    }
    if inputs.filter({ $0 == .standardInput }).count > 1 { throw ValidationError("'-' (standard input) can be given once") }
    switch naming.target {
    case .standardOutput:
      if options.output == nil && inputs != [.standardInput] {
        throw ValidationError("say where to write with -o DIR/, -o TEMPLATE or -o FILE")
      }
      if inputs.count != 1 { throw ValidationError("-o - (standard output) takes exactly one input") }
      if options.json { throw ValidationError("--json cannot share standard output with an image") }
    case .file:
      if inputs.count != 1 { throw ValidationError("-o FILE takes one input; use -o DIR/ or a template with %s for several") }
    default: break
    }
  }

  /// Whether outputs are saved without metadata (`--strip` or a saver's strip option): results that
  /// were colour-managed then leave in sRGB, since untagged pixels are read as sRGB.
  public var strips: Bool { naming.strips }

  /// Images processed at once: `-j`, by default the number of cores, never more than the inputs.
  public var workers: Int { max(1, min(options.jobs ?? ProcessInfo.processInfo.activeProcessorCount, inputs.count)) }

  /// Threads the whole batch may run at once: every core (images share cores that do not divide
  /// evenly between them), or what VIPS_CONCURRENCY allows each image.
  public var threads: Int {
    Vips.concurrencyFromEnvironment ? workers * Vips.concurrency : ProcessInfo.processInfo.activeProcessorCount
  }

  /// Runs `work` on every input and returns the exit status (0 all done, 1 some failed, 2 fatal).
  public func run(_ work: @escaping (Job) throws -> Void) -> Int32 {
    // libvips threads per image: the cores shared by the images processed at once (parallel images
    // or parallel tiles, never more threads than cores), unless VIPS_CONCURRENCY says otherwise.
    if !Vips.concurrencyFromEnvironment { Vips.concurrency = max(1, ProcessInfo.processInfo.activeProcessorCount / workers) }
    let state = RunState()
    var claimed = Set<Path>()
    let jobs: [Job?] = inputs.map { input in
      let destination: OutputNaming.Destination?
      do {
        destination = try plan(input)
      } catch {
        report(Job(input: input, destination: nil, batch: self), error: error, state)
        return nil
      }
      if case .file(let path)? = destination {
        if !claimed.insert(path).inserted {
          report(Job(input: input, destination: nil, batch: self), error: InputFailure("another input already writes \(path)"), state)
          return nil
        }
        if path.exists && !options.force {
          if options.skipExisting { return nil }
          report(Job(input: input, destination: nil, batch: self), error: InputFailure("\(path) exists (use -f to overwrite, or --skip-existing)"), state)
          return nil
        }
      }
      return Job(input: input, destination: destination, batch: self)
    }
    let pending = jobs.compactMap { $0 }
    // Temporaries a killed run left beside these outputs (a rerun is how a killed batch is finished).
    for directory in Set(claimed.map(\.directory)) { AtomicFile.removeAbandoned(in: directory) }
    // Skipped and refused inputs took no time: the bar and its ETA count the pending ones' pixels.
    Progress.shared.begin(items: pending.count, enabled: !options.quiet)
    if pending.count > 1 && !options.quiet && standardErrorIsTerminal() { measure(pending, until: state) }
    let group = DispatchGroup()
    for _ in 0..<min(workers, max(pending.count, 1)) {
      group.enter()
      Thread {
        while let (index, job) = state.next(pending) {
          let start = Date()
          job.progressItem = index
          do {
            try work(job)
            job.record["seconds"] = .double((Date().timeIntervalSince(start) * 1000).rounded() / 1000)
            if self.options.json { StandardOutput.write(line: job.record.line) }
          } catch let error as FatalError {
            state.stop()
            Diagnostics.error(error)
          } catch {
            self.report(job, error: error, state)
          }
          Progress.shared.finish(item: index)
        }
        group.leave()
      }.start()
    }
    group.wait()
    state.end()
    Progress.shared.clearLine()
    if state.fatal { return Status.fatal }
    return state.failed > 0 ? Status.someFailed : Status.success
  }

  /// Reads the pending inputs' headers (no pixels) on a thread of their own, giving the progress bar
  /// their sizes while the jobs run; stops when the batch does.
  func measure(_ jobs: [Job], until state: RunState) {
    Thread {
      for (i, job) in jobs.enumerated() where !state.over {
        guard case .file(let path) = job.input else { continue }
        let image = try? path.withCString { try Image.load(path: $0) }
        Progress.shared.setSize(Double(image?.pixelCount ?? 0), item: i)
      }
    }.start()
  }

  func plan(_ input: Input) throws -> OutputNaming.Destination? {
    guard case .file = input else { return nil }  // named once the format is known
    return try naming.destination(for: input, inputFormat: input.defaultFormat(of: nil))
  }

  func report(_ job: Job, error: Error, _ state: RunState) {
    state.addFailure()
    Diagnostics.error(job.input, "\(error)")
    if options.json {
      job.record["error"] = .string("\(error)")
      StandardOutput.write(line: job.record.line)
    }
  }
}

final class RunState: @unchecked Sendable {
  private let lock = NSLock()
  private var index = 0
  var failed = 0
  /// Set by a fatal error: no further job starts.
  private(set) var fatal = false

  /// The next job to run and its position, or nil once all have started or the batch has stopped.
  func next(_ jobs: [Job]) -> (Int, Job)? {
    lock.lock()
    defer { lock.unlock() }
    guard index < jobs.count, !fatal else { return nil }
    index += 1
    return (index - 1, jobs[index - 1])
  }

  /// Set when every job has run, or on a fatal error.
  var over: Bool {
    lock.lock()
    defer { lock.unlock() }
    return ended || fatal
  }
  private var ended = false

  func end() {
    lock.lock()
    ended = true
    lock.unlock()
  }

  func stop() {
    lock.lock()
    fatal = true
    lock.unlock()
  }

  func addFailure() {
    lock.lock()
    failed += 1
    lock.unlock()
  }
}
