// swift-tools-version:6.0
import PackageDescription

// Layers, top to bottom: executables -> ToolSupport -> Imaging / Numerics -> C modules.
// Only Imaging imports the libvips modules; only Numerics imports OpenBLAS.
// Builds target a processor level, not the builder's own processor, so a binary built on one machine
// runs on the others (a cluster's nodes): on x86-64, AVX2 and FMA (Haswell's level: Intel since 2013,
// AMD since 2015), which the engine's kernels and the float64 filters of ssim are written for.
#if arch(x86_64)
let cpu = ["-target-cpu", "haswell"]
#else
let cpu: [String] = []
#endif
let optimize: [SwiftSetting] = [.unsafeFlags(cpu), .unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

func tool(_ name: String, _ extra: [Target.Dependency] = []) -> Target {
  .executableTarget(
    name: name,
    dependencies: ["ToolSupport", "Imaging", .product(name: "ArgumentParser", package: "swift-argument-parser")] + extra,
    swiftSettings: optimize)
}

let package = Package(
  name: "srg",
  products: [
    .executable(name: "downscale", targets: ["downscale"]),
    .executable(name: "ssim", targets: ["ssim"]),
    .executable(name: "crappify", targets: ["crappify"]),
    .executable(name: "srg", targets: ["srg"]),
    .executable(name: "upscale", targets: ["upscale"]),
    // For the fuzz harnesses in Fuzz/, a separate package built with libFuzzer's instrumentation.
    .library(name: "Inference", targets: ["Inference"]),
    .executable(name: "fid", targets: ["fid"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
  ],
  targets: [
    .systemLibrary(name: "CVips", pkgConfig: "vips", providers: [.apt(["libvips-dev"])]),
    .target(name: "CVipsShim", dependencies: ["CVips"]),
    .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    .target(name: "Numerics", dependencies: ["COpenBLAS"], swiftSettings: optimize),
    .target(name: "Metrics", dependencies: ["Numerics"], swiftSettings: optimize),
    // The engine's SIMD kernels are hundreds of times slower unoptimised: debug builds (the tests'
    // end-to-end runs) optimise it too, checks kept.
    .target(
      name: "Inference", dependencies: ["Numerics", "WeightFormats"],
      swiftSettings: optimize + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .target(name: "WeightFormats", dependencies: ["CZlib"], swiftSettings: optimize),
    .target(name: "Imaging", dependencies: ["CVips", "CVipsShim"], swiftSettings: optimize),
    .target(
      name: "ToolSupport",
      dependencies: ["Imaging", .product(name: "ArgumentParser", package: "swift-argument-parser")],
      swiftSettings: optimize),
    tool("downscale"),
    tool("ssim", ["Metrics"]),
    tool("crappify"),
    tool("srg", ["Inference", "WeightFormats", "Numerics"]),
    tool("upscale", ["Inference", "Numerics"]),
    tool("fid", ["Inference", "Numerics", "Metrics", "WeightFormats"]),
    .testTarget(name: "NumericsTests", dependencies: ["Numerics"]),
    .testTarget(name: "ImagingTests", dependencies: ["Imaging", "Metrics"], resources: [.copy("Set5")]),
    .testTarget(name: "MetricsTests", dependencies: ["Metrics"]),
    .testTarget(name: "InferenceTests", dependencies: ["Inference", "WeightFormats"], resources: [.copy("Fixtures"), .copy("Corpus")]),
    .testTarget(name: "ToolSupportTests", dependencies: ["ToolSupport"]),
    .testTarget(name: "WeightFormatsTests", dependencies: ["WeightFormats"], resources: [.copy("Fixtures")]),
    .testTarget(name: "EndToEndTests", dependencies: ["Imaging"], resources: [.copy("Fixtures")]),
  ],
  swiftLanguageModes: [.v5]
)
