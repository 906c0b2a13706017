import Foundation
import Inference

// Writes the seed corpus for the harnesses: small `.srg` models that between them use every op the
// reader accepts (each also as a bare JSON header + NUL + data, which `Probe.srg` frames), and small
// ncnn models (param text + NUL + bin). Usage: make-seeds <srg-dir> <ncnn-dir>

let args = CommandLine.arguments
guard args.count == 3 else {
  FileHandle.standardError.write("usage: make-seeds <srg-dir> <ncnn-dir>\n".data(using: .utf8)!)
  exit(2)
}
let (srgDir, ncnnDir) = (URL(fileURLWithPath: args[1]), URL(fileURLWithPath: args[2]))
for d in [srgDir, ncnnDir] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }

func node(_ op: String, _ inputs: [String], _ output: String, _ edit: (inout NodeSpec) -> Void = { _ in }) -> NodeSpec {
  var n = NodeSpec(op: op, inputs: inputs, output: output)
  edit(&n)
  return n
}

func w(_ shape: [Int], _ dtype: TensorEntry.DType = .f32) -> SRGFile.Weight {
  let n = shape.reduce(1, *)
  return .init(shape: shape, values: (0..<n).map { Float(($0 * 7) % 11) / 10 - 0.5 }, dtype: dtype)
}

func model(_ name: String, channels: Int = 3, scale: Int = 1, _ nodes: [NodeSpec], _ weights: [String: SRGFile.Weight],
           edit: (inout ModelMetadata) -> Void = { _ in }) throws {
  var m = ModelMetadata(name: name, architecture: "seed", scale: scale, inputChannels: channels, outputChannels: 3, halo: 2)
  edit(&m)
  let spec = GraphSpec(metadata: m, inputs: ["x"], outputs: [nodes.last!.output], nodes: nodes)
  let bytes = try SRGFile.encode(spec, weights: weights)
  try Data(bytes).write(to: srgDir.appendingPathComponent("\(name).srg"))
  // The same model as header + NUL + data section.
  let headerLength = Int(bytes[12..<16].withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) })
  let dataOffset = Int(bytes[16..<24].withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
  let framed = Array(bytes[32..<(32 + headerLength)]) + [0] + Array(bytes[dataOffset..<(bytes.count - 8)])
  try Data(framed).write(to: srgDir.appendingPathComponent("\(name).json"))
  print("\(name).srg: \(Probe.srg(Data(bytes)))")
  print("\(name).json: \(Probe.srg(Data(framed)))")
}

// Real-ESRGAN compact style: conv + prelu, conv, pixel shuffle, plus a nearest upsample of the input.
try model("compact", scale: 2, [
  node("conv2d", ["x"], "c1") { $0.kernel = [3, 3]; $0.padding = [1, 1, 1, 1]; $0.weights = ["weight": "c1.w", "bias": "c1.b"] },
  node("prelu", ["c1"], "a1") { $0.weights = ["slope": "a1.s"] },
  node("conv2d", ["a1"], "c2") { $0.kernel = [3, 3]; $0.padding = [1, 1, 1, 1]; $0.weights = ["weight": "c2.w"] },
  node("pixel_shuffle", ["c2"], "ps") { $0.factor = 2 },
  node("resize", ["x"], "up") { $0.mode = "nearest"; $0.scales = [2, 2] },
  node("add", ["ps", "up"], "y"),
], ["c1.w": w([4, 3, 3, 3], .f16), "c1.b": w([4]), "a1.s": w([4]), "c2.w": w([12, 4, 3, 3], .f16)])

// UpConv7 style: unpadded convolutions with leaky ReLU and a transposed convolution.
try model("upconv", scale: 2, [
  node("conv2d", ["x"], "c1") { $0.kernel = [3, 3]; $0.activation = ActivationSpec(.leakyReLU(slope: 0.1)); $0.weights = ["weight": "c1.w", "bias": "c1.b"] },
  node("conv_transpose2d", ["c1"], "y") { $0.kernel = [4, 4]; $0.stride = [2, 2]; $0.padding = [3, 3, 3, 3]; $0.outputPadding = [1, 1]; $0.weights = ["weight": "d.w", "bias": "d.b"] },
], ["c1.w": w([4, 3, 3, 3]), "c1.b": w([4]), "d.w": w([3, 4, 4, 4]), "d.b": w([3])]) {
  $0.consumes = 1
  $0.inputRange = [-1, 1]
  $0.outputRange = [0, 255]
}

// Squeeze-and-excitation gate, pooling, a grouped dilated strided convolution and crops.
try model("gate", [
  node("conv2d", ["x"], "c") { $0.kernel = [1, 1]; $0.weights = ["weight": "c.w"] },
  node("global_average_pool", ["c"], "g"),
  node("linear", ["g"], "l") { $0.activation = ActivationSpec(.sigmoid); $0.weights = ["weight": "l.w", "bias": "l.b"] },
  node("multiply", ["c", "l"], "m"),
  node("max_pool", ["m"], "mp") { $0.kernel = [2, 2] },
  node("average_pool", ["m"], "ap") { $0.kernel = [3, 3]; $0.stride = [1, 1]; $0.padding = [1, 1, 1, 1]; $0.countIncludePad = false },
  node("conv2d", ["ap"], "gc") { $0.kernel = [3, 3]; $0.stride = [2, 2]; $0.dilation = [2, 2]; $0.padding = [2, 2, 2, 2]; $0.groups = 2; $0.weights = ["weight": "gc.w"] },
  node("crop", ["gc", "mp"], "k1"),
  node("concat", ["k1", "mp"], "cat"),
  node("crop", ["cat"], "k2") { $0.offset = [1, 1]; $0.size = [2, 3] },
  node("resize", ["k2"], "r") { $0.mode = "bilinear"; $0.scales = [4, 2.5] },
  node("conv2d", ["r"], "y") { $0.kernel = [1, 1]; $0.weights = ["weight": "y.w"]; $0.activation = ActivationSpec(.clamp(min: 0, max: 1)) },
], ["c.w": w([4, 3, 1, 1]), "l.w": w([4, 4]), "l.b": w([4]), "gc.w": w([4, 2, 3, 3], .f16), "y.w": w([3, 8, 1, 1])])

// Space to depth and back, with affine, tanh and a weighted sum; extra constant input planes.
try model("unshuffle", channels: 1, [
  node("pixel_unshuffle", ["x"], "u") { $0.factor = 2 },
  node("affine", ["u"], "a") { $0.value = [2, -1] },
  node("activation", ["a"], "t") { $0.activation = ActivationSpec(.tanh) },
  node("add", ["t", "u"], "s") { $0.coefficients = [1, 0.2] },
  node("pixel_shuffle", ["s"], "p") { $0.factor = 2 },
  node("resize", ["p"], "y") { $0.mode = "bicubic"; $0.scales = [1.5, 1.5] },
], [:]) {
  $0.extraInputPlanes = [0.5]
  $0.outputChannels = 2
}

// ncnn: param text, NUL, bin.
func ncnn(_ name: String, _ param: String, _ bin: [Float], tagged: Bool = true) throws {
  var data = Array(param.utf8) + [0]
  for v in bin { withUnsafeBytes(of: v.bitPattern.littleEndian) { data += $0 } }
  try Data(data).write(to: ncnnDir.appendingPathComponent("\(name).ncnn"))
  print("\(name).ncnn: \(Probe.ncnn(Data(data)))")
}
func floats(_ n: Int) -> [Float] { (0..<n).map { Float($0 % 5) / 10 } }

try ncnn("compact", """
7767517
8 9
Input            in      0 1 data 0=8 1=8 2=3
Split            sp      1 2 data d0 d1
Convolution      conv1   1 1 d0 c1 0=4 1=3 4=1 5=1 6=108 9=2 -23310=1,0.1
PReLU            pr      1 1 c1 p1 0=4
Convolution      conv2   1 1 p1 c2 0=12 1=3 4=1 5=0 6=432
PixelShuffle     ps      1 1 c2 s 0=2
Interp           up      1 1 d1 u 0=1 1=2.0 2=2.0
BinaryOp         add     2 1 s u out 0=0
""", [0] + floats(108) + floats(4) + floats(4) + [0] + floats(432))

try ncnn("upconv", """
7767517
5 5
Input            in      0 1 data
Convolution      conv1   1 1 data c1 0=4 1=3 5=1 6=108 9=2 -23310=1,0.1
ConvolutionDepthWise dw  1 1 c1 c2 0=4 1=3 2=2 4=2 5=0 6=72 7=2
Deconvolution    de      1 1 c2 d 0=3 1=4 3=2 4=3 5=1 6=192 18=1
Clip             cl      1 1 d out 0=0.0 1=1.0
""", [0] + floats(108) + floats(4) + [0] + floats(72) + [0] + floats(192) + floats(3))

try ncnn("gate", """
7767517
10 12
Input            in      0 1 data
Split            sp      1 3 data a b c
Pooling          gap     1 1 a g 0=1 4=1
InnerProduct     fc      1 1 g f 0=3 1=1 2=9 9=4
Scale            sc      2 1 b f m 0=-233
Pooling          mp      1 1 m p 0=0 1=2 2=2
Pooling          ap      1 1 c q 0=1 1=3 2=1 3=1 6=1
Crop             cr      2 1 q p k 0=1 1=1
Concat           cat     2 1 k p j 0=0
Eltwise          el      2 1 j j out 0=1 -23301=2,1.0,0.5
""", [0] + floats(9) + floats(3))

try ncnn("misc", """
7767517
7 7
Input            in      0 1 data
ReLU             r       1 1 data a 0=0.1
Sigmoid          s       1 1 a b
TanH             t       1 1 b c
BinaryOp         mul     1 1 c d 0=2 1=1 2=0.5
Interp           bi      1 1 d e 0=3 1=1.5 2=1.5
Crop             cr      1 1 e out 0=1 1=1 3=4 4=4
""", [])
print("seeds written")
