internal import BazaarRunners
internal import Hummingbird
package import KakaoPaySandbox
package import Logging
internal import NIOCore

/// `bazaar sandbox kakaopay`: the KakaoPay sandbox alone over HTTP until SIGTERM or SIGINT.
package enum SandboxServer {
  /// Serves `sandbox` at the root of `host`:`port`; `onListening` gets the bound port.
  package static func run(
    _ sandbox: KakaoPaySandbox, host: String, port: Int, logger: Logger,
    onListening: @escaping @Sendable (Int) -> Void
  ) async throws {
    let responder = SandboxResponder(mount: SandboxMount(prefix: "", sandbox: sandbox))
    try await HTTPServer.run(
      responder, host: host, port: port, limits: ConnectionLimits(), logger: logger, requestID: { "sandbox" },
      onListening: onListening)
  }
}

/// Every request to the sandbox (bodies up to 1 MiB).
struct SandboxResponder: HTTPResponder {
  typealias Context = BazaarRequestContext
  let mount: SandboxMount

  func respond(to request: Request, context: Context) async throws -> Response {
    var request = request
    let body = try await request.collectBody(upTo: 1 << 20)
    let incoming = GatewayRequest(
      method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "",
      authorization: request.headers[.authorization], contentType: request.headers[.contentType],
      body: Array(body.readableBytesView), requestID: "sandbox")
    let response = await mount.respond(to: incoming)
    return GatewayResponder.httpResponse(response, head: request.method == .head)
  }
}
