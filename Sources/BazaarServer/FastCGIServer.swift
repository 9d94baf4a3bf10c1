internal import BazaarFunctions
package import BazaarRunners
package import Logging
internal import NIOCore
internal import NIOPosix
internal import ServiceLifecycle
internal import Synchronization

#if canImport(Glibc)
  internal import Glibc
#endif

/// `bazaar fcgi`: the route table as a long-running FastCGI responder, so a web server reaches
/// the shop without a process per request. Requests run through the same backend as
/// `bazaar serve` (in-process, its thread pools), answers are CGI documents on `FCGI_STDOUT`.
package enum FastCGIServer {
  /// Where the responder listens.
  package enum Listener: Sendable, CustomStringConvertible {
    /// A Unix socket at `path`, created with permissions `mode` (a stale socket file is replaced).
    case unix(path: String, mode: UInt32)
    /// TCP on `host`:`port`.
    case tcp(host: String, port: Int)
    /// A listening socket handed over by whoever started the process: systemd
    /// (`LISTEN_FDS`, descriptor 3) or a web server spawning its FastCGI application (descriptor 0).
    case inherited(descriptor: Int32)

    package var description: String {
      switch self {
      case .unix(let path, _): "unix:\(path)"
      case .tcp(let host, let port): "\(host):\(port)"
      case .inherited(let descriptor): "inherited socket (descriptor \(descriptor))"
      }
    }

    /// The socket this process was started with, if any: systemd's `LISTEN_FDS` for this
    /// process (descriptor 3), else a listening socket on descriptor 0 (FastCGI's
    /// `FCGI_LISTENSOCK_FILENO`, how lighttpd and spawn-fcgi start an application).
    package static func inherited() -> Listener? {
      if let pid = getenv("LISTEN_PID").flatMap({ Int32(String(cString: $0)) }), pid == getpid(),
        let count = getenv("LISTEN_FDS").flatMap({ Int(String(cString: $0)) }), count >= 1
      {
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        return .inherited(descriptor: 3)
      }
      var accepting: Int32 = 0
      var length = socklen_t(MemoryLayout<Int32>.size)
      if getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0, accepting == 1 {
        return .inherited(descriptor: 0)
      }
      return nil
    }
  }

  /// A file that is not a socket is where the Unix socket should go: it is left alone.
  package struct PathNotASocket: Error {}

  /// Serves until SIGTERM or SIGINT; then stops accepting, lets requests in flight finish
  /// (up to 30 s) and returns.
  package static func run(
    gateway: Gateway, backend: any RequestBackend, listener: Listener, trustedProxies: Set<String>,
    accessLog: Logger, logger: Logger, requestID: @escaping @Sendable (String?) -> String,
    onListening: @escaping @Sendable (String) -> Void
  ) async throws {
    let service = FastCGIService(
      exchange: Exchange(
        gateway: gateway, backend: backend, trustedProxies: trustedProxies, accessLog: accessLog,
        requestID: requestID),
      listener: listener, logger: logger, onListening: onListening)
    try await ServiceRunner.run([service], logger: logger)
  }
}

/// One request's way from FastCGI parameters to a CGI document: the same request the CGI
/// runner builds, the backend's answer, one access-log line.
struct Exchange: Sendable {
  let gateway: Gateway
  let backend: any RequestBackend
  let trustedProxies: Set<String>
  let accessLog: Logger
  let requestID: @Sendable (String?) -> String

  func answer(_ request: FastCGI.Request) async -> [UInt8] {
    let started = ContinuousClock.now
    let parameters = request.parameters
    var incoming = CGIRunner.request(
      variable: { parameters[$0] }, trustedProxies: trustedProxies,
      requestID: requestID(parameters["HTTP_X_REQUEST_ID"]))
    let response: GatewayResponse
    let runner = CGIRunner(gateway: gateway)
    let limit = runner.bodyLimit(incoming, only: nil)
    switch runner.declaredLength(parameters["CONTENT_LENGTH"], limit: limit) {
    case _ where request.bodyTooLarge:
      response = gateway.failure(.payloadTooLarge(limit: limit), for: incoming)
    case .failure(let problem):
      response = gateway.failure(problem, for: incoming)
    case .success(let length) where length > request.body.count:
      response = gateway.failure(Problem.bodyEndedEarly, for: incoming)
    case .success(let length):
      // As a CGI program reads it: exactly CONTENT_LENGTH bytes (none when it is absent).
      incoming.body = Array(request.body.prefix(length))
      response = await backend.respond(to: incoming, remoteAddress: parameters["REMOTE_ADDR"])
    }
    if accessLog.logLevel <= .info {
      var fields = incoming.accessLogFields(response, since: started)
      fields["transport"] = "fastcgi"
      accessLog.info("request", metadata: fields)
    }
    return FastCGI.response(CGIDocument.render(response, includeBody: incoming.method != "HEAD"), requestID: request.id)
  }
}

/// The listening socket as a service of the process's service group.
private struct FastCGIService: Service {
  let exchange: Exchange
  let listener: FastCGIServer.Listener
  let logger: Logger
  let onListening: @Sendable (String) -> Void

  func run() async throws {
    let inFlight = InFlight()
    let (exchange, logger) = (exchange, logger)
    // The connection holds at most the largest body any route takes; each request's own
    // limit is checked against its CONTENT_LENGTH (`answer`).
    let maxBody =
      exchange.gateway.routes.functions.map { exchange.gateway.invoker.inputLimit(of: $0) }.max()
      ?? exchange.gateway.invoker.maxInputBytes
    let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.backlog, value: 256)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(
            FastCGIHandler(exchange: exchange, inFlight: inFlight, maxBodyBytes: maxBody, logger: logger))
        }
      }
    let server: any Channel
    switch listener {
    case .unix(let path, let mode):
      server = try await Self.bindReplacing(path, mode: mode, with: bootstrap)
    case .tcp(let host, let port):
      server = try await bootstrap.bind(host: host, port: port).get()
    case .inherited(let descriptor):
      server = try await bootstrap.withBoundSocket(descriptor).get()
    }
    if case .tcp(let host, _) = listener, let port = server.localAddress?.port {
      onListening("\(host):\(port)")
    } else {
      onListening(listener.description)
    }
    try? await gracefulShutdown()
    try? await server.close()
    // Requests already running finish and are answered before the process ends.
    let deadline = ContinuousClock.now + .seconds(30)
    while inFlight.count > 0 && ContinuousClock.now < deadline {
      try? await Task.sleep(for: .milliseconds(20))
    }
  }
}

extension FastCGIService {
  /// Binds a socket beside `path`, gives it `mode` and renames it over `path`, so a web server
  /// connecting meanwhile finds the old socket or the new one, never no socket or one with the
  /// wrong permissions. A file in the way that is not a socket is refused and left alone.
  fileprivate static func bindReplacing(
    _ path: String, mode: UInt32, with bootstrap: ServerBootstrap
  ) async throws -> any Channel {
    if !SocketPath.isFreeOrASocket(path) { throw FastCGIServer.PathNotASocket() }
    let fresh = "\(path).\(getpid()).new"
    unlink(fresh)
    let server = try await bootstrap.bind(unixDomainSocketPath: fresh).get()
    if chmod(fresh, mode_t(mode)) != 0 || rename(fresh, path) != 0 {
      let code = errno
      unlink(fresh)
      try? await server.close()
      throw IOError(errnoCode: code, reason: "binding \(path)")
    }
    return server
  }
}

/// How many requests have begun and are not yet answered, across connections.
final class InFlight: Sendable {
  private let value = Atomic<Int>(0)
  var count: Int { value.load(ordering: .relaxed) }
  func add(_ delta: Int) { value.add(delta, ordering: .relaxed) }
}

/// One connection: records in, answers out. A protocol violation closes the connection.
private final class FastCGIHandler: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer

  private let exchange: Exchange
  private let inFlight: InFlight
  private let logger: Logger
  private var reader = FastCGI.RecordReader()
  private var connection: FastCGI.Connection
  /// Requests handed to the backend and not yet written back.
  private var running = 0
  /// What this connection last added to `inFlight`: requests begun (from `FCGI_BEGIN_REQUEST`)
  /// and not answered, so a stop waits for a request whose records are still arriving.
  private var counted = 0
  private var removed = false

  init(exchange: Exchange, inFlight: InFlight, maxBodyBytes: Int, logger: Logger) {
    self.exchange = exchange
    self.inFlight = inFlight
    self.logger = logger
    connection = FastCGI.Connection(maxBodyBytes: maxBodyBytes)
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let buffer = unwrapInboundIn(data)
    reader.append(buffer.readableBytesView)
    do {
      while let record = try reader.next() {
        for action in try connection.receive(record) {
          switch action {
          case .send(let bytes):
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: nil)
          case .run(let id):
            if let request = connection.take(id) { start(request, context: context) }
          }
        }
      }
    } catch {
      logger.warning("fastcgi connection closed", metadata: ["reason": "\(error)"])
      context.close(promise: nil)
    }
    recount()
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    removed = true
    inFlight.add(-counted)
    counted = 0
  }

  private func recount() {
    guard !removed else { return }
    let now = connection.inFlight + running
    inFlight.add(now - counted)
    counted = now
  }

  private func start(_ request: FastCGI.Request, context: ChannelHandlerContext) {
    let (exchange, channel) = (exchange, context.channel)
    running += 1
    let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
    let answered = context.eventLoop.makePromise(of: [UInt8].self)
    answered.completeWithTask { await exchange.answer(request) }
    answered.futureResult.whenSuccess { bytes in
      channel.writeAndFlush(ByteBuffer(bytes: bytes)).whenComplete { _ in
        let handler = bound.value
        handler.running -= 1
        handler.recount()
        if !request.keepConnection { channel.close(promise: nil) }
      }
    }
  }
}
