// swift-tools-version: 6.1
import PackageDescription

/// Upcoming language features every Bazaar target builds with (see docs/architecture.md).
let strictSettings: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("InternalImportsByDefault"),
  .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
  name: "Bazaar",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "bazaar", targets: ["bazaar"]),
    .library(name: "Spool", targets: ["Spool"]),
  ],
  dependencies: [
    .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
  ],
  targets: [
    // Domain core: entities, rules, use cases and the ports they need. No I/O.
    .target(name: "BazaarCore", swiftSettings: strictSettings),

    // JSON values: a strict RFC 8259 parser and a sorted-key serializer, with no Foundation.
    .target(name: "BazaarJSON", swiftSettings: strictSettings),

    // System OpenSSL (libcrypto) for HMAC, scrypt, randomness and constant-time compare.
    .systemLibrary(
      name: "COpenSSL",
      pkgConfig: "libcrypto",
      providers: [.apt(["libssl-dev"])]
    ),
    .target(
      name: "BazaarCrypto",
      dependencies: ["BazaarCore", "BazaarJSON", "COpenSSL"],
      swiftSettings: strictSettings
    ),

    // SQLite adapters for the core's store ports.
    .target(
      name: "BazaarStore",
      dependencies: ["BazaarCore", .product(name: "GRDB", package: "GRDB.swift")],
      swiftSettings: strictSettings
    ),

    // The function registry: names, input decoding, auth policies, routes, problem mapping.
    .target(name: "BazaarFunctions", dependencies: ["BazaarCore", "BazaarJSON"], swiftSettings: strictSettings),

    // Durable directory queues (Maildir layout, SQS/Sidekiq behaviour); knows nothing of shops.
    .target(name: "Spool", dependencies: ["BazaarJSON"], swiftSettings: strictSettings),

    // Transports that drive the registry: the shell runner (CGI and HTTP join later).
    .target(
      name: "BazaarRunners",
      dependencies: ["BazaarFunctions", "BazaarCore", "BazaarJSON", .product(name: "Logging", package: "swift-log")],
      swiftSettings: strictSettings
    ),

    // The command-line front; the only place live adapters are wired together.
    .executableTarget(
      name: "bazaar",
      dependencies: [
        "BazaarCore", "BazaarCrypto", "BazaarStore", "BazaarFunctions", "BazaarRunners", "Spool",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strictSettings
    ),

    .testTarget(name: "BazaarCoreTests", dependencies: ["BazaarCore"], swiftSettings: strictSettings),
    .testTarget(name: "SpoolTests", dependencies: ["Spool"], swiftSettings: strictSettings),
    .testTarget(name: "BazaarJSONTests", dependencies: ["BazaarJSON"], swiftSettings: strictSettings),
    .testTarget(
      name: "BazaarCryptoTests",
      dependencies: ["BazaarCrypto", "BazaarCore"],
      swiftSettings: strictSettings
    ),
    .testTarget(
      name: "BazaarStoreTests",
      dependencies: ["BazaarStore", "BazaarCore", "BazaarCrypto", .product(name: "GRDB", package: "GRDB.swift")],
      swiftSettings: strictSettings
    ),
    .testTarget(
      name: "BazaarFunctionsTests",
      dependencies: ["BazaarFunctions", "BazaarCore", "BazaarJSON", "BazaarStore", "BazaarCrypto"],
      swiftSettings: strictSettings
    ),
  ]
)
