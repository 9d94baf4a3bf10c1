package import BazaarCore
package import BazaarJSON

/// An RFC 9457 problem object: what every Bazaar failure looks like on the wire.
///
/// `code` is the stable, snake_case name clients branch on; `type` is `/problems/<code>`,
/// a relative URI documented in docs/problems.md. `errors` lists field problems for 422s.
package struct Problem: Error, Equatable, Sendable, JSONRepresentable {
  package var type: String
  package var title: String
  package var status: Int
  package var detail: String
  package var code: String
  package var requestId: String?
  package var errors: [FieldError]?
  /// Extension members (RFC 9457 §3.2) a problem type defines, such as `items` for `out_of_stock`.
  package var extensions: [String: JSONValue]
  /// Seconds after which a retry may succeed: HTTP runners send it as `Retry-After`.
  package var retryAfter: Int64?

  package init(
    status: Int, code: String, title: String, detail: String, errors: [FieldError]? = nil,
    extensions: [String: JSONValue] = [:], retryAfter: Int64? = nil
  ) {
    self.retryAfter = retryAfter
    type = "/problems/" + code
    self.title = title
    self.status = status
    self.detail = detail
    self.code = code
    self.errors = errors
    self.extensions = extensions
  }

  /// The process exit code for this problem (sysexits.h): 77 for 401/403, 75 for retryable
  /// statuses, 65 for other client errors, 70 for server errors.
  package var exitCode: Int32 { SysExits.forStatus(status) }

  package var json: JSONValue {
    var members: [String: JSONValue] = extensions.merging([
      "type": .string(type), "title": .string(title), "status": .integer(Int64(status)), "detail": .string(detail),
      "code": .string(code),
    ]) { $1 }
    if let requestId { members["requestId"] = .string(requestId) }
    if let errors { members["errors"] = .array(errors.map { $0.json }) }
    return .object(members)
  }
}

extension FieldError: JSONRepresentable {
  /// `{"field", "code", "detail"}`.
  package var json: JSONValue {
    ["field": .string(field), "code": .string(code), "detail": .string(message)]
  }
}

/// Exit codes from sysexits.h, as the handler contract uses them.
package enum SysExits {
  package static let ok: Int32 = 0
  /// EX_USAGE: the command line was wrong.
  package static let usage: Int32 = 64
  /// EX_DATAERR: the request was refused (a 4xx other than 401/403).
  package static let clientError: Int32 = 65
  /// EX_SOFTWARE: an internal error (5xx).
  package static let internalError: Int32 = 70
  /// EX_TEMPFAIL: try again later (429, 503, 504, a busy store).
  package static let temporary: Int32 = 75
  /// EX_NOPERM: unauthenticated or forbidden (401, 403).
  package static let noPermission: Int32 = 77

  /// The exit code that goes with an HTTP status.
  package static func forStatus(_ status: Int) -> Int32 {
    switch status {
    case 200..<400: ok
    case 401, 403: noPermission
    case 408, 429, 503, 504: temporary
    case 400..<500: clientError
    default: internalError
    }
  }
}

/// An error that knows the problem object it becomes at the edge.
package protocol ProblemConvertible: Error {
  /// The problem to send back.
  var problem: Problem { get }
}

extension Problem: ProblemConvertible {
  package var problem: Problem { self }
}
