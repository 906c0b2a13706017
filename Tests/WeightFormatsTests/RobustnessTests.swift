import Foundation
import XCTest

@testable import WeightFormats

/// The readers are total on arbitrary bytes: cut or corrupted files throw `WeightFileError`, never trap.
final class RobustnessTests: XCTestCase {
  /// Loads `bytes` and accepts either a state dict or a WeightFileError.
  private func survive(_ bytes: Data, _ label: String) {
    do {
      _ = try StateDict.load(data: bytes, name: label)
    } catch is WeightFileError {
    } catch {
      XCTFail("\(label): unexpected error type \(error)")
    }
  }

  func testEveryPrefixOfEachFormatIsRefusedCleanly() throws {
    for name in ["views.pth", "zip64.pth", "model.safetensors"] {
      let data = try Fixtures.data(name)
      for length in 0..<data.count {
        XCTAssertThrowsError(try StateDict.load(data: data.prefix(length), name: name), "\(name) cut to \(length) bytes")
      }
    }
  }

  func testEveryByteCorruptedEitherLoadsOrThrows() throws {
    for name in ["views.pth", "zip64.pth", "model.safetensors", "dtypes.pth"] {
      let original = try Fixtures.data(name)
      for offset in 0..<original.count {
        for pattern: UInt8 in [0x01, 0xff] {
          var data = original
          data[offset] ^= pattern
          survive(data, "\(name) byte \(offset) ^ \(pattern)")
        }
      }
    }
  }

  /// The zip layer checks CRCs, so corruption of data.pkl rarely reaches the unpickler; here it does.
  func testCorruptedPicklesEitherParseOrThrow() throws {
    for name in ["views.pth", "wrapped-state-dict.pth", "dtypes.pth"] {
      let zip = try ZipArchive(ByteView(try Fixtures.data(name)))
      let entry = try XCTUnwrap(zip.entries.first { $0.name.hasSuffix("/data.pkl") })
      let pickle = try zip.read(entry)
      var generator = SplitMix(seed: 42)
      var variants: [[UInt8]] = []
      for offset in pickle.indices {
        for pattern: UInt8 in [0x01, 0x10, 0x80, 0xff] {
          var p = pickle
          p[offset] ^= pattern
          variants.append(p)
        }
      }
      for _ in 0..<2000 {
        var p = pickle
        let at = Int(generator.next() % UInt64(p.count))
        switch generator.next() % 3 {
        case 0: p.remove(at: at)
        case 1: p.insert(UInt8(truncatingIfNeeded: generator.next()), at: at)
        default: p.replaceSubrange(at..., with: p[at...].shuffled(using: &generator).prefix(8))
        }
        variants.append(p)
      }
      for p in variants {
        let unpickler = Unpickler(p) { storage in
          guard storage.count <= 4096 else { throw failure("storage too large") }
        }
        do {
          _ = try TorchCheckpoint.selectTensors(try unpickler.run(), unpickler)
        } catch is WeightFileError {
        } catch {
          XCTFail("\(name): unexpected error type \(error)")
        }
      }
    }
  }
}

/// A small deterministic generator, so the mutations are the same on every run.
struct SplitMix: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9e37_79b9_7f4a_7c15
    var z = state
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }
}
