import Foundation

// SwiftPM gives executables their own `main`, so each harness hands control to libFuzzer's driver
// instead of using libFuzzer's `main`.

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
  _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
  _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The harness's target: a C callback cannot capture it, so it waits here.
nonisolated(unsafe) private var target: (Data) -> Void = { _ in }

/// Runs libFuzzer with the process's arguments, giving each input to `body`, and exits with its status.
public func fuzz(_ body: @escaping (Data) -> Void) -> Never {
  target = body
  var argc = CommandLine.argc
  var argv = CommandLine.unsafeArgv
  exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    target(data.map { Data(bytes: $0, count: size) } ?? Data())
    return 0
  })
}
