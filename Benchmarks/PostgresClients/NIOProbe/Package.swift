// swift-tools-version: 6.1
// Issue 18's client choice: a one-shot process that connects with postgres-nio, runs one query and exits.
import PackageDescription

let package = Package(
  name: "NIOProbe",
  platforms: [.macOS(.v14)],
  dependencies: [
    .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
    .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
    .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
  ],
  targets: [
    .executableTarget(
      name: "nio-probe",
      dependencies: [
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
      ])
  ]
)
