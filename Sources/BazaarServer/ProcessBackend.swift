internal import BazaarFunctions
internal import BazaarJSON
package import BazaarRunners
package import Logging
package import NIOPosix

/// Runs each request in a new process, the way a small serverless platform does: the runner
/// routes (404 and 405 need no process), then starts the function's program as a CGI script,
/// `argv[0]` naming the function, with the request in meta-variables and the body on stdin.
/// A program that outlives `timeout` is killed (504); past `limit` concurrent programs the
/// runner answers 429 at once. A program that dies or writes no CGI document is a 502.
package struct ProcessBackend: RequestBackend {
  package struct Settings: Sendable {
    /// The `bazaar` binary; it serves one function when its `argv[0]` names one.
    package var executable: String
    /// The programs' environment (settings such as `BAZAAR_HOME`), without request variables.
    package var environment: [String]
    package var timeout: Duration
    package var serverName: String
    package var serverPort: Int

    package init(executable: String, environment: [String], timeout: Duration, serverName: String, serverPort: Int) {
      self.executable = executable
      self.environment = environment.filter { entry in
        !CGIDocument.isRequestVariable(String(entry.prefix { $0 != "=" }))
      }
      self.timeout = timeout
      self.serverName = serverName
      self.serverPort = serverPort
    }
  }

  private let gateway: Gateway
  private let settings: Settings
  private let limit: ConcurrencyLimit
  private let threads: NIOThreadPool
  private let logger: Logger

  /// `threads` must have at least `limit.limit` threads: each running program holds one.
  package init(gateway: Gateway, settings: Settings, limit: ConcurrencyLimit, threads: NIOThreadPool, logger: Logger) {
    self.gateway = gateway
    self.settings = settings
    self.limit = limit
    self.threads = threads
    self.logger = logger
  }

  package func respond(to request: GatewayRequest, remoteAddress: String?) async -> GatewayResponse {
    guard case .function(let function, _) = gateway.routes.match(method: request.method, path: request.path) else {
      // Not found or method not allowed: the same answer the program would give, with no program.
      return gateway.handle(request, services: { throw NoServices() }, reportInternal: { _ in })
    }
    guard limit.acquire() else {
      return gateway.failure(
        Problem.tooManyRequests(limit: limit.limit),
        for: request, extraHeaders: [("Retry-After", "1")])
    }
    defer { limit.release() }
    let environment =
      settings.environment
      + CGIDocument.metaVariables(
        for: request, serverName: settings.serverName, serverPort: settings.serverPort,
        remoteAddress: request.client ?? remoteAddress
      ).map { "\($0.name)=\($0.value)" }
    let (executable, timeout) = (settings.executable, settings.timeout)
    let outcome: Result<Subprocess.Outcome, any Error>
    do {
      outcome = try await threads.runIfActive {
        Result {
          try Subprocess.run(
            executable, [], argv0: function.name, environment: environment, input: request.body, timeout: timeout,
            errorOutput: .inherit)
        }
      }
    } catch {
      return gateway.failure(Problem.shuttingDown, for: request)
    }
    switch outcome {
    case .success(let run) where run.timedOut:
      logger.warning(
        "function timed out",
        metadata: ["requestId": "\(request.requestID)", "function": "\(function.name)", "timeout": "\(timeout)"])
      return gateway.failure(
        Problem.functionTimeout(function.name, after: timeout),
        for: request)
    case .success(let run):
      if run.status == 0, var response = CGIDocument.parse(run.output) {
        response.function = function.name
        response.problemCode = response.status >= 400 ? Self.problemCode(response.body) : nil
        return response
      }
      logger.error(
        "function process failed",
        metadata: ["requestId": "\(request.requestID)", "function": "\(function.name)", "exitStatus": "\(run.status)"])
    case .failure(let error):
      logger.error(
        "function process failed to start",
        metadata: ["requestId": "\(request.requestID)", "function": "\(function.name)", "error": "\(error)"])
    }
    return gateway.failure(
      Problem.functionFailed(function.name),
      for: request)
  }

  /// The `code` of a problem body, for the access log.
  private static func problemCode(_ body: [UInt8]) -> String? {
    guard case .object(let fields)? = try? JSONValue.parse(body), case .string(let code)? = fields["code"] else {
      return nil
    }
    return code
  }
}

/// Routing a request that has no function never needs services.
private struct NoServices: Error {}
