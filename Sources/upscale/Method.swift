import Foundation
import Imaging
import Inference
import ToolSupport

import ArgumentParser

/// How `upscale` enlarges an alpha channel.
enum AlphaMode: String, ExpressibleByArgument, CaseIterable {
  case resize, model
}

/// What enlarges the images: a network, or a classical kernel for baselines.
enum Method {
  case network(Network, tta: Bool, alpha: AlphaMode)
  case bicubic(Int)
  case lanczos(Int)

  init(model: String, scale: Int?, tta: Bool, alpha: AlphaMode) throws {
    switch model {
    case "bicubic": self = .bicubic(scale ?? 4)
    case "lanczos": self = .lanczos(scale ?? 4)
    default:
      let net = try Network(path: try ModelLibrary.resolve(model))
      if let scale, scale != net.metadata.scale {
        throw InferenceError("the model's scale is x\(net.metadata.scale), not x\(scale) (use --outscale to resize its result)")
      }
      self = .network(net, tta: tta, alpha: alpha)
    }
  }

  /// `memory` is the budget in MiB, `cores` what the process's tiles share, `log` hears of tiles
  /// halved for want of memory.
  func upscale(_ image: Image, tile: Int?, memory: Int, cores: IdleCores, log: TileLog) throws -> Image {
    switch self {
    case .bicubic(let s):
      return try image.premultiplied {
        try $0.resampled(width: image.width * s, height: image.height * s, rule: .matlab, horizontalScale: Double(s), verticalScale: Double(s))
      }
    case .lanczos(let s):
      return try image.premultiplied { try $0.resized(horizontal: Double(s), vertical: Double(s), kernel: .lanczos3) }
    case .network(let net, let tta, let alpha):
      return try NetworkUpscale(network: net, tta: tta, alpha: alpha, cores: cores).apply(image, tile: tile, memory: memory, log: log)
    }
  }
}

/// Runs a generator over an image: colour through the network (grey replicated to its input
/// channels), alpha enlarged with the bicubic kernel, samples back in the image's own format.
struct NetworkUpscale {
  let network: Network
  let tta: Bool
  let alpha: AlphaMode
  let cores: IdleCores

  func apply(_ image: Image, tile requested: Int?, memory: Int, log: TileLog) throws -> Image {
    let m = network.metadata
    let hasAlpha = image.hasAlpha
    let colourBands = image.bands - (hasAlpha ? 1 : 0)
    guard colourBands == 1 || colourBands == m.inputChannels else {
      throw InputFailure("has \(colourBands) colour bands; the model takes \(m.inputChannels)")
    }
    guard image.format == .uchar || image.format == .ushort else { throw InputFailure("\(image.format) samples are not supported (8- or 16-bit images only)") }
    let peak: Double = image.format == .ushort ? 65535 : 255
    let cost = try bytesPerPixel()
    let tile = requested ?? automaticTile(memory: memory, tilesAtOnce: cores.count, bytesPerPixel: cost)
    let colour = hasAlpha ? try image.bands(0, count: colourBands) : image
    var out = try enlarge(colour, peak: peak, tile: tile, bytesPerPixel: cost, log: log)
    if hasAlpha {
      let a = try image.bands(image.bands - 1, count: 1)
      let s = Double(m.scale)
      let enlarged = alpha == .model
        ? try enlarge(a, peak: peak, tile: tile, bytesPerPixel: cost, log: log)
        : try a.resampled(width: image.width * m.scale, height: image.height * m.scale, rule: .matlab, horizontalScale: s, verticalScale: s)
      out = try out.joined(with: enlarged)
    }
    return out
  }

  /// One- or n-band samples through the network (grey replicated to its channels and averaged back),
  /// returned in the input's format.
  func enlarge(_ image: Image, peak: Double, tile: Int, bytesPerPixel: Double, log: TileLog) throws -> Image {
    let m = network.metadata
    var colour = image
    if image.bands == 1 && m.inputChannels == 3 { colour = try colour.joined(with: colour).joined(with: colour) }
    let geometry = TileGeometry(
      scale: m.scale, context: context, halo: m.halo, consumes: m.consumes, sizeMultiple: m.sizeMultiple, tile: tile)
    let net = network, tta = self.tta, cores = self.cores
    var out = try colour.linear(1 / peak, 0).upscaled(
      geometry: geometry, outputBands: m.outputChannels, makeWorkspace: { Network.Workspace() },
      process: { workspace, planes, height, width in
        let taken = cores.take()
        defer { cores.give(taken) }
        workspace.threads = taken
        let x = Tensor(channels: m.inputChannels, height: height, width: width, data: planes)
        guard tta else { return try net.apply(x, workspace: workspace).data }
        var sum = [Float]()
        for t in 0..<8 {
          let y = try net.apply(x.dihedral(t), workspace: workspace).inverseDihedral(t).data
          if sum.isEmpty { sum = y } else { for i in 0..<sum.count { sum[i] += y[i] } }
        }
        return sum.map { $0 / 8 }
      },
      workingBytes: { height, width in Int(bytesPerPixel * Double(height * width)) }, log: log)
    if image.bands == 1 { out = try out.bandMean() }
    return try out.linear(peak, 0).rounded().cast(image.format).upscaleCached(side: tile * m.scale)
  }

  /// Context per tile: the network's receptive radius, so tiles join without seams, but no more
  /// than 32 px (deep networks see far but barely use it) and never less than the model's halo.
  var context: Int {
    max(network.metadata.halo, Int(min(network.receptiveRadius, 32).rounded(.up)))
  }

  /// Working memory per pixel of the network's input: a few feature maps of the widest layer are
  /// alive at once, plus the convolution's columns (an upper bound for the architectures measured),
  /// plus libvips' float buffers of the tile's output in the steps after the network (six seen).
  func bytesPerPixel() throws -> Double {
    let m = network.metadata
    let probe = 64, side = probe + 2 * m.consumes
    let network = Double(try network.plan(side: probe).largest) / Double(side * side) * 4 * 4
    return network + Double(m.scale * m.scale * m.outputChannels) * 4 * 6
  }

  /// The largest tile whose working tensors fit half the budget with `tilesAtOnce` tiles running at
  /// once (the tile caches get the other half, and tiles asked for beyond it are halved as they
  /// run), at most 256 px so the cache of two tile rows stays small.
  func automaticTile(memory: Int, tilesAtOnce: Int, bytesPerPixel: Double) -> Int {
    let m = network.metadata
    let perTile = Double(memory) * 1_048_576 / 2 / Double(tilesAtOnce)
    let side = Int((perTile / bytesPerPixel).squareRoot()) - 2 * (context + m.consumes) - (m.sizeMultiple - 1)
    return min(max(side / 16 * 16, 32), 256)
  }
}
