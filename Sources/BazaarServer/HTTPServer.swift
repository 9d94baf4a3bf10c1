package import Hummingbird
package import Logging
internal import NIOCore
package import ServiceLifecycle

/// Runs the responder on Hummingbird until SIGTERM or SIGINT, then stops gracefully: the
/// listener closes, requests in flight finish, and only then does `run` return. `services`
/// (the scheduler, in `bazaar up`) run in the same service group and stop with it.
package enum HTTPServer {
  /// Serves on `host`:`port` (0 picks a free port); `onListening` gets the bound port.
  /// `requestID` names requests the HTTP parser refused (they never reach the responder).
  package static func run(
    _ responder: some HTTPResponder<BazaarRequestContext>, host: String, port: Int, logger: Logger,
    requestID: @escaping @Sendable () -> String, onListening: @escaping @Sendable (Int) -> Void,
    alongside services: [any Service] = []
  ) async throws {
    let application = Application(
      responder: responder,
      server: .http1(
        configuration: .init(additionalChannelHandlers: [UnparsableRequestAnswer(requestID: requestID)])),
      configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
      onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) }, logger: logger)
    try await ServiceRunner.run([application] + services, logger: logger)
  }
}
