import Foundation
import ToolSupport

/// Writes per-pair results and the summary as text, CSV or JSON Lines.
final class Report {
  enum Style { case text, csv, json }

  let metrics: [Metric]
  let style: Style
  private var sums: [Metric: Double] = [:]
  private var count = 0

  init(metrics: [Metric], style: Style) { (self.metrics, self.style) = (metrics, style) }

  func header() {
    if style == .csv { StandardOutput.write(line: (metrics.map(\.rawValue) + ["reference", "test"]).joined(separator: ",")) }
  }

  func pair(_ pair: Pair, _ values: [Metric: Double]) {
    count += 1
    for m in metrics { sums[m, default: 0] += values[m] ?? .nan }
    switch style {
    case .text:
      StandardOutput.write(line: (metrics.map { Report.format(values[$0]!, $0) } + [pair.reference.description, pair.test.description]).joined(separator: "\t"))
    case .csv:
      StandardOutput.write(line: (metrics.map { Report.format(values[$0]!, $0) } + [Report.csvField(pair.reference.description), Report.csvField(pair.test.description)]).joined(separator: ","))
    case .json:
      var r = JSONRecord()
      r["reference"] = .string(pair.reference.description)
      r["test"] = .string(pair.test.description)
      for m in metrics { r[m.rawValue] = Report.json(values[m]!) }
      StandardOutput.write(line: r.line)
    }
  }

  func summary(failed: Int) {
    let means = metrics.map { m in count > 0 ? sums[m]! / Double(count) : .nan }
    switch style {
    case .text:
      StandardOutput.write(line: (means.enumerated().map { Report.format($1, metrics[$0]) } + ["mean of \(count) pairs"]).joined(separator: "\t"))
    case .csv:
      StandardOutput.write(line: (means.enumerated().map { Report.format($1, metrics[$0]) } + ["mean", "\(count) pairs"]).joined(separator: ","))
    case .json:
      var r = JSONRecord()
      r["summary"] = .bool(true)
      r["count"] = .int(count)
      r["failed"] = .int(failed)
      for (i, m) in metrics.enumerated() { r["mean_\(m.rawValue)"] = Report.json(means[i]) }
      StandardOutput.write(line: r.line)
    }
  }

  /// SSIM-type values to 6 decimals, PSNR to 4; `inf` for identical images.
  static func format(_ v: Double, _ m: Metric) -> String {
    if v.isInfinite { return v > 0 ? "inf" : "-inf" }
    if v.isNaN { return "nan" }
    return String(format: m == .psnr ? "%.4f" : "%.6f", v)
  }

  /// Full precision; infinity as the string "inf" (JSON has no infinity).
  static func json(_ v: Double) -> JSONRecord.Value {
    v.isFinite ? .double(v) : .string(v.isNaN ? "nan" : v > 0 ? "inf" : "-inf")
  }

  static func csvField(_ s: String) -> String {
    s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
  }
}
