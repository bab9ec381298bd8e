// swift-tools-version:6.1
// Benchmarks live in their own package so that the main build stays quick.
// Run: make bench (or: cd Benchmarks && swift package --disable-sandbox benchmark)
import PackageDescription

let package = Package(
  name: "CasebookBenchmarks",
  platforms: [.macOS(.v14)],
  dependencies: [
    // "casebook" is a link to the checkout, so the identity does not depend on its folder name.
    .package(path: "casebook"),
    .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
  ],
  targets: [
    .executableTarget(
      name: "StoreBenchmarks",
      dependencies: [
        .product(name: "Casebook", package: "casebook"),
        .product(name: "Benchmark", package: "benchmark"),
      ],
      path: "Benchmarks/StoreBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ),
    .executableTarget(
      name: "MergeBenchmarks",
      dependencies: [
        .product(name: "Casebook", package: "casebook"),
        .product(name: "YAML", package: "casebook"),
        .product(name: "Benchmark", package: "benchmark"),
      ],
      path: "Benchmarks/MergeBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ),
  ]
)
