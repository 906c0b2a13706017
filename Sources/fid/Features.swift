import Foundation
import Imaging
import Inference
import ToolSupport
import WeightFormats

/// The Inception network of pytorch-fid, loaded once and run on many threads.
struct FeatureExtractor: @unchecked Sendable {
  let network: Network
  let dims: Int
  private let pool = WorkspacePool()

  static let weightsURL = "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth"
  static let missingWeights = """
    no Inception weights: give --weights FILE, set SRG_FID_WEIGHTS, or install inception-fid.srg in the model path. \
    The weights are pytorch-fid's pt_inception-2015-12-05-6726825d.pth (\(weightsURL)); install them once with: \
    srg import pt_inception-2015-12-05-6726825d.pth -o ~/.local/share/srg/models/inception-fid.srg
    """

  /// `--weights`, then `$SRG_FID_WEIGHTS`, then `inception-fid` in the model path. A `.pth` or
  /// `.safetensors` state dict is converted in memory.
  static func locate(_ option: String?) throws -> String {
    if let option { return option }
    if let env = ProcessInfo.processInfo.environment["SRG_FID_WEIGHTS"], !env.isEmpty { return env }
    guard let path = try? ModelLibrary.resolve("inception-fid") else { throw FatalError(missingWeights) }
    return path
  }

  init(weights path: String, dims: Int) throws {
    guard FileManager.default.fileExists(atPath: path) else { throw FatalError("\(path): no such file. \(FeatureExtractor.missingWeights)") }
    var contents: SRGFile.Contents
    if path.hasSuffix(".srg") {
      contents = try SRGFile.read(path: path)
    } else {
      let dict = try StateDict.load(path: path)
      let result = try FIDInception.convert(dict.tensors.mapValues { ($0.shape, $0.values) })
      contents = try SRGFile.decode(Data(try SRGFile.encode(result.spec, weights: result.weights)))
    }
    guard contents.spec.metadata.architecture == "FIDInceptionV3" else {
      throw FatalError("\(path): a \(contents.spec.metadata.architecture) model, not pytorch-fid's Inception (FIDInceptionV3)")
    }
    contents = try contents.pruned(to: FIDInception.output(dims: dims))
    network = try Network(contents)
    self.dims = dims
  }

  /// The features of one image: decoded to RGB (grey repeated, alpha dropped, no EXIF rotation, as
  /// PIL's convert("RGB")), samples / 255, bilinear resize to 299x299 as F.interpolate, scaled to
  /// [-1, 1], the network.
  func features(_ path: Path, maxPixels: Int) throws -> [Float] {
    let image = try path.withCString { try Image.load(path: $0) }
    if maxPixels > 0, image.pixelCount > maxPixels {
      throw InputFailure("image is \(image.width)x\(image.height), over the --max-pixels limit of \(maxPixels)")
    }
    let x = try FeatureExtractor.tensor(image)
    let size = FIDInception.inputSize
    let workspace = pool.take()
    defer { pool.give(workspace) }
    return try network.apply(x.resizedBilinear(height: size, width: size), workspace: workspace).data
  }

  /// RGB samples in [0, 1], CHW.
  static func tensor(_ image: Image) throws -> Inference.Tensor {
    let colour = image.bands >= 3 ? 3 : 1
    guard image.bands >= 1 else { throw InputFailure("has no bands") }
    let (w, h, bands) = (image.width, image.height, image.bands)
    var planes = [Float](repeating: 0, count: 3 * w * h)
    func fill<T>(_ samples: [T], _ value: (T) -> Float) {
      planes.withUnsafeMutableBufferPointer { p in
        for i in 0..<(w * h) {
          for c in 0..<3 { p[c * w * h + i] = value(samples[i * bands + (colour == 3 ? c : 0)]) }
        }
      }
    }
    switch image.format {
    case .uchar: fill(try image.pixels(as: UInt8.self)) { Float($0) / 255 }
    case .ushort: fill(try image.pixels(as: UInt16.self)) { Float($0) / 65535 }
    case .float: fill(try image.pixels(as: Float.self)) { min(max($0, 0), 1) }
    default: fill(try image.cast(.uchar).pixels(as: UInt8.self)) { Float($0) / 255 }
    }
    return Inference.Tensor(channels: 3, height: h, width: w, data: planes)
  }
}

/// Network workspaces, one per running thread.
final class WorkspacePool: @unchecked Sendable {
  private let lock = NSLock()
  private var free: [Network.Workspace] = []

  func take() -> Network.Workspace {
    lock.lock()
    defer { lock.unlock() }
    return free.popLast() ?? Network.Workspace()
  }

  func give(_ w: Network.Workspace) {
    lock.lock()
    defer { lock.unlock() }
    free.append(w)
  }
}
