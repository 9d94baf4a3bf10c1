package import Hummingbird
package import Logging
internal import NIOCore
package import ServiceLifecycle

/// Runs the responder on Hummingbird until SIGTERM or SIGINT, then stops gracefully: the
/// listener closes, requests in flight finish, and only then does `run` return. `services`
/// (the scheduler, in `bazaar up`) run in the same service group and stop with it.
package enum HTTPServer {
  /// Serves on `host`:`port` (0 picks a free port); `onListening` gets the bound port.
  /// `requestID` names requests the HTTP parser refused (they never reach the responder) and
  /// those `limits` cut short.
  package static func run(
    _ responder: some HTTPResponder<BazaarRequestContext>, host: String, port: Int, limits: ConnectionLimits,
    logger: Logger, requestID: @escaping @Sendable () -> String, onListening: @escaping @Sendable (Int) -> Void,
    alongside services: [any Service] = []
  ) async throws {
    let connections = ConnectionCount()
    let application = Application(
      responder: responder,
      server: .http1(
        configuration: .init(additionalChannelHandlers: [
          ContinueAnswer(), UnparsableRequestAnswer(requestID: requestID),
          RequestDeadlines(limits: limits, count: connections, requestID: requestID),
        ])),
      configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
      onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) }, logger: logger)
    try await ServiceRunner.run([application] + services, logger: logger)
  }
}
