package import BazaarCore
internal import BazaarFunctions
package import BazaarJSON
package import BazaarRunners
package import Logging
internal import NIOPosix

/// `GET /operator/status`: what `bazaar status` shows, plus the newest dead letters, for the
/// operator page. Only an operator token opens it (minted by `bazaar operator token` from the
/// shell); user and seller tokens get 403, and no other credential counts, loopback included.
package struct OperatorEndpoint: Sendable {
  package static let path = "/operator/status"

  private let authenticator: Authenticator
  private let report: @Sendable () throws -> JSONValue
  private let logger: Logger

  /// `report` reads the store and the spool; it runs on the blocking thread pool.
  package init(authenticator: Authenticator, logger: Logger, report: @escaping @Sendable () throws -> JSONValue) {
    self.authenticator = authenticator
    self.report = report
    self.logger = logger
  }

  func respond(to request: GatewayRequest, gateway: Gateway) async -> GatewayResponse {
    guard request.method == "GET" || request.method == "HEAD" else {
      return gateway.failure(
        Problem.methodNotAllowed(request.method, allowed: ["GET", "HEAD"]), for: request,
        extraHeaders: [("Allow", "GET, HEAD")])
    }
    let (authenticator, report, logger) = (authenticator, report, logger)
    let token = Gateway.bearerToken(request.authorization)
    let outcome: Result<JSONValue, Problem>
    do {
      outcome = try await NIOThreadPool.singleton.runIfActive {
        do {
          _ = try authenticator.authenticate(token, as: .operator)
          return .success(try report())
        } catch let error as any ProblemConvertible {
          return .failure(error.problem)
        } catch {
          logger.error(
            "internal error", metadata: ["requestId": "\(request.requestID)", "error": "\(String(reflecting: error))"])
          return .failure(Problem.internalError)
        }
      }
    } catch {
      outcome = .failure(Problem.shuttingDown)
    }
    switch outcome {
    case .success(let status):
      return GatewayResponse(
        status: 200,
        headers: [
          ("Content-Type", "application/json"), ("Cache-Control", "no-store"), ("X-Request-Id", request.requestID),
        ],
        body: Array(status.serialized.utf8))
    case .failure(let problem):
      return gateway.failure(problem, for: request, extraHeaders: [("Cache-Control", "no-store")])
    }
  }
}
