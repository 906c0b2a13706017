import ArgumentParser
import Foundation
import Imaging

/// A stage value: one number ("2.5") or a range to draw uniformly from ("0.5-2").
enum ValueRange {
  static func parse(_ text: String, option: String, within limits: ClosedRange<Double>) throws -> ClosedRange<Double> {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    let numbers = parts.map { Double($0.trimmingCharacters(in: .whitespaces)) }
    guard (1...2).contains(numbers.count), numbers.allSatisfy({ $0 != nil }) else {
      throw ValidationError("\(option) takes a number or a range such as 30-90, not '\(text)'")
    }
    let (lo, hi) = (numbers.first!!, numbers.last!!)
    guard lo <= hi else { throw ValidationError("\(option): the range \(text) runs backwards") }
    guard limits.contains(lo) && limits.contains(hi) else {
      throw ValidationError("\(option) must lie within \(format(limits.lowerBound))-\(format(limits.upperBound))")
    }
    return lo...hi
  }

  static func format(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
}

/// Swift's argument parser gathers each option's values separately; the stages run in the order
/// their options appear on the command line, which this recovers from the raw arguments.
enum StageOrder {
  static let names = ["downscale", "blur", "noise", "jpeg", "text"]

  static func arrange(_ values: [String: [DegradationStep]], arguments: [String]) -> [DegradationStep] {
    var order: [String] = []
    for argument in arguments.dropFirst() {
      if argument == "--" { break }
      guard argument.hasPrefix("--") else { continue }
      let name = String(argument.dropFirst(2).prefix { $0 != "=" })
      if names.contains(name) { order.append(name) }
    }
    var next: [String: Int] = [:]
    var steps: [DegradationStep] = []
    for name in order {
      let i = next[name, default: 0]
      guard let list = values[name], i < list.count else { continue }
      steps.append(list[i])
      next[name] = i + 1
    }
    // Anything the scan missed (it should not) keeps the options' fixed order.
    for name in names {
      let list = values[name] ?? []
      steps += list.dropFirst(next[name, default: 0])
    }
    return steps
  }
}
