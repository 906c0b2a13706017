import CVips
import CVipsShim

/// A rectangle in pixel coordinates.
public struct Rect: Equatable, Sendable {
  public var left, top, width, height: Int
  public init(left: Int, top: Int, width: Int, height: Int) {
    (self.left, self.top, self.width, self.height) = (left, top, width, height)
  }
  public var right: Int { left + width }
  public var bottom: Int { top + height }
}

/// A window of pixels libvips has computed (input) or asks us to fill (output).
public struct Region {
  let pointer: UnsafeMutablePointer<VipsRegion>

  /// The rectangle whose pixels are addressable.
  public var valid: Rect {
    let r = srgv_region_valid(pointer)
    return Rect(left: Int(r.left), top: Int(r.top), width: Int(r.width), height: Int(r.height))
  }

  /// The size of the image the region views.
  public var imageSize: (width: Int, height: Int) {
    (Int(pointer.pointee.im.pointee.Xsize), Int(pointer.pointee.im.pointee.Ysize))
  }

  /// Samples per pixel.
  public var bands: Int { Int(pointer.pointee.im.pointee.Bands) }

  /// Bytes from one line to the next.
  public var lineStride: Int { Int(srgv_region_lskip(pointer)) }

  /// Address of pixel (x, y), which must lie inside `valid`.
  public func address(x: Int, y: Int) -> UnsafeMutableRawPointer {
    UnsafeMutableRawPointer(srgv_region_addr(pointer, Int32(x), Int32(y)))
  }

  /// Asks libvips to compute `rect` of the region's image.
  public func prepare(_ rect: Rect) throws {
    guard srgv_region_prepare(pointer, Int32(rect.left), Int32(rect.top), Int32(rect.width), Int32(rect.height)) == 0
    else { throw VipsError.fromBuffer() }
  }
}

/// A pixel operation libvips runs on demand, one output rectangle at a time, on its worker threads.
/// Each worker thread gets its own workspace; `generate` may be called concurrently with different
/// workspaces, so the operation itself must be immutable.
public protocol RegionOperation: AnyObject, Sendable {
  associatedtype Workspace
  func makeWorkspace() -> Workspace
  /// Fills `output.valid`, reading whatever part of `input`'s image it needs via `input.prepare`.
  func generate(output: Region, input: Region, workspace: Workspace) throws
}

/// The type-erased operation kept alive by the output image.
private final class OperationBox {
  let makeWorkspace: () -> AnyObject
  let generate: (Region, Region, AnyObject) throws -> Void
  init<Op: RegionOperation>(_ op: Op) {
    makeWorkspace = { WorkspaceBox(op.makeWorkspace()) }
    generate = { out, input, ws in try op.generate(output: out, input: input, workspace: (ws as! WorkspaceBox<Op.Workspace>).value) }
  }
}

private final class WorkspaceBox<W> {
  var value: W
  init(_ value: W) { self.value = value }
}

private let startCallback: SrgStartFn = { ctx in
  let box = Unmanaged<OperationBox>.fromOpaque(ctx!).takeUnretainedValue()
  return Unmanaged.passRetained(box.makeWorkspace()).toOpaque()
}

private let generateCallback: SrgGenerateFn = { out, input, workspace, ctx in
  let box = Unmanaged<OperationBox>.fromOpaque(ctx!).takeUnretainedValue()
  let ws = Unmanaged<AnyObject>.fromOpaque(workspace!).takeUnretainedValue()
  do {
    try box.generate(Region(pointer: out!), Region(pointer: input!), ws)
    return 0
  } catch let error as VipsError {
    srgv_error("srg", error.message)
    return -1
  } catch {
    srgv_error("srg", "\(error)")
    return -1
  }
}

private let stopCallback: SrgStopFn = { workspace, _ in
  Unmanaged<AnyObject>.fromOpaque(workspace!).release()
}

private let releaseCallback: SrgReleaseFn = { ctx in
  Unmanaged<OperationBox>.fromOpaque(ctx!).release()
}

/// How an operation prefers to be asked for pixels.
public enum DemandStyle: Sendable {
  /// Small square tiles (networks, 2-D filters).
  case tiles
  /// Full-width strips a few lines high (resamplers that stream top to bottom).
  case strips

  var vips: VipsDemandStyle { self == .tiles ? VIPS_DEMAND_STYLE_SMALLTILE : VIPS_DEMAND_STYLE_FATSTRIP }
}

extension Image {
  /// A new image of the given geometry whose pixels `operation` computes from this one on demand.
  /// The result inherits this image's metadata.
  public func applying<Op: RegionOperation>(
    _ operation: Op, width: Int, height: Int, bands: Int, format: PixelFormat, demand: DemandStyle
  ) throws -> Image {
    let ctx = Unmanaged.passRetained(OperationBox(operation)).toOpaque()
    return try Image.check(
      srgv_generate(
        pointer, Int32(width), Int32(height), Int32(bands), format.vips, demand.vips,
        generateCallback, startCallback, stopCallback, releaseCallback, ctx))
  }
}
