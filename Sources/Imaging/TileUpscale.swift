/// How a network is tiled over an image: the tiles it is run on, the context around each, and the
/// geometry of what it returns.
public struct TileGeometry: Sendable {
  /// Output pixels per input pixel.
  public var scale: Int
  /// Input pixels of context added on each side of a tile; the network's output for them is cut off.
  public var context: Int
  /// How far the image itself is extended (edge pixels repeated) before the network sees it: the
  /// border a whole-image run would add. Tiles never read past it, so border tiles match such a run.
  public var halo: Int
  /// Input pixels the network itself consumes on each side (its output is smaller by scale x this).
  public var consumes: Int
  /// The network's input sides must be multiples of this.
  public var sizeMultiple: Int
  /// Tile side, in input pixels.
  public var tile: Int

  public init(scale: Int, context: Int, halo: Int, consumes: Int = 0, sizeMultiple: Int = 1, tile: Int) {
    (self.scale, self.context, self.halo, self.consumes, self.sizeMultiple, self.tile) = (scale, context, halo, consumes, sizeMultiple, tile)
  }

  /// Border added around the image: the halo plus what the network consumes; room to round a tile
  /// up to the size multiple is added on the right and bottom.
  var border: Int { halo + consumes }
  var alignmentSlack: Int { sizeMultiple - 1 }
}

/// Runs a network tile by tile inside a libvips pipeline. The input is the image extended by
/// `geometry.border` (edge pixels repeated), as float samples; `process` receives planar (CHW)
/// samples of one tile with its context and returns planar output at `scale` times its size, minus
/// what the network consumes. Each libvips worker thread has its own workspace.
final class TileUpscale<Workspace>: RegionOperation, @unchecked Sendable {
  let geometry: TileGeometry
  let inputBands: Int
  let outputBands: Int
  let make: () -> Workspace
  let process: (Workspace, [Float], _ height: Int, _ width: Int) throws -> [Float]

  init(
    geometry: TileGeometry, inputBands: Int, outputBands: Int, makeWorkspace: @escaping () -> Workspace,
    process: @escaping (Workspace, [Float], Int, Int) throws -> [Float]
  ) {
    (self.geometry, self.inputBands, self.outputBands, make, self.process) = (geometry, inputBands, outputBands, makeWorkspace, process)
  }

  func makeWorkspace() -> Workspace { make() }

  func generate(output: Region, input: Region, workspace: Workspace) throws {
    let r = output.valid, s = geometry.scale, c = geometry.context, k = geometry.consumes, m = geometry.sizeMultiple
    let b = geometry.border
    // Input pixels whose output the rectangle covers (original coordinates).
    let x0 = r.left / s, y0 = r.top / s
    let x1 = (r.right + s - 1) / s, y1 = (r.bottom + s - 1) / s
    // The network's input in the extended image's coordinates (original + border), with context,
    // clipped to the extended image; then rounded up to the size multiple (the slack allows it).
    let extent = input.imageSize
    let left = max(0, x0 - c - k + b), top = max(0, y0 - c - k + b)
    let right = min(extent.width - (m - 1), x1 + c + k + b), bottom = min(extent.height - (m - 1), y1 + c + k + b)
    func aligned(_ n: Int) -> Int { (n + m - 1) / m * m }
    let width = aligned(right - left), height = aligned(bottom - top)
    try input.prepare(Rect(left: left, top: top, width: width, height: height))
    let bands = inputBands, plane = width * height
    var planes = [Float](repeating: 0, count: bands * plane)
    planes.withUnsafeMutableBufferPointer { dst in
      for y in 0..<height {
        let row = UnsafeRawPointer(input.address(x: left, y: top + y)).assumingMemoryBound(to: Float.self)
        for x in 0..<width {
          for b in 0..<bands { dst[b * plane + y * width + x] = row[x * bands + b] }
        }
      }
    }
    let outWidth = s * (width - 2 * k), outHeight = s * (height - 2 * k)
    let result = try process(workspace, planes, height, width)
    guard result.count == outputBands * outWidth * outHeight else {
      throw VipsError("the network returned \(result.count) samples, expected \(outputBands) x \(outHeight) x \(outWidth)")
    }
    // The network's output starts at original coordinate (left - border + consumes) * scale.
    let dx = r.left - (left - b + k) * s, dy = r.top - (top - b + k) * s
    let outPlane = outWidth * outHeight
    result.withUnsafeBufferPointer { src in
      for y in 0..<r.height {
        let row = output.address(x: r.left, y: r.top + y).assumingMemoryBound(to: Float.self)
        let base = (dy + y) * outWidth + dx
        for x in 0..<r.width {
          for b in 0..<outputBands { row[x * outputBands + b] = src[b * outPlane + base + x] }
        }
      }
    }
  }
}

extension Image {
  /// Upscales by running `process` over tiles of this image (float samples, any range), on demand:
  /// libvips asks for output tiles as its consumer needs them. Put `tileCached(...)` with
  /// `geometry.tile * geometry.scale` sides after the last cheap per-pixel step, so each tile is
  /// computed once and held in its final, smallest format.
  public func upscaled<Workspace>(
    geometry g: TileGeometry, outputBands: Int, makeWorkspace: @escaping () -> Workspace,
    process: @escaping (Workspace, [Float], Int, Int) throws -> [Float]
  ) throws -> Image {
    let source = try cast(.float)
    let extended = try source.extended(
      left: g.border, top: g.border, width: width + 2 * g.border + g.alignmentSlack, height: height + 2 * g.border + g.alignmentSlack)
    let op = TileUpscale(geometry: g, inputBands: bands, outputBands: outputBands, makeWorkspace: makeWorkspace, process: process)
    return try extended.applying(op, width: width * g.scale, height: height * g.scale, bands: outputBands, format: .float, demand: .tiles)
  }

  /// The cache an upscaled image needs: tiles of `side` pixels, two rows of them across the image, so
  /// threads can work ahead of a saver that writes top to bottom.
  public func upscaleCached(side: Int) throws -> Image {
    try tileCached(tileWidth: side, tileHeight: side, maxTiles: 2 * ((width + side - 1) / side + 1))
  }
}
