import Foundation

/// The file formats `StateDict.load` reads.
public enum WeightFileFormat: String, Sendable {
  /// torch.save's zip format (torch ≥ 1.6): .pth, .pt, .ckpt.
  case torchZip = "torch zip"
  case safetensors

  /// Recognises a format from the first bytes, or nil.
  static func sniff(_ view: ByteView) -> WeightFileFormat? {
    if let magic = try? view.bytes(0, 4, "magic"), magic == [0x50, 0x4b, 0x03, 0x04] || magic == [0x50, 0x4b, 0x05, 0x06] {
      return .torchZip
    }
    return SafeTensors.sniff(view) ? .safetensors : nil
  }
}

/// Named tensors read from a weight file, in the file's order.
///
/// Wrapped training checkpoints are unwrapped: when the top-level dict holds a dict of tensors under
/// `params_ema`, `params`, `state_dict`, `model` or `net_g` (first match in that order), that dict
/// is used. A leading `module.` (left by nn.DataParallel) is removed from every key.
public struct StateDict: Sendable {
  /// Keys in the order the file lists them (torch: the state dict's order; safetensors: the header's).
  public private(set) var keys: [String]
  public private(set) var tensors: [String: Tensor]
  public private(set) var format: WeightFileFormat

  /// Builds a state dict from named tensors; keys must be unique.
  public init(_ entries: [(String, Tensor)], format: WeightFileFormat) throws {
    var tensors: [String: Tensor] = [:]
    for (key, tensor) in entries {
      guard tensors.updateValue(tensor, forKey: key) == nil else { throw failure("two tensors are named '\(key)'") }
    }
    self.keys = entries.map(\.0)
    self.tensors = tensors
    self.format = format
  }

  public subscript(key: String) -> Tensor? { tensors[key] }

  /// Reads a .pth/.pt/.ckpt (torch.save zip) or .safetensors file, recognised by its content.
  /// Errors are `WeightFileError`s that name `path`.
  public static func load(path: String) throws -> StateDict {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
    } catch {
      throw WeightFileError(file: path, "cannot read the file: \(error.localizedDescription)")
    }
    return try load(data: data, name: path)
  }

  /// Reads weights from bytes in memory; `name` labels errors. Total on arbitrary bytes: every
  /// malformed input throws a `WeightFileError`.
  public static func load(data: Data, name: String = "") throws -> StateDict {
    do {
      let view = ByteView(data)
      guard view.count > 0 else { throw failure("the file is empty") }
      let entries: [(String, Tensor)]
      let format: WeightFileFormat
      switch WeightFileFormat.sniff(view) {
      case .torchZip?:
        var budget = ElementBudget(fileSize: view.count)
        entries = try TorchCheckpoint.read(view, budget: &budget)
        format = .torchZip
      case .safetensors?:
        entries = try SafeTensors.read(view)
        format = .safetensors
      case nil:
        let first = try view.bytes(0, min(view.count, 2), "magic")
        if first.first == 0x80 {
          throw failure("this is a legacy torch checkpoint (torch < 1.6 or _use_new_zipfile_serialization=False), which is not supported; re-save it with a newer torch")
        }
        let hex = first.map { String(format: "%02x", $0) }.joined()
        throw failure("unrecognised format (first bytes 0x\(hex)): neither a torch.save zip checkpoint nor safetensors")
      }
      return try StateDict(stripModulePrefix(entries), format: format)
    } catch var error as WeightFileError {
      if error.file.isEmpty { error.file = name }
      throw error
    }
  }

  static func stripModulePrefix(_ entries: [(String, Tensor)]) throws -> [(String, Tensor)] {
    let stripped = entries.map { key, tensor in (key.hasPrefix("module.") ? String(key.dropFirst(7)) : key, tensor) }
    var originals: [String: String] = [:]
    for ((key, _), (original, _)) in zip(stripped, entries) {
      if let other = originals.updateValue(original, forKey: key) {
        throw failure("keys '\(other)' and '\(original)' both become '\(key)' without their 'module.' prefix")
      }
    }
    return stripped
  }
}
