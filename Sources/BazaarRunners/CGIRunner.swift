package import BazaarFunctions
package import Logging

/// Runs the gateway as a CGI program (RFC 3875): the request from meta-variables and
/// standard input, the response as a CGI document on standard output.
///
/// It reads exactly `CONTENT_LENGTH` bytes (never more, and none when it is absent), refuses
/// a declared length over the limit without reading it (413), answers `HEAD` without a body,
/// and always exits 0 once a response is written: the status travels in the `Status:` header,
/// and web servers treat a non-zero exit as a broken script.
package struct CGIRunner: Sendable {
  package var gateway: Gateway

  package init(gateway: Gateway) {
    self.gateway = gateway
  }

  /// Serves one request. `variable` reads a CGI meta-variable; `only` restricts the program to
  /// one function (a `functions/NAME` link run by a web server).
  package func run(
    variable: (String) -> String?, only: FunctionDefinition?, trustedProxies: Set<String> = [], requestID: String,
    inputDescriptor: Int32 = 0,
    outputDescriptor: Int32 = 1, services: () throws -> Services, logger: Logger
  ) -> Int32 {
    let started = ContinuousClock.now
    var request = Self.request(variable: variable, trustedProxies: trustedProxies, requestID: requestID)
    let method = request.method
    let report: (any Error) -> Void = { error in
      logger.error("internal error", metadata: ["requestId": "\(requestID)", "error": "\(String(reflecting: error))"])
    }
    var response: GatewayResponse
    switch readBody(variable("CONTENT_LENGTH"), inputDescriptor, limit: bodyLimit(request, only: only)) {
    case .success(let body):
      request.body = body
      response =
        if let only {
          gateway.handle(request, only: only, services: services, reportInternal: report)
        } else {
          gateway.handle(request, services: services, reportInternal: report)
        }
    case .failure(let problem):
      response = gateway.failure(problem, for: request)
    }
    let document = CGIDocument.render(response, includeBody: method != "HEAD")
    document.withUnsafeBytes { writeAll(outputDescriptor, $0) }
    logger.info("cgi request", metadata: request.accessLogFields(response, since: started, path: false))
    return 0
  }

  /// The request the meta-variables describe (RFC 3875 §4.1), without its body: for a CGI
  /// program and for a FastCGI responder alike.
  package static func request(
    variable: (String) -> String?, trustedProxies: Set<String>, requestID: String
  ) -> GatewayRequest {
    var request = GatewayRequest(
      method: (variable("REQUEST_METHOD") ?? "").uppercased(), path: variable("PATH_INFO") ?? "",
      query: variable("QUERY_STRING") ?? "", authorization: variable("HTTP_AUTHORIZATION"),
      contentType: variable("CONTENT_TYPE"), idempotencyKey: variable("HTTP_IDEMPOTENCY_KEY"),
      accept: variable("HTTP_ACCEPT"), requestID: requestID)
    request.ifNoneMatch = variable("HTTP_IF_NONE_MATCH")
    request.client = ClientAddress.resolve(
      peer: variable("REMOTE_ADDR"), forwardedFor: variable("HTTP_X_FORWARDED_FOR"), trusted: trustedProxies)
    return request
  }

  /// The body length `CONTENT_LENGTH` declares (0 when it is absent or empty), or the problem:
  /// not a length (400), or over the limit (413, before any of it is read). For CGI and FastCGI.
  package func declaredLength(_ declared: String?, limit: Int) -> Result<Int, Problem> {
    guard let declared, !declared.isEmpty else { return .success(0) }
    guard let length = Int(declared), length >= 0 else { return .failure(Problem.badContentLength) }
    guard length <= limit else { return .failure(.payloadTooLarge(limit: limit)) }
    return .success(length)
  }

  /// The most body bytes `request` may carry (`Gateway.bodyLimit`), for `only` when the
  /// program serves one function.
  package func bodyLimit(_ request: GatewayRequest, only: FunctionDefinition?) -> Int {
    if let only { return only.fileBody?.limit(contentType: request.contentType) ?? gateway.invoker.maxInputBytes }
    return gateway.bodyLimit(method: request.method, path: request.path, contentType: request.contentType)
  }

  /// Exactly `CONTENT_LENGTH` bytes of standard input, or the problem that stops the request.
  private func readBody(_ declared: String?, _ descriptor: Int32, limit: Int) -> Result<[UInt8], Problem> {
    let length: Int
    switch declaredLength(declared, limit: limit) {
    case .success(let value): length = value
    case .failure(let problem): return .failure(problem)
    }
    guard length > 0 else { return .success([]) }
    switch readBounded(descriptor, limit: limit, exactly: length) {
    case .complete(let body) where body.count == length:
      return .success(body)
    case .complete:
      return .failure(
        Problem.bodyEndedEarly)
    case .tooLarge:
      return .failure(.payloadTooLarge(limit: limit))
    case .unreadable(let errno):
      return .failure(.malformedJSON("standard input could not be read (errno \(errno))"))
    }
  }
}

/// Reason phrases for the statuses Bazaar sends.
package enum HTTPStatus {
  /// The reason phrase of `status` (RFC 9110 §15).
  package static func reason(_ status: Int) -> String {
    switch status {
    case 200: "OK"
    case 201: "Created"
    case 400: "Bad Request"
    case 401: "Unauthorized"
    case 403: "Forbidden"
    case 404: "Not Found"
    case 405: "Method Not Allowed"
    case 409: "Conflict"
    case 413: "Content Too Large"
    case 415: "Unsupported Media Type"
    case 422: "Unprocessable Content"
    case 429: "Too Many Requests"
    case 500: "Internal Server Error"
    case 503: "Service Unavailable"
    case 504: "Gateway Timeout"
    default: "Status \(status)"
    }
  }
}
