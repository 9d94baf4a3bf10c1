internal import ArgumentParser
internal import BazaarLive
internal import BazaarRunners
internal import BazaarServer
internal import BazaarStore
internal import Foundation
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

  func validate() throws {
    guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
    guard timeout > 0 && timeout <= 600 else { throw ValidationError("--timeout must be over 0 and at most 600") }
    guard (1...1024).contains(maxConcurrent) else { throw ValidationError("--max-concurrent must be 1 to 1024") }
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
    abstract: "Run the shop in one process: the HTTP runner (the scheduler and payment sandbox join later).")

  @OptionGroup var options: ServerOptions

  func run() async throws {
    try await Runner.run(options)
  }
}

/// Opens the live services and serves them until a stop signal.
enum Runner {
  static func run(_ options: ServerOptions) async throws {
    let configuration = try Configuration()
    // Opening the services migrates the database and creates the JWT secret once, before any
    // request (or function process) needs them.
    let live = try LiveServices.wire(configuration, connections: .pool)
    defer { try? live.database.close() }
    let settings = ShopServer.Settings(
      host: options.host, port: options.port, isolation: options.isolation,
      timeout: .milliseconds(Int64(options.timeout * 1000)), maxConcurrent: options.maxConcurrent,
      maxInputBytes: configuration.maxInputBytes,
      executable: try functionExecutable(),
      childEnvironment: childEnvironment())
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

  /// What process isolation starts per request: `bazaar-fn` beside this binary (one function
  /// per process, quicker to start), else this binary itself.
  private static func functionExecutable() throws -> String {
    let own = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    let slim = URL(fileURLWithPath: own).deletingLastPathComponent().appendingPathComponent("bazaar-fn").path
    return FileManager.default.isExecutableFile(atPath: slim) ? slim : own
  }

  /// This process's environment for the function processes, quieter: they log warnings and
  /// errors only, as the runner writes the access-log line.
  private static func childEnvironment() -> [String] {
    var environment = ProcessInfo.processInfo.environment
    if environment["BAZAAR_LOG_LEVEL"] == nil { environment["BAZAAR_LOG_LEVEL"] = "warning" }
    return environment.map { "\($0.key)=\($0.value)" }
  }
}
