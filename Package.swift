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
    .executable(name: "bazaar-fn", targets: ["bazaar-fn"]),
    .executable(name: "bazaar-bench", targets: ["BazaarBench"]),
    .library(name: "Spool", targets: ["Spool", "QueuePort"]),
  ],
  dependencies: [
    .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
    // The HTTP runner. Its default traits pull swift-configuration and full Foundation: not needed.
    .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1", traits: []),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.1"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
  ],
  targets: [
    // Domain core: entities, rules, use cases and the ports they need. No I/O. Events are
    // built as JSON values (BazaarJSON: pure values, no Foundation).
    .target(name: "BazaarCore", dependencies: ["BazaarJSON"], swiftSettings: strictSettings),

    // JSON values: a strict RFC 8259 parser and a sorted-key serializer, with no Foundation.
    .target(name: "BazaarJSON", swiftSettings: strictSettings),

    // System OpenSSL (libcrypto) for HMAC, scrypt, randomness and constant-time compare.
    .systemLibrary(
      name: "COpenSSL",
      pkgConfig: "libcrypto",
      providers: [.apt(["libssl-dev"])]
    ),
    // The address of Swift concurrency's global-enqueue hook, for running tasks on NIO's event loops.
    .target(name: "CConcurrencyHook"),
    .target(
      name: "BazaarCrypto",
      dependencies: ["BazaarCore", "BazaarJSON", "COpenSSL"],
      swiftSettings: strictSettings
    ),

    // The SQL seam (parameterised statements, rows by position, two dialects) and the one set of
    // repositories written against it. No driver: the stores below bring theirs.
    .target(name: "BazaarSQL", dependencies: ["BazaarCore", "BazaarJSON"], swiftSettings: strictSettings),

    // The SQLite store: the GRDB driver of the seam, the database file, its migrations.
    .target(
      name: "BazaarStore",
      dependencies: [
        "BazaarCore", "BazaarJSON", "BazaarSQL", .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "GRDBSQLite", package: "GRDB.swift"),
      ],
      swiftSettings: strictSettings
    ),

    // The PostgreSQL store (BAZAAR_DATABASE_URL) and queue: the libpq driver of the seam.
    .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
    .target(
      name: "BazaarPostgres", dependencies: ["BazaarCore", "BazaarJSON", "BazaarSQL", "CLibPQ", "QueuePort"],
      swiftSettings: strictSettings),

    // libvips (Debian's libvips42, in libvips-dev) for photo uploads, loaded with dlopen on the
    // first upload, and the image processor over it. Only `bazaar` holds them: `bazaar-fn`
    // hands uploads over, as it does payments.
    .target(name: "CVips"),
    .target(
      name: "BazaarImages", dependencies: ["BazaarCore", "BazaarCrypto", "CVips"], swiftSettings: strictSettings),

    // The function registry: names, input decoding, auth policies, routes, problem mapping.
    .target(name: "BazaarFunctions", dependencies: ["BazaarCore", "BazaarJSON"], swiftSettings: strictSettings),

    // The queue port: what a queue backend promises (publish, claim under a lease, ack, nack,
    // replay, stats), its policy and error types, and the CloudEvents rules messages follow.
    .target(name: "QueuePort", dependencies: ["BazaarJSON"], swiftSettings: strictSettings),

    // Durable directory queues (Maildir layout, SQS/Sidekiq behaviour); knows nothing of shops.
    .target(name: "Spool", dependencies: ["BazaarJSON", "QueuePort"], swiftSettings: strictSettings),

    // The payment gateway's production adapter: KakaoPay's API over URLSession (libcurl).
    .target(name: "KakaoPay", dependencies: ["BazaarCore", "BazaarJSON"], swiftSettings: strictSettings),

    // A KakaoPay that runs here: the same wire format, its own SQLite file, a checkout page.
    .target(
      name: "KakaoPaySandbox",
      dependencies: ["BazaarJSON", .product(name: "GRDB", package: "GRDB.swift")],
      swiftSettings: strictSettings
    ),

    // The scheduler: the outbox relay, the event consumers, and the core's event queue over the queue port.
    .target(
      name: "BazaarScheduler", dependencies: ["BazaarCore", "BazaarJSON", "QueuePort"], swiftSettings: strictSettings),

    // Transports that drive the registry: the gateway, the shell and CGI runners, process spawning.
    .target(
      name: "BazaarRunners",
      dependencies: ["BazaarFunctions", "BazaarCore", "BazaarJSON", .product(name: "Logging", package: "swift-log")],
      swiftSettings: strictSettings
    ),

    // `bazaar serve`: the gateway over Hummingbird, in-process or one CGI process per request.
    .target(name: "BazaarSite", resources: [.embedInCode("web")], swiftSettings: strictSettings),

    .target(
      name: "BazaarServer",
      dependencies: [
        "BazaarRunners", "BazaarFunctions", "BazaarJSON", "BazaarScheduler", "BazaarSite", "KakaoPaySandbox",
        "CConcurrencyHook",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        .product(name: "Logging", package: "swift-log"),
      ],
      // A link to docs/openapi.yaml: the document the runner serves is the one in docs/.
      resources: [.embedInCode("openapi.yaml")],
      swiftSettings: strictSettings
    ),

    // Configuration and the one wiring function that builds the live services from it.
    .target(
      name: "BazaarLive",
      dependencies: [
        "BazaarCore", "BazaarCrypto", "BazaarStore", "BazaarFunctions", "BazaarRunners", "QueuePort",
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strictSettings
    ),

    // Operator commands behind the CLI: the queue commands, status and their JSON answers.
    .target(
      name: "BazaarOperations",
      dependencies: [
        "BazaarCore", "BazaarFunctions", "BazaarJSON", "BazaarLive", "BazaarRunners", "BazaarScheduler", "Spool",
        "QueuePort",
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strictSettings
    ),

    // The command-line front: argument parsing, then one call into a library.
    .executableTarget(
      name: "bazaar",
      dependencies: [
        "BazaarCore", "BazaarJSON", "BazaarStore", "BazaarFunctions", "BazaarRunners", "BazaarServer", "BazaarLive",
        "BazaarOperations", "BazaarScheduler", "Spool", "QueuePort", "KakaoPay", "KakaoPaySandbox", "BazaarPostgres",
        "BazaarImages",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strictSettings
    ),

    // `bazaar-fn`: one function per process (what `functions/NAME` links start), without the
    // HTTP runner, the spool or argument-parser, so each request starts faster.
    .executableTarget(
      name: "bazaar-fn", dependencies: ["BazaarFunctions", "BazaarLive", "BazaarRunners"], swiftSettings: strictSettings
    ),

    // Benchmarks (`bazaar-bench`), kept out of the shop's binary.
    .executableTarget(
      name: "BazaarBench",
      dependencies: [
        "BazaarCore", "BazaarStore", "BazaarFunctions", "BazaarRunners", "BazaarLive", "BazaarJSON", "Spool",
        "QueuePort",
        "BazaarPostgres", .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Benchmarks/BazaarBench",
      swiftSettings: strictSettings
    ),

    // Tests' helpers (never linked into the shop): the real SQLite store in a temporary file with
    // faults injected at the SQL seam, a fixed clock, readable ids, a scripted payment gateway.
    .target(
      name: "BazaarTesting",
      dependencies: [
        "BazaarCore", "BazaarJSON", "BazaarSQL", "BazaarStore", .product(name: "GRDB", package: "GRDB.swift"),
      ],
      path: "Tests/BazaarTesting",
      swiftSettings: strictSettings),

    .testTarget(name: "BazaarCoreTests", dependencies: ["BazaarCore", "BazaarTesting"], swiftSettings: strictSettings),
    .testTarget(name: "SpoolTests", dependencies: ["Spool", "QueuePort"], swiftSettings: strictSettings),
    .testTarget(name: "BazaarSiteTests", dependencies: ["BazaarSite"], swiftSettings: strictSettings),
    .testTarget(
      name: "BazaarRunnersTests",
      dependencies: ["BazaarRunners", "BazaarFunctions", .product(name: "Logging", package: "swift-log")],
      swiftSettings: strictSettings
    ),
    .testTarget(name: "BazaarJSONTests", dependencies: ["BazaarJSON"], swiftSettings: strictSettings),
    .testTarget(
      name: "BazaarSchedulerTests",
      dependencies: ["BazaarScheduler", "BazaarCore", "BazaarJSON", "BazaarTesting", "Spool", "QueuePort"],
      swiftSettings: strictSettings),
    .testTarget(
      name: "KakaoPayTests", dependencies: ["KakaoPay", "BazaarCore", "BazaarJSON"], swiftSettings: strictSettings),
    .testTarget(
      name: "BazaarCryptoTests",
      dependencies: ["BazaarCrypto", "BazaarCore"],
      swiftSettings: strictSettings
    ),
    .testTarget(
      name: "BazaarStoreTests",
      dependencies: [
        "BazaarStore", "BazaarPostgres", "BazaarCore", "BazaarCrypto", "BazaarTesting", "Spool", "QueuePort",
        .product(name: "GRDB", package: "GRDB.swift"),
      ],
      swiftSettings: strictSettings
    ),
    .testTarget(
      name: "BazaarFunctionsTests",
      dependencies: [
        "BazaarFunctions", "BazaarCore", "BazaarJSON", "BazaarStore", "BazaarCrypto", "BazaarLive", "BazaarTesting",
      ],
      swiftSettings: strictSettings
    ),
  ]
)
