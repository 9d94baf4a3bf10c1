internal import BazaarCore
package import BazaarFunctions
internal import BazaarJSON
package import Logging

/// An HTTP request as every transport sees it (CGI meta-variables, Hummingbird, a test).
package struct GatewayRequest: Sendable {
  package var method: String
  /// The path, still percent-encoded, without the query string.
  package var path: String
  /// The raw query string (no `?`), empty when there is none.
  package var query: String
  /// The `Authorization` header, if any.
  package var authorization: String?
  /// The `Content-Type` header, if any.
  package var contentType: String?
  /// The `Idempotency-Key` header, if any: it joins the input as `idempotencyKey`.
  package var idempotencyKey: String?
  /// The `Accept` header, if any: a browser's `text/html` gets a page for a payment callback.
  package var accept: String?
  /// The `If-None-Match` header, if any: a file answer whose tag it lists is a 304.
  package var ifNoneMatch: String?
  package var body: [UInt8]
  package var requestID: String
  /// The client's address (`ClientAddress.resolve`): the peer, or what a trusted proxy forwarded.
  package var client: String?

  package init(
    method: String, path: String, query: String = "", authorization: String? = nil, contentType: String? = nil,
    idempotencyKey: String? = nil, accept: String? = nil, body: [UInt8] = [], requestID: String
  ) {
    self.method = method
    self.path = path
    self.query = query
    self.authorization = authorization
    self.contentType = contentType
    self.idempotencyKey = idempotencyKey
    self.accept = accept
    self.body = body
    self.requestID = requestID
  }
}

extension GatewayRequest {
  /// The fields every transport's access-log line has: request id, method, path (unless
  /// `path` is false), status, duration, and the function and problem when there are.
  package func accessLogFields(
    _ response: GatewayResponse, since started: ContinuousClock.Instant, path: Bool = true
  ) -> Logger.Metadata {
    var fields: Logger.Metadata = [
      "requestId": "\(requestID)", "method": "\(method.prefix(16))", "status": .stringConvertible(response.status),
      "durationMs": .stringConvertible((ContinuousClock.now - started).milliseconds),
    ]
    if path { fields["path"] = "\(self.path.prefix(200))" }
    if let function = response.function { fields["function"] = "\(function)" }
    if let code = response.problemCode { fields["problem"] = "\(code)" }
    return fields
  }
}

/// What the gateway answers: status, the headers that matter, and the body (which a transport
/// leaves out for `HEAD`).
package struct GatewayResponse: Sendable {
  package var status: Int
  package var headers: [(name: String, value: String)]
  package var body: [UInt8]
  /// The function that ran, if a route matched.
  package var function: String?
  /// The problem's `code` when the request failed.
  package var problemCode: String?

  package init(
    status: Int, headers: [(name: String, value: String)], body: [UInt8], function: String? = nil,
    problemCode: String? = nil
  ) {
    self.status = status
    self.headers = headers
    self.body = body
    self.function = function
    self.problemCode = problemCode
  }

  /// The first value of header `name` (case-insensitive).
  package func header(_ name: String) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value
  }
}

/// The seed's API gateway, as a pure function of the request: route by method and path,
/// take the bearer token, merge path and query parameters into the input, invoke, and turn
/// the outcome into HTTP (status, `Content-Type`, `WWW-Authenticate`, `Allow`, `X-Request-Id`).
/// CGI and the HTTP runner are thin shells around it.
package struct Gateway: Sendable {
  package var invoker: FunctionInvoker
  package var routes: RouteTable

  package init(invoker: FunctionInvoker, routes: RouteTable = RouteTable()) {
    self.invoker = invoker
    self.routes = routes
  }

  /// Answers `request`. `services` is called only when a function runs.
  package func handle(
    _ request: GatewayRequest, services: () throws -> Services, reportInternal: (any Error) -> Void
  ) -> GatewayResponse {
    respond(to: request, routes.match(method: request.method, path: request.path), services, reportInternal)
  }

  /// Answers `request` for a `match` the caller already took from `routes` (to pick a thread
  /// pool, say), so a request is routed once.
  package func handle(
    _ request: GatewayRequest, matched match: RouteTable.Match, services: () throws -> Services,
    reportInternal: (any Error) -> Void
  ) -> GatewayResponse {
    respond(to: request, match, services, reportInternal)
  }

  /// Answers `request` with `function` alone, as a per-function CGI program does. An empty
  /// path (`/` or nothing) means the function itself, with path parameters in the body or query;
  /// any other path must fit the function's route.
  package func handle(
    _ request: GatewayRequest, only function: FunctionDefinition, services: () throws -> Services,
    reportInternal: (any Error) -> Void
  ) -> GatewayResponse {
    let match: RouteTable.Match
    if request.path.isEmpty || request.path == "/" {
      let method = request.method == "HEAD" ? "GET" : request.method
      let allowed = function.route.method == "GET" ? ["GET", "HEAD"] : [function.route.method]
      match =
        method == function.route.method ? .function(function, pathParameters: [:]) : .methodNotAllowed(allowed: allowed)
    } else {
      match = RouteTable([function]).match(method: request.method, path: request.path)
    }
    return respond(to: request, match, services, reportInternal)
  }

  private func respond(
    to request: GatewayRequest, _ match: RouteTable.Match, _ services: () throws -> Services,
    _ reportInternal: (any Error) -> Void
  ) -> GatewayResponse {
    let token = Self.bearerToken(request.authorization)
    let outcome: FunctionResponse
    var function: FunctionDefinition?
    var extraHeaders: [(name: String, value: String)] = []
    switch match {
    case .notFound:
      outcome = invoker.failure(
        Problem.routeNotFound(request.path),
        requestID: request.requestID, reportInternal: reportInternal)
    case .methodNotAllowed(let allowed):
      extraHeaders.append(("Allow", allowed.joined(separator: ", ")))
      outcome = invoker.failure(
        Problem.methodNotAllowed(request.method, allowed: allowed), requestID: request.requestID,
        reportInternal: reportInternal)
    case .function(let matched, let pathParameters):
      function = matched
      do {
        var fields = pathParameters.mapValues(JSONValue.string)
        var body = request.body
        if let file = matched.fileBody, FileBody.isFile(contentType: request.contentType) {
          // The file itself: it reaches the handler as the JSON form's fields.
          guard body.count <= file.maxBytes else { throw Problem.payloadTooLarge(limit: file.maxBytes) }
          fields["contentType"] = .string(request.contentType!)
          fields["data"] = .string(Base64.standardEncoded(body))
          body = []
        } else {
          try Self.requireJSON(request)
        }
        try Self.queryFields(request.query, declared: matched.route.query).forEach { fields[$0.key] = $0.value }
        // A body's `idempotencyKey` that contradicts the header is a 422 `conflict`, as for path parameters.
        if let key = request.idempotencyKey { fields["idempotencyKey"] = .string(key) }
        outcome = invoker.invoke(
          matched, body: body, urlFields: fields, token: token, requestID: request.requestID,
          client: request.client, services: services, reportInternal: reportInternal)
      } catch {
        outcome = invoker.failure(error, requestID: request.requestID, reportInternal: reportInternal)
      }
    }
    return Self.response(outcome, to: request, token: token, function: function?.name, extraHeaders: extraHeaders)
  }

  /// `problem` as the response to `request`, with the headers every response carries: for
  /// failures found outside a function (a body too large, a timeout, a full runner).
  package func failure(
    _ problem: Problem, for request: GatewayRequest, extraHeaders: [(name: String, value: String)] = []
  ) -> GatewayResponse {
    let outcome = invoker.failure(problem, requestID: request.requestID, reportInternal: { _ in })
    return Self.response(
      outcome, to: request, token: Self.bearerToken(request.authorization), function: nil, extraHeaders: extraHeaders)
  }

  private static func response(
    _ outcome: FunctionResponse, to request: GatewayRequest, token: String?, function: String?,
    extraHeaders: [(name: String, value: String)]
  ) -> GatewayResponse {
    var headers: [(name: String, value: String)] = [
      ("Content-Type", outcome.problemCode == nil ? "application/json" : "application/problem+json"),
      ("X-Request-Id", request.requestID),
    ]
    if outcome.status == 401 {
      // RFC 6750 §3: say why when a token was presented.
      headers.append(
        (
          "WWW-Authenticate",
          token == nil ? "Bearer realm=\"bazaar\"" : "Bearer realm=\"bazaar\", error=\"invalid_token\""
        ))
    }
    // Answers hold tokens and personal data: no cache keeps them (a browser page's own headers say the same).
    if !extraHeaders.contains(where: { $0.name == "Cache-Control" }) && outcome.navigation == nil {
      headers.append(("Cache-Control", "no-store"))
    }
    if let seconds = outcome.retryAfter, !extraHeaders.contains(where: { $0.name == "Retry-After" }) {
      headers.append(("Retry-After", String(seconds)))
    }
    headers += extraHeaders
    if let file = outcome.file {
      return fileResponse(file, to: request, function: function)
    }
    if let navigation = outcome.navigation, let page = BrowserPage.answer(navigation, accept: request.accept) {
      headers[0] = ("Content-Type", page.contentType)
      headers += page.headers
      return GatewayResponse(
        status: page.status, headers: headers, body: page.body, function: function, problemCode: nil)
    }
    return GatewayResponse(
      status: outcome.status, headers: headers, body: outcome.body, function: function,
      problemCode: outcome.problemCode)
  }

  /// The most body bytes a request for `method` and `path` with `contentType` may carry: a
  /// file function's own limits, else the invoker's. Transports check it before reading.
  package func bodyLimit(method: String, path: String, contentType: String?) -> Int {
    guard case .function(let function, _) = routes.match(method: method, path: path), let file = function.fileBody
    else { return invoker.maxInputBytes }
    return file.limit(contentType: contentType)
  }

  /// A file answer: its bytes, type and strong `ETag`, kept by any cache for as long as the
  /// file says, never sniffed or run as a document; 304 and no body when `If-None-Match`
  /// lists its tag (RFC 9110 §13.1.2).
  private static func fileResponse(
    _ file: any FileAnswer, to request: GatewayRequest, function: String?
  ) -> GatewayResponse {
    let headers: [(name: String, value: String)] = [
      ("Content-Type", file.contentType), ("X-Request-Id", request.requestID), ("ETag", file.entityTag),
      ("Cache-Control", file.cacheControl), ("X-Content-Type-Options", "nosniff"),
      ("Content-Security-Policy", "default-src 'none'"),
    ]
    let matches = (request.ifNoneMatch ?? "").split(separator: ",").contains { candidate in
      let tag = String(candidate).trimmingWhitespace()
      return tag == "*" || tag == file.entityTag || tag == "W/" + file.entityTag
    }
    if matches {
      return GatewayResponse(
        status: 304, headers: headers.filter { $0.name != "Content-Type" }, body: [], function: function)
    }
    return GatewayResponse(status: 200, headers: headers, body: file.bytes, function: function)
  }

  /// The credentials of a `Bearer` authorization header (RFC 6750 §2.1); nil for any other scheme.
  package static func bearerToken(_ header: String?) -> String? {
    guard let header else { return nil }
    let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
    guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
    let token = String(parts[1]).trimmingWhitespace()
    return token.isEmpty ? nil : token
  }

  /// A request with a body must say it is JSON (`application/json` or any `+json` type), and
  /// the body must hold JSON: only a body of no bytes at all stands for `{}` over HTTP (the shell
  /// also reads a blank line as `{}`, for `echo | functions/NAME`).
  static func requireJSON(_ request: GatewayRequest) throws {
    guard !request.body.isEmpty else { return }
    guard FileBody.isJSON(FileBody.mediaType(request.contentType)) else {
      throw Problem.unsupportedMediaType
    }
    if request.body.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
      throw Problem.malformedJSON("the body holds only white space; send a JSON object, or no body at all")
    }
  }

  /// The declared query parameters of `query` as input fields. An undeclared parameter, one
  /// given twice, or an integer that is not one is a field problem.
  static func queryFields(_ query: String, declared: [QueryParameter]) throws -> [String: JSONValue] {
    var fields: [String: JSONValue] = [:]
    var problems: [FieldError] = []
    for pair in query.split(separator: "&") where !pair.isEmpty {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard let name = PercentDecoding.decode(parts[0], plusIsSpace: true),
        let value = PercentDecoding.decode(parts.count > 1 ? parts[1] : "", plusIsSpace: true)
      else {
        problems.append(
          FieldError(field: "", code: "invalid", message: "the query string is not valid percent-encoding"))
        continue
      }
      guard let parameter = declared.first(where: { $0.name == name }) else {
        problems.append(FieldError(field: name, code: "unknown_field", message: "\(name) is not a known field"))
        continue
      }
      guard fields[name] == nil else {
        problems.append(FieldError(field: name, code: "repeated", message: "\(name) may be given once"))
        continue
      }
      switch parameter.kind {
      case .string:
        fields[name] = .string(value)
      case .integer:
        guard let number = Int64(value) else {
          problems.append(FieldError(field: name, code: "wrong_type", message: "\(name) must be a whole number"))
          continue
        }
        fields[name] = .integer(number)
      case .boolean:
        guard value == "true" || value == "false" else {
          problems.append(FieldError(field: name, code: "wrong_type", message: "\(name) must be true or false"))
          continue
        }
        fields[name] = .bool(value == "true")
      }
    }
    if !problems.isEmpty { throw ValidationFailure(problems) }
    return fields
  }
}
