package import BazaarFunctions

/// The problems the transports answer themselves, before or around a function: routing,
/// media types, CGI framing, the HTTP runner's limits. One place, so every transport says the
/// same thing the same way (docs/problems.md lists them).
extension Problem {
  /// No route matches the path.
  package static func routeNotFound(_ path: String) -> Problem {
    Problem(
      status: 404, code: "route_not_found", title: "Not found",
      detail: "no function answers \(path.prefix(200)); GET /openapi.yaml lists the routes")
  }

  /// 405 for `method` where only `allowed` are (the caller adds them as `Allow`).
  package static func methodNotAllowed(_ method: String, allowed: [String]) -> Problem {
    Problem(
      status: 405, code: "method_not_allowed", title: "Method not allowed",
      detail: "\(method.prefix(20)) is not allowed here; allowed: \(allowed.joined(separator: ", "))")
  }

  /// A body that is not declared as JSON.
  package static let unsupportedMediaType = Problem(
    status: 415, code: "unsupported_media_type", title: "Unsupported media type",
    detail: "the body must be JSON, sent with Content-Type: application/json")

  /// CGI: `CONTENT_LENGTH` is not a length.
  package static let badContentLength = Problem(
    status: 400, code: "bad_request", title: "Bad request", detail: "CONTENT_LENGTH is not a length")

  /// CGI: standard input ended before `CONTENT_LENGTH` bytes.
  package static let bodyEndedEarly = Problem(
    status: 400, code: "bad_request", title: "Bad request", detail: "the body ended before CONTENT_LENGTH bytes")

  /// `GET /readyz`: what keeps the store from serving.
  package static func notReady(_ problems: [String]) -> Problem {
    Problem(status: 503, code: "not_ready", title: "Not ready", detail: problems.joined(separator: "; "))
  }

  /// HTTP: the body did not arrive within the body timeout.
  package static func requestTimeout(seconds: Int64) -> Problem {
    Problem(
      status: 408, code: "request_timeout", title: "Request timeout",
      detail: "the request body did not arrive within \(seconds) seconds; the connection is closed")
  }

  /// HTTP: the runner holds as many connections as it is allowed.
  package static func tooManyConnections(limit: Int) -> Problem {
    Problem(
      status: 503, code: "too_many_connections", title: "Too many connections",
      detail: "the server holds its limit of \(limit) connections; retry shortly")
  }

  /// HTTP: the parser refused the request line or headers.
  package static let unparsableRequest = Problem(
    status: 400, code: "bad_request", title: "Bad request",
    detail:
      "the request is not valid HTTP/1.1 (a malformed request line or header, an unknown HTTP version, "
      + "conflicting Content-Length or Transfer-Encoding, or headers over the size limit); a URL must be "
      + "percent-encoded (q=%EC%82%AC%EA%B3%BC for q=사과, as curl -G --data-urlencode sends it)"
  )

  /// HTTP: the body's framing is broken (a bad chunk size).
  package static let unreadableBody = Problem(
    status: 400, code: "bad_request", title: "Bad request",
    detail: "the request body could not be read: its chunked encoding is malformed")

  /// The runner is stopping and did not start this request.
  package static let shuttingDown = Problem(
    status: 503, code: "shutting_down", title: "Shutting down", detail: "the runner is stopping; retry")

  /// Every function process slot is taken (the caller adds `Retry-After`).
  /// `bazaar serve`: `limit` password checks already wait for the hashing threads.
  package static func hashingBusy(limit: Int) -> Problem {
    Problem(
      status: 429, code: "too_many_requests", title: "Too many requests",
      detail: "\(limit) sign-ins already wait for a password check; retry shortly", retryAfter: 1)
  }

  package static func tooManyRequests(limit: Int) -> Problem {
    Problem(
      status: 429, code: "too_many_requests", title: "Too many requests",
      detail: "all \(limit) function processes are busy; retry shortly")
  }

  /// A function process outlived its time and was stopped.
  package static func functionTimeout(_ name: String, after timeout: Duration) -> Problem {
    Problem(
      status: 504, code: "function_timeout", title: "Function timed out",
      detail: "\(name) did not answer within \(timeout); it was stopped")
  }

  /// A function process ended without a response.
  package static func functionFailed(_ name: String) -> Problem {
    Problem(status: 502, code: "function_failed", title: "Function failed", detail: "\(name) ended without a response")
  }
}
