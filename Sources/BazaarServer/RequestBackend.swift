internal import BazaarFunctions
package import BazaarRunners

/// Answers one gateway request. The HTTP runner owns the connection, limits and logging;
/// a backend decides how the function runs.
package protocol RequestBackend: Sendable {
  /// The response to `request`, whose body has already been read and bounded.
  func respond(to request: GatewayRequest, remoteAddress: String?) async -> GatewayResponse
}

/// Where `bazaar serve` runs a function.
package enum Isolation: String, Sendable, CaseIterable {
  /// In the runner's own process, on its thread pool: the default, and the fastest.
  case inprocess
  /// In a new process per request, started as a CGI program (a small serverless platform).
  case process
}
