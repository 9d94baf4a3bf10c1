/// The problems the invoker answers itself, before or around a handler.
extension Problem {
  /// The body could not be parsed as JSON.
  package static func malformedJSON(_ detail: String) -> Problem {
    Problem(status: 400, code: "malformed_json", title: "Malformed JSON", detail: detail)
  }

  /// The body was longer than the limit.
  package static func payloadTooLarge(limit: Int) -> Problem {
    Problem(
      status: 413, code: "payload_too_large", title: "Payload too large",
      detail: "the request body exceeds the limit of \(limit) bytes")
  }

  /// No function has this name.
  package static func unknownFunction(_ name: String) -> Problem {
    Problem(
      status: 404, code: "unknown_function", title: "Unknown function",
      detail: "there is no function named \(name); `bazaar functions` lists them")
  }

  /// Anything unexpected: the detail never carries internals; the log does.
  package static let internalError = Problem(
    status: 500, code: "internal_error", title: "Internal error",
    detail: "the request failed inside Bazaar; the log has the details under this request id")
}
