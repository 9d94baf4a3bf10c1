internal import ArgumentParser
internal import BazaarFunctions
internal import BazaarJSON
internal import BazaarLive
internal import BazaarOperations
internal import BazaarRunners
internal import BazaarScheduler
internal import BazaarServer
internal import BazaarStore
internal import Foundation
internal import KakaoPaySandbox
internal import Logging
internal import NIOCore

#if canImport(Glibc)
  internal import Glibc
#endif

/// What `bazaar serve` and `bazaar up` share: where to listen and how to run functions.
struct ServerOptions: ParsableArguments {
  @Option(help: "The address to listen on.")
  var host = "127.0.0.1"

  @Option(help: "The port to listen on (0 picks a free one; the log line \"listening\" names it).")
  var port = 8080

  @Option(help: "inprocess: run handlers in this process. process: one CGI process per request.")
  var isolation: Isolation = .inprocess

  @Option(help: "process isolation: seconds a function may run before it is stopped (504).")
  var timeout: Double = 10

  @Option(help: "process isolation: function processes at once; more requests get 429.")
  var maxConcurrent = 16

  @Option(help: "Seconds a connection may take to send a request's head (then it is closed).")
  var headerTimeout: Int64 = 10

  @Option(help: "Seconds a request may take to send its body after the head (then 408).")
  var bodyTimeout: Int64 = 30

  @Option(help: "Connections held at once; one more is answered 503 too_many_connections.")
  var maxConnections = 1024

  @Flag(
    inversion: .prefixedNo,
    help: """
      Serve the browser pages: the storefront at /, the seller console at /seller, the operator \
      page at /operator. Payment callbacks then send browsers back to the storefront unless \
      BAZAAR_PAYMENT_RETURN_URL says otherwise.
      """)
  var storefront = true

  func validate() throws {
    guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
    guard timeout > 0 && timeout <= 600 else { throw ValidationError("--timeout must be over 0 and at most 600") }
    guard (1...1024).contains(maxConcurrent) else { throw ValidationError("--max-concurrent must be 1 to 1024") }
    guard (1...3600).contains(headerTimeout) else { throw ValidationError("--header-timeout must be 1 to 3600") }
    guard (1...3600).contains(bodyTimeout) else { throw ValidationError("--body-timeout must be 1 to 3600") }
    guard (1...100_000).contains(maxConnections) else { throw ValidationError("--max-connections must be 1 to 100000") }
  }
}

extension Isolation: ExpressibleByArgument {}

/// `bazaar serve`: the route table over HTTP.
struct Serve: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Serve the route table over HTTP (Hummingbird) until SIGTERM or SIGINT.",
    discussion: """
      Every response carries X-Request-Id; one JSON access-log line per request goes to \
      stderr. GET /healthz answers {"status":"ok"}; GET /openapi.yaml serves the API's \
      OpenAPI 3.1 document. Bodies over BAZAAR_MAX_INPUT_BYTES get 413. With \
      --isolation process, each request runs in a new `bazaar` process started as a CGI \
      program, as a web server would run it.
      """)

  @OptionGroup var options: ServerOptions

  func run() async throws {
    try await Runner.run(options)
  }
}

/// `bazaar up`: the whole shop in one process, for a developer's machine.
struct Up: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Run the shop in one process: the HTTP runner, the scheduler and, without KAKAOPAY_SECRET_KEY, the KakaoPay sandbox.",
    discussion: """
      The scheduler runs in the same process (as `bazaar scheduler` would): paid orders become \
      shipments, dispatched through the built-in carrier; unpaid orders expire. \
      Without KAKAOPAY_SECRET_KEY, payments go to the built-in KakaoPay sandbox served at       /sandbox/kakaopay (no money moves; `pay` answers say "sandbox": true), through the       production KakaoPay adapter. Its payments live in var/kakaopay-sandbox.sqlite.
      """)

  @OptionGroup var options: ServerOptions

  func run() async throws {
    try await Runner.run(options, withSandbox: true)
  }
}

/// `bazaar sandbox kakaopay`: the KakaoPay sandbox alone.
struct SandboxCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sandbox", abstract: "Run a fake of an outside service.", subcommands: [KakaoPayCommand.self])

  struct KakaoPayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "kakaopay",
      abstract: "Serve a KakaoPay sandbox: the online payment API's wire format and a checkout page.",
      discussion: """
        POST /online/v1/payment/ready|approve|cancel|order as KakaoPay answers them, and the         buyer's checkout page at /checkout/{tid} (Approve, Cancel, Fail; ?auto=approve for         scripts). Point KAKAOPAY_BASE_URL at it.
        """)

    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on (0 picks a free one; the log line \"listening\" names it).") var port = 8090
    @Option(help: "Its SQLite file (default: $BAZAAR_HOME/var/kakaopay-sandbox.sqlite).") var database: String?
    @Option(help: "The only secret key accepted (default: KAKAOPAY_SECRET_KEY, else any key).") var secretKey: String?
    @Option(help: "Seconds a payment can be approved after ready (then -723).") var readyTtl = 900
    @Option(help: "Where browsers reach it (default: http://HOST:PORT).") var publicUrl: String?
    @Flag(help: "Serve PUT /_control/delays {\"approve\": seconds, …} (for tests).") var control = false

    func validate() throws {
      guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
      guard (1...86_400).contains(readyTtl) else { throw ValidationError("--ready-ttl must be 1 to 86400") }
    }

    func run() async throws {
      let configuration = try Configuration()
      try configuration.prepareStateDirectory()
      let port = try self.port == 0 ? Runner.freePort(host) : self.port
      let publicURL = publicUrl ?? "http://\(Runner.urlHost(host)):\(port)"
      let sandbox = try KakaoPaySandbox(
        databasePath: database ?? configuration.stateDirectory + "/kakaopay-sandbox.sqlite",
        settings: .init(
          publicURL: publicURL, secretKey: secretKey ?? configuration.kakaoPaySecretKey, readyLifetime: readyTtl,
          control: control))
      defer { try? sandbox.close() }
      let logger = Logs.logger(label: "bazaar.sandbox")
      let host = host
      try await SandboxServer.run(
        sandbox, host: host, port: port, logger: logger,
        onListening: { port in
          logger.info(
            "listening",
            metadata: ["url": "http://\(Runner.urlHost(host)):\(port)/", "port": .stringConvertible(port)])
        })
    }
  }
}

/// Opens the live services and serves them until a stop signal.
enum Runner {
  /// Serves the shop; `withSandbox` (for `bazaar up`) mounts the KakaoPay sandbox and points
  /// payments at it when no `KAKAOPAY_SECRET_KEY` is set.
  static func run(_ options: ServerOptions, withSandbox: Bool = false) async throws {
    try await refusingInWords(as: "bazaar") { try await serve(options, withSandbox: withSandbox) }
  }

  /// Runs `body`; a setting or a store that cannot be opened is said in words on stderr
  /// (`NAME: cannot start: …`) and ends the process with the problem's exit code.
  static func refusingInWords(as name: String, _ body: () async throws -> Void) async throws {
    do {
      try await body()
    } catch let refusal as any ProblemConvertible {
      let problem = refusal.problem
      writeLine("\(name): cannot start: \(problem.detail) (\(problem.code))", to: 2)
      throw ExitCode(problem.exitCode)
    }
  }

  private static func serve(_ options: ServerOptions, withSandbox: Bool) async throws {
    var configuration = try Configuration()
    try configuration.prepareStateDirectory()
    var port = options.port
    var mount: SandboxMount?
    var sandbox: LiveServices.Sandbox?
    var extraEnvironment: [String: String] = [:]
    if withSandbox && configuration.kakaoPaySecretKey == nil {
      // The sandbox's URLs name the port, so a free one is chosen before listening.
      if port == 0 { port = try freePort(options.host) }
      let local = "http://\(urlHost(options.host)):\(port)"
      let publicURL = configuration.publicURL ?? local
      let key = "DEVSANDBOX" + randomHex(24)
      let fake = try KakaoPaySandbox(
        databasePath: configuration.stateDirectory + "/kakaopay-sandbox.sqlite",
        settings: .init(
          publicURL: publicURL + "/sandbox/kakaopay", secretKey: key,
          readyLifetime: Int(configuration.kakaoPayReadyLifetime)))
      mount = SandboxMount(prefix: "/sandbox/kakaopay", sandbox: fake)
      sandbox = LiveServices.Sandbox(baseURL: local + "/sandbox/kakaopay", secretKey: key, publicURL: publicURL)
      extraEnvironment = [
        "KAKAOPAY_SECRET_KEY": key, "KAKAOPAY_BASE_URL": local + "/sandbox/kakaopay", "BAZAAR_PUBLIC_URL": publicURL,
        "BAZAAR_KAKAOPAY_SANDBOX": "1",
      ]
      let warning =
        "KAKAOPAY_SECRET_KEY is not set: payments go to the built-in KakaoPay SANDBOX at \(publicURL)/sandbox/kakaopay"
        + " (no money moves; set KAKAOPAY_SECRET_KEY and BAZAAR_PUBLIC_URL to take real payments)"
      Logs.logger(label: "bazaar.up").warning("\(warning)")
      writeLine("bazaar up: \(warning)", to: 2)
    }
    if options.storefront && configuration.paymentReturnURL == nil {
      // Back from KakaoPay, a buyer lands on the storefront's order page (/?orderId=…).
      if port == 0 { port = try freePort(options.host) }
      let home = (configuration.publicURL ?? "http://\(urlHost(options.host)):\(port)") + "/"
      configuration.paymentReturnURL = home
      extraEnvironment["BAZAAR_PAYMENT_RETURN_URL"] = home
    }
    if withSandbox && options.storefront && port != 0 {
      let site = configuration.publicURL ?? "http://\(urlHost(options.host)):\(port)"
      writeLine(
        "bazaar up: the storefront is at \(site)/ (sellers: \(site)/seller; the operator page \(site)/operator "
          + "takes a token from `bazaar operator token`)", to: 2)
    }
    // Opening the services migrates the database and creates the JWT secret once, before any
    // request (or function process) needs them.
    let live = try LiveServices.wire(
      configuration, connections: .pool, sandbox: sandbox, adapters: adapters)
    defer { live.close() }
    var settings = ShopServer.Settings(
      host: options.host, port: port, isolation: options.isolation,
      timeout: .milliseconds(Int64(options.timeout * 1000)), maxConcurrent: options.maxConcurrent,
      maxInputBytes: configuration.maxInputBytes,
      executable: try functionExecutable(),
      childEnvironment: childEnvironment(adding: extraEnvironment), sandbox: mount,
      scheduler: withSandbox
        ? try ShopScheduler.loop(
          live, configuration: configuration, spoolRoot: nil, leaseMilliseconds: 30_000, sweepMilliseconds: 5_000)
        : nil,
      site: options.storefront, operatorStatus: options.storefront ? try operatorStatus(live, configuration) : nil)
    settings.readiness = { live.readinessProblems() }
    settings.adopt(configuration)
    settings.limits = ConnectionLimits(
      headTimeout: options.headerTimeout, bodyTimeout: options.bodyTimeout, maxConnections: options.maxConnections)
    do {
      try await ShopServer.run(
        live.services, settings: settings, logger: Logs.logger(label: "bazaar.serve"),
        accessLog: Logs.logger(label: "bazaar.access"), requestID: { RequestID.from($0) })
    } catch let error as IOError where error.errnoCode == EADDRINUSE || error.errnoCode == EACCES {
      let why =
        error.errnoCode == EADDRINUSE ? "the port is already in use (is another server running?)" : "permission denied"
      writeLine("bazaar: cannot listen on \(options.host):\(options.port): \(why)", to: 2)
      throw ExitCode(69)  // EX_UNAVAILABLE
    }
  }

  /// The operator page's report: `bazaar status --json` plus up to 20 dead letters per queue.
  /// The queues are opened once: on PostgreSQL, opening them makes a connection pool.
  private static func operatorStatus(
    _ live: LiveServices, _ configuration: Configuration
  ) throws -> @Sendable () throws -> JSONValue {
    let store = live.store
    let queues = try adapters.shopQueues(Configuration(), spoolRoot: nil)
    return {
      guard
        case .object(var status) = try ShopOperations.status(
          store: store, queues: queues, lastPass: ShopScheduler.log(configuration).last(), clock: SystemClock())
      else { return .null }
      status["deadLetters"] = try ShopOperations.deadLetters(queues: queues, limit: 20)
      return .object(status)
    }
  }

  /// What process isolation starts per request: `bazaar-fn` beside this binary (one function
  /// per process, quicker to start), else this binary itself.
  private static func functionExecutable() throws -> String {
    if let slim = FunctionProcess.sibling(named: "bazaar-fn") { return slim }
    return try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
  }

  /// This process's environment for the function processes, quieter: they log warnings and
  /// errors only, as the runner writes the access-log line.
  private static func childEnvironment(adding extra: [String: String]) -> [String] {
    var environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
    if environment["BAZAAR_LOG_LEVEL"] == nil { environment["BAZAAR_LOG_LEVEL"] = "warning" }
    return environment.map { "\($0.key)=\($0.value)" }
  }

  /// A port free on `host` right now (the kernel's pick for port 0).
  static func freePort(_ host: String) throws -> Int {
    let address = try SocketAddress.makeAddressResolvingHost(host, port: 0)
    let fd = socket(Int32(address.protocol.rawValue), Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ExitCode(71) }
    defer { close(fd) }
    let ok = address.withSockAddr { bind(fd, $0, socklen_t($1)) }
    guard ok == 0 else { throw ExitCode(71) }
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    _ = withUnsafeMutablePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    // sockaddr_in and sockaddr_in6 both keep the port, big-endian, at offset 2.
    return withUnsafeBytes(of: &storage) { Int(UInt16(bigEndian: $0.load(fromByteOffset: 2, as: UInt16.self))) }
  }

  /// `host` as the host part of a URL a local client can reach: the wildcard addresses become
  /// loopback, IPv6 literals get brackets.
  static func urlHost(_ host: String) -> String {
    switch host {
    case "0.0.0.0", "": "127.0.0.1"
    case "::": "[::1]"
    default: host.contains(":") ? "[\(host)]" : host
    }
  }

  private static func randomHex(_ count: Int) -> String {
    var generator = SystemRandomNumberGenerator()
    return String((0..<count).map { _ in Array("0123456789abcdef")[Int.random(in: 0..<16, using: &generator)] })
  }
}

extension ShopServer.Settings {
  /// The settings every in-process runner (`serve`, `up`, `fcgi`) takes from the environment.
  mutating func adopt(_ configuration: Configuration) {
    trustedProxies = configuration.trustedProxies
    hashingThreads = configuration.hashingThreads
    hashingQueue = configuration.hashingQueue
  }
}
