package import BazaarFunctions
package import BazaarJSON
internal import BazaarRunners
package import BazaarScheduler
internal import CConcurrencyHook
package import Logging
internal import NIOCore
internal import NIOPosix

/// `bazaar serve` and `bazaar up`: the gateway, a backend and the responder over Hummingbird,
/// until SIGTERM or SIGINT.
package enum ShopServer {
  /// Makes NIO's event loops Swift concurrency's global executor, for a process that serves
  /// requests (call first thing on the main thread). A request's task then runs on the thread
  /// that reads and writes its socket, instead of being handed to libdispatch's workers and back:
  /// two thread wake-ups per request saved. Everything that blocks (SQLite writes, scrypt, the
  /// payment gateway, the scheduler) already runs on thread pools of its own; reads that run on
  /// the task (`readsOnly`) take microseconds.
  ///
  /// This is swift-nio's `unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor`,
  /// which looks the hook up with `dlsym`; a binary with a static standard library keeps it hidden,
  /// so here the hook's address comes from a C shim linked against it. False when another hook
  /// is already installed.
  @discardableResult
  package static func runTasksOnEventLoops() -> Bool {
    typealias EnqueueGlobal = @convention(thin) (UnownedJob, @convention(thin) (UnownedJob) -> Void) -> Void
    let hook: EnqueueGlobal = { job, _ in
      // `any()` is the calling event loop when there is one: a task woken by its socket stays there.
      MultiThreadedEventLoopGroup.singleton.any().executor.enqueue(job)
    }
    let slot = bazaar_swift_task_enqueue_global_hook()
    guard slot.pointee == nil else { return false }
    slot.pointee = unsafeBitCast(hook, to: UnsafeMutableRawPointer.self)
    return true
  }

  /// Where to listen and how to run functions.
  package struct Settings: Sendable {
    package var host: String
    package var port: Int
    package var isolation: Isolation
    /// Process isolation: how long a function process may run.
    package var timeout: Duration
    /// Process isolation: function processes at once.
    package var maxConcurrent: Int
    package var maxInputBytes: Int
    /// Process isolation: the binary to start per request and its environment.
    package var executable: String
    package var childEnvironment: [String]
    /// The KakaoPay sandbox to serve beside the shop (`bazaar up`), if any.
    package var sandbox: SandboxMount?
    /// In-process isolation: threads for handlers that wait on the payment gateway.
    package var networkThreads: Int
    /// The scheduler to run in the same process (`bazaar up`), if any.
    package var scheduler: SchedulerLoop?
    /// Whether to serve the browser pages (storefront, seller console, operator page).
    package var site: Bool
    /// Deadlines for slow clients and the connection cap.
    package var limits = ConnectionLimits()
    /// What keeps the store from serving (`GET /readyz`); empty when ready.
    package var readiness: (@Sendable () -> [String])?
    /// Proxies whose `X-Forwarded-For` names the client.
    package var trustedProxies: Set<String> = []
    /// In-process isolation: threads that hash passwords, and how many sign-ins may wait for them.
    package var hashingThreads = 1
    package var hashingQueue = 64
    /// The operator page's report (`GET /operator/status`), if served.
    package var operatorStatus: (@Sendable () throws -> JSONValue)?

    package init(
      host: String, port: Int, isolation: Isolation, timeout: Duration, maxConcurrent: Int, maxInputBytes: Int,
      executable: String, childEnvironment: [String], sandbox: SandboxMount? = nil, networkThreads: Int = 32,
      scheduler: SchedulerLoop? = nil, site: Bool = false, operatorStatus: (@Sendable () throws -> JSONValue)? = nil
    ) {
      self.scheduler = scheduler
      self.site = site
      self.operatorStatus = operatorStatus
      self.sandbox = sandbox
      self.networkThreads = networkThreads
      self.host = host
      self.port = port
      self.isolation = isolation
      self.timeout = timeout
      self.maxConcurrent = maxConcurrent
      self.maxInputBytes = maxInputBytes
      self.executable = executable
      self.childEnvironment = childEnvironment
    }
  }

  /// Serves `services` until a stop signal; requests in flight finish first. `requestID` turns
  /// a caller's `X-Request-Id` (or nil) into the id to use.
  package static func run(
    _ services: Services, settings: Settings, logger: Logger, accessLog: Logger,
    requestID: @escaping @Sendable (String?) -> String
  ) async throws {
    let gateway = Gateway(invoker: FunctionInvoker(maxInputBytes: settings.maxInputBytes))
    let backend: any RequestBackend
    var processThreads: NIOThreadPool?
    var hashingThreads: NIOThreadPool?
    switch settings.isolation {
    case .inprocess:
      let inProcess = inProcessBackend(gateway, services, settings, logger: logger)
      (backend, processThreads, hashingThreads) = (inProcess.backend, inProcess.network, inProcess.hashing)
    case .process:
      let threads = NIOThreadPool(numberOfThreads: settings.maxConcurrent)
      threads.start()
      processThreads = threads
      backend = ProcessBackend(
        gateway: gateway,
        settings: .init(
          executable: settings.executable, environment: settings.childEnvironment, timeout: settings.timeout,
          serverName: settings.host, serverPort: settings.port),
        limit: ConcurrencyLimit(limit: settings.maxConcurrent), threads: threads, logger: logger)
    }
    let responder = GatewayResponder(
      gateway: gateway, backend: backend,
      openAPIDocument: OpenAPIDocument.bytes, isolation: settings.isolation, accessLog: accessLog,
      requestID: requestID, sandbox: settings.sandbox, site: settings.site,
      operatorEndpoint: settings.operatorStatus.map {
        OperatorEndpoint(authenticator: services.authenticator, logger: logger, report: $0)
      }, readiness: settings.readiness, trustedProxies: settings.trustedProxies)
    let (host, isolation) = (settings.host, settings.isolation)
    try await HTTPServer.run(
      responder, host: settings.host, port: settings.port, limits: settings.limits, logger: logger,
      requestID: { requestID(nil) },
      onListening: { port in
        logger.info(
          "listening",
          metadata: [
            "url": "http://\(host):\(port)/", "port": .stringConvertible(port), "isolation": "\(isolation.rawValue)",
          ])
      },
      alongside: settings.scheduler.map { [SchedulerService(loop: $0, logger: logger)] } ?? [])
    try await processThreads?.shutdownGracefully()
    try await hashingThreads?.shutdownGracefully()
    logger.info("stopped")
  }

  /// `bazaar fcgi`: the same gateway and in-process backend as `serve`, behind a FastCGI
  /// listener, until a stop signal.
  package static func runFastCGI(
    _ services: Services, settings: Settings, listener: FastCGIServer.Listener, logger: Logger, accessLog: Logger,
    requestID: @escaping @Sendable (String?) -> String
  ) async throws {
    let gateway = Gateway(invoker: FunctionInvoker(maxInputBytes: settings.maxInputBytes))
    let inProcess = inProcessBackend(gateway, services, settings, logger: logger)
    try await FastCGIServer.run(
      gateway: gateway, backend: inProcess.backend, listener: listener, trustedProxies: settings.trustedProxies,
      accessLog: accessLog, logger: logger, requestID: requestID,
      onListening: { address in logger.info("listening", metadata: ["fastcgi": "\(address)"]) })
    try await inProcess.network.shutdownGracefully()
    try await inProcess.hashing.shutdownGracefully()
    logger.info("stopped")
  }

  /// The in-process backend and the pools it owns (started): handlers on NIO's shared pool,
  /// payment calls and password hashing on pools of their own.
  private static func inProcessBackend(
    _ gateway: Gateway, _ services: Services, _ settings: Settings, logger: Logger
  ) -> (backend: InProcessBackend, network: NIOThreadPool, hashing: NIOThreadPool) {
    let network = NIOThreadPool(numberOfThreads: settings.networkThreads)
    network.start()
    let hashing = NIOThreadPool(numberOfThreads: settings.hashingThreads)
    hashing.start()
    let backend = InProcessBackend(
      gateway: gateway, services: services, threads: .singleton, networkThreads: network, hashingThreads: hashing,
      hashingQueue: ConcurrencyLimit(limit: settings.hashingQueue), logger: logger)
    return (backend, network, hashing)
  }
}
