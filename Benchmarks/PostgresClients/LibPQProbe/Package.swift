// swift-tools-version: 6.1
// Issue 18's client choice: a one-shot process that connects with libpq, runs one query and exits.
import PackageDescription

let package = Package(
  name: "LibPQProbe",
  targets: [
    .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
    .executableTarget(name: "pq-probe", dependencies: ["CLibPQ"]),
  ]
)
