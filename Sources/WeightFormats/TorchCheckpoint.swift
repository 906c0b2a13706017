import Foundation

/// Reads a torch.save checkpoint (the zip format of torch ≥ 1.6): <archive>/data.pkl describes the
/// objects, <archive>/data/<key> holds each storage's raw little-endian bytes.
enum TorchCheckpoint {
  /// Keys under which training code stores the weights, in order of preference.
  static let wrapperKeys = ["params_ema", "params", "state_dict", "model", "net_g"]

  static func read(_ view: ByteView, budget: inout ElementBudget) throws -> [(String, Tensor)] {
    let zip = try ZipArchive(view)
    let pickles = zip.entries.filter { entry in
      let parts = entry.name.split(separator: "/", omittingEmptySubsequences: false)
      return parts.count == 2 && parts[1] == "data.pkl"
    }
    guard pickles.count == 1, let pickle = pickles.first else {
      if pickles.count > 1 { throw failure("zip archive has \(pickles.count) '<name>/data.pkl' entries; a torch checkpoint has one") }
      if zip.entries.contains(where: { $0.name.hasSuffix("/constants.pkl") }) {
        throw failure("this is a TorchScript archive (torch.jit.save), not a torch.save checkpoint; save the model's state_dict() instead")
      }
      throw failure("zip archive has no '<name>/data.pkl' entry, so it is not a torch.save checkpoint")
    }
    let prefix = String(pickle.name.dropLast("data.pkl".count))
    if let order = zip.entry(prefix + "byteorder") {
      let text = String(decoding: try zip.read(order), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      guard text == "little" else { throw failure("checkpoint was written with byte order '\(text)'; only little-endian checkpoints are supported") }
    }

    let unpickler = Unpickler(try zip.read(pickle)) { storage in
      let name = prefix + "data/" + storage.key
      guard let entry = zip.entry(name) else { throw failure("tensor storage '\(storage.key)' is missing: the archive has no entry '\(name)'") }
      let (needed, overflow) = storage.count.multipliedReportingOverflow(by: storage.type.byteSize)
      guard !overflow, needed <= entry.size else {
        throw failure("tensor storage '\(storage.key)' claims \(storage.count) \(storage.type.rawValue) elements but '\(name)' has only \(entry.size) bytes")
      }
    }
    let root = try unpickler.run()
    let chosen = try selectTensors(root, unpickler)

    var verified: [String: Int] = [:]  // storage key -> data offset, once its CRC has been checked
    var result: [(String, Tensor)] = []
    for (key, index) in chosen {
      let reference = unpickler.tensors[index]
      let storage = unpickler.storages[reference.storage]
      try budget.spend(reference.layout.count, for: key)
      let offset: Int
      if let known = verified[storage.key] {
        offset = known
      } else {
        // The closure above checked that the entry exists.
        guard let entry = zip.entry(prefix + "data/" + storage.key) else { throw failure("tensor storage '\(storage.key)' is missing") }
        offset = try zip.storedRange(of: entry).offset
        verified[storage.key] = offset
      }
      let values = try view.withBytes(offset, storage.count * storage.type.byteSize, "storage of tensor '\(key)'") { raw in
        reference.layout.gather(elementLoader(storage.type, raw))
      }
      result.append((key, Tensor(shape: reference.layout.shape, values: values, sourceType: storage.type)))
    }
    return result
  }

  /// The dict of tensors in a checkpoint: the top-level dict, or the first wrapped dict that holds tensors.
  static func selectTensors(_ root: PickleValue, _ u: Unpickler) throws -> [(String, Int)] {
    guard case .dict(let top) = root else {
      throw failure("checkpoint holds a \(root.kind), not a dict of tensors")
    }
    func tensors(in d: Int) -> [(String, Int)] {
      zip(u.dicts[d].keys, u.dicts[d].values).compactMap { key, value in
        if case .string(let k) = key, case .tensor(let t) = value { (k, t) } else { nil }
      }
    }
    for wrapper in wrapperKeys {
      if case .dict(let inner)? = u.dicts[top][wrapper] {
        let found = tensors(in: inner)
        if !found.isEmpty { return found }
      }
    }
    let found = tensors(in: top)
    guard !found.isEmpty else {
      let keys = u.dicts[top].keys.prefix(8).map { key -> String in
        if case .string(let s) = key { "'\(s)'" } else { key.kind }
      }
      let listed = keys.isEmpty ? "an empty dict" : "a dict with keys \(keys.joined(separator: ", "))\(u.dicts[top].keys.count > 8 ? ", ..." : "")"
      throw failure("checkpoint holds no tensors: its top level is \(listed)")
    }
    return found
  }
}
