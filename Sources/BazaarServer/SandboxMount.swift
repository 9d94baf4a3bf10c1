package import BazaarRunners
package import KakaoPaySandbox
internal import NIOPosix

/// The KakaoPay sandbox served by the HTTP runner under a path prefix (`bazaar up` mounts it at
/// `/sandbox/kakaopay`; `bazaar sandbox kakaopay` at `/`). Its SQLite work runs on a thread
/// pool; the latency a test asks for is waited out without holding a thread.
package struct SandboxMount: Sendable {
  package let prefix: String
  private let sandbox: KakaoPaySandbox

  package init(prefix: String, sandbox: KakaoPaySandbox) {
    self.prefix = prefix
    self.sandbox = sandbox
  }

  /// Whether `path` is the sandbox's.
  func owns(_ path: String) -> Bool {
    prefix.isEmpty || path == prefix || path.hasPrefix(prefix + "/")
  }

  func respond(to request: GatewayRequest) async -> GatewayResponse {
    let sandboxRequest = SandboxRequest(
      method: request.method, path: String(request.path.dropFirst(prefix.count)), query: request.query,
      authorization: request.authorization, contentType: request.contentType, body: request.body)
    let sandbox = sandbox
    let answer: SandboxResponse
    do {
      answer = try await NIOThreadPool.singleton.runIfActive { sandbox.handle(sandboxRequest) }
    } catch {
      return GatewayResponse(status: 503, headers: [("X-Request-Id", request.requestID)], body: [])
    }
    if answer.delay > 0 { try? await Task.sleep(for: .milliseconds(Int64(answer.delay * 1000))) }
    return GatewayResponse(
      status: answer.status, headers: answer.headers + [("X-Request-Id", request.requestID)], body: answer.body)
  }
}
