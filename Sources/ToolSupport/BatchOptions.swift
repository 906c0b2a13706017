import ArgumentParser
import Foundation

/// The options every image-to-image tool shares: where inputs come from, where outputs go, and how
/// the batch runs.
public struct BatchOptions: ParsableArguments {
  @Argument(
    help: ArgumentHelp(
      "Images to read; '-' reads one image's bytes from standard input. With none, a list of paths is read from standard input, one per line.",
      valueName: "input"),
    completion: .file())
  public var inputs: [String] = []

  @Flag(name: [.customShort("0"), .customLong("null")], help: "The path list on standard input is NUL-separated (find -print0).")
  public var nulSeparated = false

  @Option(
    name: .shortAndLong,
    help: ArgumentHelp(
      "Where to write: DIR/ mirrors the inputs' tree under DIR; a template with %s (stem), %d (folder), %e (extension); a file (one input); '-' for standard output. Saver options may follow in brackets: 'out/[Q=90,strip]'.",
      valueName: "dir/|template|file"),
    completion: .directory)
  public var output: String?

  @Option(help: ArgumentHelp("Output format by extension (jpg, png, webp, tif, ...), optionally with saver options: 'webp[lossless]'.", valueName: "ext"))
  public var format: String?

  @Flag(help: "Drop metadata (EXIF, XMP, ICC profile) from the outputs; by default it is kept.")
  public var strip = false

  @Flag(name: .shortAndLong, help: "Overwrite existing output files.")
  public var force = false

  @Flag(help: "Skip inputs whose output file already exists (for re-runs).")
  public var skipExisting = false

  @Option(name: .shortAndLong, help: "Images processed at once (default: the number of cores).")
  public var jobs: Int?

  @Flag(name: .shortAndLong, help: "No progress bar and no warnings; errors are still reported.")
  public var quiet = false

  @Flag(help: "Write one JSON record per input to standard output (JSON Lines).")
  public var json = false

  @Option(help: ArgumentHelp("Refuse images with more pixels than this (0: no limit).", valueName: "n"))
  public var maxPixels: Int = 1_000_000_000

  public init() {}

  public func validate() throws {
    if force && skipExisting { throw ValidationError("--force and --skip-existing contradict each other") }
    if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    if maxPixels < 0 { throw ValidationError("--max-pixels must be 0 or more") }
  }
}
