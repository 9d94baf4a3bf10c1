internal import BazaarFunctions
package import BazaarRunners
internal import BazaarSite
internal import HTTPTypes
package import Hummingbird
package import Logging
internal import NIOCore
internal import NIOPosix

/// A request context that keeps the peer's address, for `REMOTE_ADDR` and the access log.
package struct BazaarRequestContext: RequestContext {
  package var coreContext: CoreRequestContextStorage
  package let remoteAddress: String?

  package init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
    remoteAddress = source.channel.remoteAddress?.ipAddress
  }
}

/// The runner's one responder: the gateway's routes through a backend, plus the runner's own
/// `/healthz` and `/openapi.yaml`, and, when enabled, the browser pages (`Site`) and the
/// operator page's `/operator/status`. It bounds the body (413 before reading when the declared
/// length is over the limit), gives every response an `X-Request-Id`, answers `HEAD` without
/// a body, and writes one JSON access-log line per request.
package struct GatewayResponder: HTTPResponder {
  package typealias Context = BazaarRequestContext

  private let gateway: Gateway
  private let backend: any RequestBackend
  private let openAPIDocument: [UInt8]
  private let isolation: Isolation
  private let accessLog: Logger
  private let requestID: @Sendable (String?) -> String
  private let sandbox: SandboxMount?
  private let site: Bool
  private let operatorEndpoint: OperatorEndpoint?
  private let readiness: (@Sendable () -> [String])?
  private let trustedProxies: Set<String>

  /// `requestID` turns the caller's `X-Request-Id` (if any) into the id to use; `sandbox`, when
  /// given, answers the paths under its prefix; `site` serves the browser pages.
  package init(
    gateway: Gateway, backend: any RequestBackend, openAPIDocument: [UInt8],
    isolation: Isolation, accessLog: Logger, requestID: @escaping @Sendable (String?) -> String,
    sandbox: SandboxMount? = nil, site: Bool = false, operatorEndpoint: OperatorEndpoint? = nil,
    readiness: (@Sendable () -> [String])? = nil, trustedProxies: Set<String> = []
  ) {
    self.readiness = readiness
    self.trustedProxies = trustedProxies
    self.sandbox = sandbox
    self.site = site
    self.operatorEndpoint = operatorEndpoint
    self.gateway = gateway
    self.backend = backend
    self.openAPIDocument = openAPIDocument
    self.isolation = isolation
    self.accessLog = accessLog
    self.requestID = requestID
  }

  package func respond(to request: Request, context: Context) async throws -> Response {
    let started = ContinuousClock.now
    var incoming = GatewayRequest(
      method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "",
      authorization: request.headers[.authorization], contentType: request.headers[.contentType],
      idempotencyKey: request.headers[Self.idempotencyKeyField], accept: request.headers[.accept],
      requestID: requestID(request.headers[Self.requestIDField]))
    incoming.ifNoneMatch = request.headers[.ifNoneMatch]
    incoming.client = ClientAddress.resolve(
      peer: context.remoteAddress, forwardedFor: request.headers[Self.forwardedForField], trusted: trustedProxies)
    let response: GatewayResponse
    switch incoming.path {
    case "/healthz":
      response = own(incoming, type: "application/json", body: Array(#"{"status":"ok"}"#.utf8))
    case "/openapi.yaml":
      response = own(incoming, type: "application/yaml", body: openAPIDocument)
    case "/readyz" where readiness != nil:
      response = await ready(incoming)
    case OperatorEndpoint.path where operatorEndpoint != nil:
      response = await operatorEndpoint!.respond(to: incoming, gateway: gateway)
    case let path where site && Site.file(at: path) != nil:
      response = page(Site.file(at: path)!, for: incoming, ifNoneMatch: request.headers[.ifNoneMatch])
    default:
      var request = request
      let limit = gateway.bodyLimit(method: incoming.method, path: incoming.path, contentType: incoming.contentType)
      switch await readBody(&request, limit: limit) {
      case .success(let body):
        incoming.body = body
        if let sandbox, sandbox.owns(incoming.path) {
          response = await sandbox.respond(to: incoming)
        } else {
          response = await backend.respond(to: incoming, remoteAddress: context.remoteAddress)
        }
      case .failure(let problem):
        response = gateway.failure(problem, for: incoming)
      }
    }
    log(incoming, response, remoteAddress: context.remoteAddress, since: started)
    return Self.httpResponse(response, head: incoming.method == "HEAD")
  }

  /// The body, at most `maxBodyBytes` (`Gateway.bodyLimit`): a larger declared `Content-Length` is refused unread; a
  /// body that cannot be decoded (a bad chunk size) is a 400, not a 413.
  private func readBody(_ request: inout Request, limit maxBodyBytes: Int) async -> Result<[UInt8], Problem> {
    let declared = request.headers[.contentLength].flatMap { Int($0) }
    if let declared, declared > maxBodyBytes {
      return .failure(.payloadTooLarge(limit: maxBodyBytes))
    }
    // A request with neither a length nor a transfer coding has no body (RFC 9112 §6.3): no
    // need to wait on the body stream (Hummingbird drains what a responder leaves unread).
    if declared == 0 || (declared == nil && request.headers[.transferEncoding] == nil) { return .success([]) }
    do {
      let buffer = try await request.collectBody(upTo: maxBodyBytes)
      return .success(Array(buffer.readableBytesView))
    } catch is NIOTooManyBytesError {
      return .failure(.payloadTooLarge(limit: maxBodyBytes))
    } catch {
      return .failure(.unreadableBody)
    }
  }

  /// A document the runner serves itself, on `GET` and `HEAD` only.
  private func own(_ request: GatewayRequest, type: String, body: [UInt8]) -> GatewayResponse {
    guard request.method == "GET" || request.method == "HEAD" else {
      return gateway.failure(
        Problem.methodNotAllowed(request.method, allowed: ["GET", "HEAD"]), for: request,
        extraHeaders: [("Allow", "GET, HEAD")])
    }
    return GatewayResponse(
      status: 200, headers: [("Content-Type", type), ("X-Request-Id", request.requestID)], body: body,
      function: nil, problemCode: nil)
  }

  /// `GET /readyz`: 200 `{"status":"ready"}` when the store is the file it opened, its
  /// migrations are current and a write can begin; else 503 `not_ready` saying why.
  private func ready(_ request: GatewayRequest) async -> GatewayResponse {
    let check = readiness!
    let problems = (try? await NIOThreadPool.singleton.runIfActive { check() }) ?? ["the runner is stopping"]
    guard problems.isEmpty else {
      return gateway.failure(Problem.notReady(problems), for: request, extraHeaders: [("Cache-Control", "no-store")])
    }
    var answer = own(request, type: "application/json", body: Array(#"{"status":"ready"}"#.utf8))
    answer.headers.append(("Cache-Control", "no-store"))
    return answer
  }

  /// A file of the browser site, on `GET` and `HEAD` only, with the pages' security headers;
  /// pages are never stored, the other files are revalidated by their `ETag` (304 when unchanged).
  private func page(_ file: Site.File, for request: GatewayRequest, ifNoneMatch: String?) -> GatewayResponse {
    var answer = own(request, type: file.contentType, body: file.body)
    guard answer.status == 200 else { return answer }
    answer.headers += [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin")]
    if file.isPage {
      answer.headers += [
        ("Content-Security-Policy", Site.contentSecurityPolicy), ("Cache-Control", "no-store"),
        ("X-Frame-Options", "DENY"),
      ]
    } else {
      answer.headers += [("Cache-Control", "no-cache"), ("ETag", file.etag)]
      if let ifNoneMatch, ifNoneMatch.split(separator: ",").contains(where: { $0.filter { $0 != " " } == file.etag }) {
        answer.status = 304
        answer.body = []
      }
    }
    return answer
  }

  private func log(
    _ request: GatewayRequest, _ response: GatewayResponse, remoteAddress: String?, since: ContinuousClock.Instant
  ) {
    guard accessLog.logLevel <= .info else { return }  // the fields are not built for a quieter log
    var metadata = request.accessLogFields(response, since: since)
    metadata["bytes"] = .stringConvertible(request.method == "HEAD" ? 0 : response.body.count)
    metadata["isolation"] = "\(isolation.rawValue)"
    if let remoteAddress { metadata["remote"] = "\(remoteAddress)" }
    accessLog.info("request", metadata: metadata)
  }

  /// The gateway's response in Hummingbird's terms. A `HEAD` answer keeps the `Content-Length`
  /// the `GET` body would have (a CGI program reports it without sending the body).
  static func httpResponse(_ response: GatewayResponse, head: Bool) -> Response {
    var fields = HTTPFields()
    for (name, value) in response.headers where name.lowercased() != "content-length" {
      if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
    }
    let length = (head ? response.header("Content-Length") : nil) ?? String(response.body.count)
    fields[.contentLength] = length
    let status = HTTPResponse.Status(code: response.status, reasonPhrase: HTTPStatus.reason(response.status))
    if head { return Response(status: status, headers: fields) }
    return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: response.body)))
  }

  private static let requestIDField = HTTPField.Name("X-Request-Id")!
  private static let idempotencyKeyField = HTTPField.Name("Idempotency-Key")!
  private static let forwardedForField = HTTPField.Name("X-Forwarded-For")!
}
