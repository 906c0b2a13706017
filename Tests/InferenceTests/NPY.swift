import Foundation

@testable import Inference

/// Reads a little-endian float32 C-order `.npy` array of rank 3 (CHW) as a tensor.
func loadNPY(_ url: URL) throws -> Tensor {
  let data = try Data(contentsOf: url)
  let headerLength = Int(data[8]) | Int(data[9]) << 8
  let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
  precondition(header.contains("'<f4'") && header.contains("'fortran_order': False"), "unsupported .npy: \(header)")
  let shapeText = header.split(separator: "(")[1].split(separator: ")")[0]
  let shape = shapeText.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
  let values = data[(10 + headerLength)...].withUnsafeBytes { raw in
    (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
  }
  return Tensor(channels: shape[0], height: shape[1], width: shape[2], data: values)
}
