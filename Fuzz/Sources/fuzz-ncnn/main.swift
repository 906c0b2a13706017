import Foundation
import Inference

// libFuzzer harness: one input is an ncnn `.param`, a NUL byte, then the `.bin` (see `Probe.ncnn`).
// SwiftPM gives executables their own `main`, so this one hands control to libFuzzer's driver
// instead of using its `main`.

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
  _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
  _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
  Probe.ncnn(data.map { Data(bytes: $0, count: size) } ?? Data())
  return 0
})
