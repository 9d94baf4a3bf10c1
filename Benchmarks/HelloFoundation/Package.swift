// swift-tools-version: 6.1
// The start-up baseline: the smallest Swift program that imports Foundation and prints JSON.
import PackageDescription

let package = Package(
  name: "HelloFoundation",
  targets: [.executableTarget(name: "hello")]
)
