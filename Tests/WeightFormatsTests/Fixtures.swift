import Foundation
import XCTest

@testable import WeightFormats

/// The fixtures written by Fixtures/make-fixtures.py and what torch and safetensors reported for them.
enum Fixtures {
  static func path(_ name: String) -> String {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(name).path
  }

  static func data(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path(name))) }

  struct Expected {
    let key: String
    let shape: [Int]
    let dtype: String
    let values: [Double]
    let sum: Double
  }

  /// fixture name -> tensors in order, from expected-<part>.json.
  static func expected(_ part: String) throws -> [String: [Expected]] {
    let json = try JSONSerialization.jsonObject(with: try data("expected-\(part).json")) as! [String: Any]
    var out: [String: [Expected]] = [:]
    for (name, value) in json {
      guard let entries = value as? [[String: Any]] else { continue }  // version strings
      out[name] = entries.map {
        Expected(key: $0["key"] as! String, shape: $0["shape"] as! [Int], dtype: $0["dtype"] as! String,
                 values: ($0["values"] as! [NSNumber]).map(\.doubleValue), sum: ($0["sum"] as! NSNumber).doubleValue)
      }
    }
    return out
  }

  /// Loads `name` and checks keys (in order when `ordered`), shapes, element types and every value.
  static func check(_ name: String, against expected: [Expected], ordered: Bool = true,
                    file: StaticString = #filePath, line: UInt = #line) throws {
    let sd = try StateDict.load(path: path(name))
    if ordered {
      XCTAssertEqual(sd.keys, expected.map(\.key), name, file: file, line: line)
    } else {
      XCTAssertEqual(Set(sd.keys), Set(expected.map(\.key)), name, file: file, line: line)
    }
    for e in expected {
      guard let t = sd[e.key] else { XCTFail("\(name): no tensor '\(e.key)'", file: file, line: line); continue }
      XCTAssertEqual(t.shape, e.shape, "\(name) \(e.key)", file: file, line: line)
      XCTAssertEqual(t.values.count, e.values.count, "\(name) \(e.key)", file: file, line: line)
      XCTAssertEqual(t.sourceType, dtypes[e.dtype], "\(name) \(e.key) dtype \(e.dtype)", file: file, line: line)
      // Every stored type converts to the nearest Float, which is what Float(expected) gives.
      for (i, (got, want)) in zip(t.values, e.values).enumerated() where got != Float(want) {
        XCTAssertEqual(Double(got), want, accuracy: 1e-6, "\(name) \(e.key)[\(i)]", file: file, line: line)
        break
      }
      let sum = t.values.reduce(0.0) { $0 + Double($1) }
      XCTAssertEqual(sum, e.sum, accuracy: 1e-6 * max(1, abs(e.sum)), "\(name) \(e.key) sum", file: file, line: line)
    }
  }

  static let dtypes: [String: ElementType] = [
    "float32": .float32, "float16": .float16, "bfloat16": .bfloat16, "float64": .float64,
    "int64": .int64, "int32": .int32, "int16": .int16, "int8": .int8, "uint8": .uint8, "bool": .bool,
  ]

  /// Asserts that loading throws a WeightFileError whose one-line description contains `fragment`.
  static func assertRejects(_ name: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
    let p = path(name)
    do {
      _ = try StateDict.load(path: p)
      XCTFail("\(name) loaded", file: file, line: line)
    } catch let error as WeightFileError {
      XCTAssertTrue(error.description.hasPrefix(p + ": "), error.description, file: file, line: line)
      XCTAssertTrue(error.description.contains(fragment), "\(error.description) lacks '\(fragment)'", file: file, line: line)
      XCTAssertFalse(error.description.contains("\n"), file: file, line: line)
    } catch {
      XCTFail("\(name): unexpected error \(error)", file: file, line: line)
    }
  }
}
