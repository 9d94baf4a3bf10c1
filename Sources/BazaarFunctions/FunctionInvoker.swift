internal import BazaarCore
package import BazaarJSON

/// What one invocation produced, ready for any transport: an HTTP status, the JSON body,
/// and the exit code a process should end with.
package struct FunctionResponse: Sendable {
  package var status: Int
  /// One JSON object followed by a newline.
  package var body: [UInt8]
  /// The problem's `code` when the invocation failed.
  package var problemCode: String?
  /// Where a browser goes next, for answers a person reads (a payment callback).
  package var navigation: Navigation?
  /// A refusal's `Retry-After`, in seconds.
  package var retryAfter: Int64?
  /// The file an HTTP caller gets instead of `body` (`FileAnswer`).
  package var file: (any FileAnswer)?
  package var exitCode: Int32 { SysExits.forStatus(status) }
  /// The answer as JSON, a file's JSON form included: what the shell writes.
  package var jsonBody: [UInt8] { file.map { FunctionInvoker.encode($0) } ?? body }
}

/// Runs one function on one raw input: size limit, JSON parsing, the auth policy, the
/// handler, and the mapping of every failure to a problem object. Transport-independent.
package struct FunctionInvoker: Sendable {
  /// The largest body accepted, in bytes (1 MiB unless configured), for functions that take
  /// no file (`FileBody` states its own).
  package var maxInputBytes: Int

  package init(maxInputBytes: Int = 1 << 20) {
    self.maxInputBytes = maxInputBytes
  }

  /// The most input bytes `function` takes as JSON.
  package func inputLimit(of function: FunctionDefinition?) -> Int {
    function?.fileBody?.maxJSONBytes ?? maxInputBytes
  }

  /// Invokes `function`. `urlFields` are the path and query parameters an HTTP runner took
  /// from the URL; they join the body's object (a body field with the same name must agree).
  /// `services` is called once, after the input passed the cheap checks; `reportInternal`
  /// receives errors that became a 500, for the log (never for the client).
  package func invoke(
    _ function: FunctionDefinition, body: [UInt8], urlFields: [String: JSONValue] = [:], token: String?,
    requestID: String, client: String? = nil, services: () throws -> Services, reportInternal: (any Error) -> Void
  ) -> FunctionResponse {
    do {
      let limit = inputLimit(of: function)
      guard body.count <= limit else { throw Problem.payloadTooLarge(limit: limit) }
      var object = try Self.parseObject(body)
      try Self.merge(urlFields, into: &object)
      let services = try services()
      let run = { () throws -> IdempotentCalls.Outcome<any JSONRepresentable> in
        var caller: AccessClaims?
        if let role = function.auth.requiredRole {
          caller = try services.authenticator.authenticate(token, as: role)
        } else if function.auth == .userOrSeller {
          let claims = try services.authenticator.authenticate(token)
          guard claims.role == .user || claims.role == .seller else { throw AuthError.wrongRole(required: .user) }
          caller = claims
        }
        var reader = InputReader(object)
        let context = FunctionContext(caller: caller, requestID: requestID, client: client, services: services)
        guard function.idempotent, let caller else { return .fresh(try function.handle(&reader, context)) }
        // The use case's writes and its kept answer commit together (`IdempotentCalls`).
        return try services.idempotency.run(
          key: try Self.idempotencyKey(object), of: caller, request: function.name + " " + reader.canonicalText,
          status: function.successStatus
        ) {
          let output = try function.handle(&reader, context)
          return (output, String(decoding: output.jsonBytes, as: UTF8.self))
        }
      }
      // A function that only reads sees one snapshot, token check included: one transaction;
      // a write inside it is refused (`StoreAccess`).
      let outcome =
        try function.readsOnly ? StoreAccess.$readsOnly.withValue(true) { try services.store.snapshot(run) } : run()
      switch outcome {
      case .fresh(let output):
        // A file's JSON form (base64) is made only for a caller that asks for it (`jsonBody`).
        let file = output as? any FileAnswer
        return FunctionResponse(
          status: function.successStatus, body: file == nil ? Self.encode(output) : [], problemCode: nil,
          navigation: (output as? any BrowserNavigation)?.navigation, file: file)
      case .replayed(let status, let response):
        return FunctionResponse(status: status, body: Array(response.utf8) + [10], problemCode: nil)
      }
    } catch {
      return failure(error, requestID: requestID, reportInternal: reportInternal)
    }
  }

  /// The response for a failure before any function was found (unknown name, unreadable input).
  package func failure(_ error: any Error, requestID: String, reportInternal: (any Error) -> Void) -> FunctionResponse {
    var problem: Problem
    if let convertible = error as? any ProblemConvertible {
      problem = convertible.problem
    } else {
      reportInternal(error)
      problem = .internalError
    }
    problem.requestId = requestID
    return FunctionResponse(
      status: problem.status, body: Self.encode(problem), problemCode: problem.code, retryAfter: problem.retryAfter)
  }

  /// The request's `idempotencyKey` (an HTTP runner puts the `Idempotency-Key` header there),
  /// read as any string field is.
  static func idempotencyKey(_ object: [String: JSONValue]) throws -> String? {
    guard let value = object["idempotencyKey"] else { return nil }
    var reader = InputReader(["idempotencyKey": value])
    let key = reader.optionalString("idempotencyKey")
    try reader.finish()
    return key
  }

  /// Adds the URL's fields to the body's object; a body field of the same name must agree.
  static func merge(_ urlFields: [String: JSONValue], into object: inout [String: JSONValue]) throws {
    var conflicts: [FieldError] = []
    for (name, value) in urlFields.sorted(by: { $0.key < $1.key }) {
      if let existing = object[name], existing != value {
        conflicts.append(
          FieldError(field: name, code: "conflict", message: "\(name) is given by the URL and differs in the body"))
      }
      object[name] = value
    }
    if !conflicts.isEmpty { throw ValidationFailure(conflicts) }
  }

  /// The input object; an empty or all-white-space body reads as `{}`.
  static func parseObject(_ body: [UInt8]) throws -> [String: JSONValue] {
    if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [:] }
    let value: JSONValue
    do {
      value = try JSONValue.parse(body)
    } catch {
      throw Problem.malformedJSON("the body is not valid JSON (RFC 8259): \(error)")
    }
    guard case .object(let object) = value else {
      throw Problem.malformedJSON("the body must be a JSON object, not \(value.typeName)")
    }
    return object
  }

  static func encode(_ value: some JSONRepresentable) -> [UInt8] {
    value.jsonLine
  }
}
