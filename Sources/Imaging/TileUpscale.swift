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
/// what the network consumes. Each libvips worker thread has its own workspace. Before a tile runs,
/// `memory` must admit its working set (`workingBytes` of the network's input height and width);
/// a tile refused is split in four, down to `minimumTile` input pixels a side.
final class TileUpscale<Inner>: RegionOperation, @unchecked Sendable {
  /// One thread's: the caller's workspace, and whether the thread has run a tile (OpenBLAS then
  /// holds its buffer, so admission needs no headroom for it).
  final class Workspace {
    let inner: Inner
    var warm = false
    init(_ inner: Inner) { self.inner = inner }
  }

  let geometry: TileGeometry
  let inputBands: Int
  let outputBands: Int
  let make: () -> Inner
  let process: (Inner, [Float], _ height: Int, _ width: Int) throws -> [Float]
  let memory: TileMemory
  let workingBytes: (_ height: Int, _ width: Int) -> Int
  let log: TileLog?
  static var minimumTile: Int { 32 }

  init(
    geometry: TileGeometry, inputBands: Int, outputBands: Int, makeWorkspace: @escaping () -> Inner,
    process: @escaping (Inner, [Float], Int, Int) throws -> [Float], memory: TileMemory,
    workingBytes: @escaping (Int, Int) -> Int, log: TileLog?
  ) {
    (self.geometry, self.inputBands, self.outputBands, make, self.process) = (geometry, inputBands, outputBands, makeWorkspace, process)
    (self.memory, self.workingBytes, self.log) = (memory, workingBytes, log)
  }

  func makeWorkspace() -> Workspace { Workspace(make()) }

  /// The tile's whole input is computed in one request before it runs or is split: the quarters of
  /// a split tile each asking for their own rows would go back up the image, which a sequentially
  /// read file cannot do once its line cache has moved past them ("out of order read"). The input
  /// (a few floats a pixel) is small beside the working set that made the split.
  func generate(output: Region, input: Region, workspace: Workspace) throws {
    // A part's source can end up to the size multiple's slack past the whole's.
    let extent = input.imageSize, whole = source(for: output.valid, extent: extent), slack = geometry.alignmentSlack
    try input.prepare(Rect(
      left: whole.left, top: whole.top,
      width: min(whole.width + slack, extent.width - whole.left), height: min(whole.height + slack, extent.height - whole.top)))
    try fill(output.valid, output: output, input: input, workspace: workspace)
  }

  /// The network's input for output rectangle `r`, in the extended image's coordinates (original +
  /// border), with context, clipped to the extended image, then rounded up to the size multiple
  /// (the slack allows it).
  func source(for r: Rect, extent: (width: Int, height: Int)) -> Rect {
    let s = geometry.scale, c = geometry.context, k = geometry.consumes, m = geometry.sizeMultiple, b = geometry.border
    // Input pixels whose output the rectangle covers (original coordinates).
    let x0 = r.left / s, y0 = r.top / s
    let x1 = (r.right + s - 1) / s, y1 = (r.bottom + s - 1) / s
    let left = max(0, x0 - c - k + b), top = max(0, y0 - c - k + b)
    let right = min(extent.width - (m - 1), x1 + c + k + b), bottom = min(extent.height - (m - 1), y1 + c + k + b)
    func aligned(_ n: Int) -> Int { (n + m - 1) / m * m }
    return Rect(left: left, top: top, width: aligned(right - left), height: aligned(bottom - top))
  }

  /// Fills `r` of the output with one network run, or, when memory does not admit it, with four
  /// runs over its quarters.
  func fill(_ r: Rect, output: Region, input: Region, workspace: Workspace) throws {
    let src = source(for: r, extent: input.imageSize)
    let bytes = workingBytes(src.height, src.width)
    let s = geometry.scale, smallest = min(Self.minimumTile, geometry.tile) * s
    let splitX = r.width > smallest && r.width > s, splitY = r.height > smallest && r.height > s
    // The smallest tiles run one at a time, past the budget, if they must.
    let headroom = workspace.warm ? 0 : TileMemory.headroom
    guard memory.admit(bytes, headroom: headroom) || (!splitX && !splitY && memory.admit(bytes, headroom: headroom, last: true))
    else {
      guard splitX || splitY else {
        throw VipsError("not enough memory for a \(r.width / s)x\(r.height / s) tile (\(bytes >> 20) MiB of working memory)")
      }
      // Halves on the scale's grid, so each covers whole input pixels.
      let w = splitX ? (r.width / s + 1) / 2 * s : r.width, h = splitY ? (r.height / s + 1) / 2 * s : r.height
      log?.halved(to: max(w, h) / s)
      for (x, width) in [(r.left, w), (r.left + w, r.width - w)] where width > 0 {
        for (y, height) in [(r.top, h), (r.top + h, r.height - h)] where height > 0 {
          try fill(Rect(left: x, top: y, width: width, height: height), output: output, input: input, workspace: workspace)
        }
      }
      return
    }
    defer { memory.release(bytes) }
    try run(r, from: src, output: output, input: input, workspace: workspace)
    workspace.warm = true
  }

  /// Runs the network on `src`, which lies inside the input region `generate` prepared.
  func run(_ r: Rect, from src: Rect, output: Region, input: Region, workspace: Workspace) throws {
    let s = geometry.scale, k = geometry.consumes, b = geometry.border
    let (left, top, width, height) = (src.left, src.top, src.width, src.height)
    let prepared = input.valid
    guard left >= prepared.left, top >= prepared.top, src.right <= prepared.right, src.bottom <= prepared.bottom else {
      throw VipsError("tile input \(src) lies outside the prepared \(prepared)")
    }
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
    let result = try process(workspace.inner, planes, height, width)
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
  ///
  /// Each tile's working memory, `workingBytes(height, width)` of the network's input, must be
  /// admitted by `memory` first; tiles it refuses are halved (noted in `log`), down to 32 pixels.
  public func upscaled<Workspace>(
    geometry g: TileGeometry, outputBands: Int, makeWorkspace: @escaping () -> Workspace,
    process: @escaping (Workspace, [Float], Int, Int) throws -> [Float],
    memory: TileMemory = .shared, workingBytes: @escaping (_ height: Int, _ width: Int) -> Int = { _, _ in 0 },
    log: TileLog? = nil
  ) throws -> Image {
    let source = try cast(.float)
    let extended = try source.extended(
      left: g.border, top: g.border, width: width + 2 * g.border + g.alignmentSlack, height: height + 2 * g.border + g.alignmentSlack)
    let op = TileUpscale(
      geometry: g, inputBands: bands, outputBands: outputBands, makeWorkspace: makeWorkspace, process: process,
      memory: memory, workingBytes: workingBytes, log: log)
    return try extended.applying(op, width: width * g.scale, height: height * g.scale, bands: outputBands, format: .float, demand: .tiles)
  }

  /// The cache an upscaled image needs: tiles of `side` pixels, two rows of them across the image, so
  /// threads can work ahead of a saver that writes top to bottom.
  public func upscaleCached(side: Int) throws -> Image {
    try tileCached(tileWidth: side, tileHeight: side, maxTiles: 2 * ((width + side - 1) / side + 1))
  }
}
