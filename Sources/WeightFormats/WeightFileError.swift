import Foundation

/// A weight file that cannot be read: `description` is one line naming the file and the problem.
public struct WeightFileError: Error, CustomStringConvertible, LocalizedError, Equatable, Sendable {
  /// The file as the caller named it; empty while a reader does not know it yet.
  public var file: String
  /// What is wrong, in one line.
  public var problem: String

  public init(file: String = "", _ problem: String) {
    self.file = file
    self.problem = problem
  }

  public var description: String { file.isEmpty ? problem : "\(file): \(problem)" }
  public var errorDescription: String? { description }
}

/// Shorthand for the readers, which report problems before they know the file's name.
func failure(_ problem: String) -> WeightFileError { WeightFileError(problem) }
