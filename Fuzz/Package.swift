// swift-tools-version:6.0
import PackageDescription

// libFuzzer harnesses for the model readers, and the generator of their seed inputs. Kept out of
// the main package: they only link when built with AddressSanitizer, coverage instrumentation and
// libFuzzer's runtime, which scripts/fuzz passes (see there). Each harness hands control to
// LLVMFuzzerRunDriver through FuzzDriver; the inputs go through `Probe`, shared with the corpus
// regression test.
let package = Package(
  name: "srg-fuzz",
  dependencies: [.package(name: "srg", path: "..")],
  targets: [
    .target(name: "FuzzDriver"),
    .executableTarget(name: "fuzz-srg", dependencies: ["FuzzDriver", .product(name: "Inference", package: "srg")]),
    .executableTarget(name: "fuzz-ncnn", dependencies: ["FuzzDriver", .product(name: "Inference", package: "srg")]),
    .executableTarget(name: "make-seeds", dependencies: [.product(name: "Inference", package: "srg")]),
  ],
  swiftLanguageModes: [.v5]
)
