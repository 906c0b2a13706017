import Foundation

/// Loads untrusted bytes the whole way a tool would — decode, build, plan, and a small run — and
/// reports how far they got. Every failure must be a thrown error; anything else (a trap, an
/// out-of-bounds access, a hang, a huge allocation) is a bug in the reader. The fuzz harnesses
/// (Fuzz/) and the corpus regression test both go through here.
public enum Probe {
  /// Runs are attempted only when the plan for the probe input stays under these limits.
  public static let maximumMACs = 10_000_000
  public static let maximumElements = 1 << 20
  /// The side of the probe input.
  public static let side = 8

  /// A `.srg` file. Three readings of the bytes, so that mutations reach past the checksum:
  /// as they are; with the trailing checksum recomputed; and, when they start with `{`, as a JSON
  /// header (up to the first NUL) followed by the data section, framed into a valid container.
  @discardableResult
  public static func srg(_ bytes: Data) -> String {
    var outcome = load(bytes)
    if bytes.count >= SRGFile.preamble + 8 {
      var resigned = [UInt8](bytes)
      let sum = SRGFile.checksum(resigned[..<(resigned.count - 8)])
      withUnsafeBytes(of: sum.littleEndian) { resigned.replaceSubrange((resigned.count - 8)..., with: $0) }
      outcome += "; resigned: " + load(Data(resigned))
    }
    if bytes.first == UInt8(ascii: "{") {
      let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
      outcome += "; framed: " + load(Data(frame(header: [UInt8](bytes[..<split]), data: [UInt8](bytes[split...].dropFirst()))))
    }
    return outcome
  }

  /// Wraps a header and a data section into a container with a correct preamble and checksum.
  public static func frame(header: [UInt8], data: [UInt8]) -> [UInt8] {
    var out: [UInt8] = SRGFile.magic
    SRGFile.append(&out, SRGFile.version)
    SRGFile.append(&out, SRGFile.byteOrderMark)
    SRGFile.append(&out, UInt32(truncatingIfNeeded: header.count))
    let dataOffset = (SRGFile.preamble + header.count + SRGFile.alignment - 1) / SRGFile.alignment * SRGFile.alignment
    SRGFile.append(&out, UInt64(dataOffset))
    SRGFile.append(&out, UInt64(data.count))
    out += header
    out += [UInt8](repeating: 0, count: dataOffset - out.count)
    out += data
    SRGFile.append(&out, SRGFile.checksum(out[...]))
    return out
  }

  static func load(_ bytes: Data) -> String {
    do {
      let net = try Network(SRGFile.decode(bytes))
      return try exercise(net)
    } catch {
      return "error: \(error)"
    }
  }

  /// Plans a small input and, when the work is small, runs it on zeros.
  static func exercise(_ net: Network) throws -> String {
    let m = net.metadata
    let channels = m.inputChannels + m.extraInputPlanes.count
    guard m.inputChannels > 0, channels <= 64 else { return "built; \(m.inputChannels) input channels not probed" }
    let (shapes, macs) = try net.shapes(Network.Shape(channels: channels, height: side, width: side))
    let largest = shapes.compactMap { $0 }.map { $0.channels * $0.height * $0.width }.max() ?? 0
    guard macs <= maximumMACs, largest <= maximumElements else { return "planned; too large to run (\(macs) MACs, \(largest) elements)" }
    let y = try net.apply(Tensor(channels: m.inputChannels, height: side, width: side))
    return "ran: \(y.shape)"
  }

  /// An ncnn model: `.param` text, a NUL byte, then the `.bin` bytes. Converted, encoded as `.srg`,
  /// and loaded as above.
  @discardableResult
  public static func ncnn(_ bytes: Data) -> String {
    let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
    let param = String(decoding: bytes[..<split], as: UTF8.self)
    let bin = [UInt8](bytes[split...].dropFirst())
    do {
      let model = try NCNNImporter.convert(param: param, bin: bin, name: "probe")
      return "converted; " + load(Data(try SRGFile.encode(model.spec, weights: model.weights)))
    } catch {
      return "error: \(error)"
    }
  }
}
