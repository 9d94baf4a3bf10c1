internal import BazaarCore

/// The two halves of a CGI exchange (RFC 3875) as plain values, so that both ends (a program
/// run by a web server, and `bazaar serve --isolation process` running one) share one
/// implementation.
package enum CGIDocument {
  /// The response document a CGI program writes: a `Status:` line, the headers, a
  /// `Content-Length`, a blank line, then the body unless the request was `HEAD`.
  package static func render(_ response: GatewayResponse, includeBody: Bool) -> [UInt8] {
    var document = "Status: \(response.status) \(HTTPStatus.reason(response.status))\r\n"
    for (name, value) in response.headers { document += "\(name): \(value)\r\n" }
    document += "Content-Length: \(response.body.count)\r\n\r\n"
    var bytes = Array(document.utf8)
    if includeBody { bytes += response.body }
    return bytes
  }

  /// Reads a CGI response document: the status (200 when there is no `Status:` header, as
  /// §6.3.3 says), the other headers in order, and the body. Nil when the header block is
  /// unterminated or malformed, which a server must treat as a broken script.
  package static func parse(_ document: [UInt8]) -> GatewayResponse? {
    var headers: [(name: String, value: String)] = []
    var status = 200
    var index = 0
    while true {
      guard let newline = document[index...].firstIndex(of: 0x0A) else { return nil }
      var end = newline
      if end > index && document[end - 1] == 0x0D { end -= 1 }
      let line = document[index..<end]
      index = newline + 1
      if line.isEmpty { break }
      guard let colon = line.firstIndex(of: 0x3A), colon > line.startIndex else { return nil }
      let name = String(decoding: line[..<colon], as: UTF8.self)
      let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingWhitespace()
      guard name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
      if name.lowercased() == "status" {
        guard let code = value.split(separator: " ").first.flatMap({ Int($0) }), (100...599).contains(code) else {
          return nil
        }
        status = code
      } else {
        headers.append((name, value))
      }
    }
    return GatewayResponse(
      status: status, headers: headers, body: Array(document[index...]), function: nil, problemCode: nil)
  }

  /// The meta-variables (§4.1) a server passes to a CGI program for `request`: the method,
  /// `PATH_INFO` (the request path, as received), `QUERY_STRING`, `CONTENT_LENGTH` and
  /// `CONTENT_TYPE` when there is a body, the `Authorization` header (as Apache's
  /// `CGIPassAuth On` passes it), `Idempotency-Key`, `Accept` and the request id as `HTTP_X_REQUEST_ID`.
  package static func metaVariables(
    for request: GatewayRequest, serverName: String, serverPort: Int, remoteAddress: String?
  ) -> [(name: String, value: String)] {
    var variables: [(name: String, value: String)] = [
      ("GATEWAY_INTERFACE", "CGI/1.1"), ("SERVER_PROTOCOL", "HTTP/1.1"), ("SERVER_SOFTWARE", "bazaar"),
      ("SERVER_NAME", serverName), ("SERVER_PORT", String(serverPort)), ("REQUEST_METHOD", request.method),
      ("SCRIPT_NAME", ""), ("PATH_INFO", request.path), ("QUERY_STRING", request.query),
      ("HTTP_X_REQUEST_ID", request.requestID),
    ]
    if !request.body.isEmpty { variables.append(("CONTENT_LENGTH", String(request.body.count))) }
    if let type = request.contentType { variables.append(("CONTENT_TYPE", type)) }
    if let authorization = request.authorization { variables.append(("HTTP_AUTHORIZATION", authorization)) }
    if let key = request.idempotencyKey { variables.append(("HTTP_IDEMPOTENCY_KEY", key)) }
    if let accept = request.accept { variables.append(("HTTP_ACCEPT", accept)) }
    if let remoteAddress { variables.append(("REMOTE_ADDR", remoteAddress)) }
    return variables
  }

  /// Whether an environment variable named `name` carries a request's meta-variable, and so
  /// must not leak from a server's own environment into a CGI program it runs.
  package static func isRequestVariable(_ name: String) -> Bool {
    name.hasPrefix("HTTP_") || requestVariableNames.contains(name)
  }

  private static let requestVariableNames: Set<String> = [
    "GATEWAY_INTERFACE", "SERVER_PROTOCOL", "SERVER_SOFTWARE", "SERVER_NAME", "SERVER_PORT", "REQUEST_METHOD",
    "SCRIPT_NAME", "PATH_INFO", "PATH_TRANSLATED", "QUERY_STRING", "CONTENT_LENGTH", "CONTENT_TYPE", "REMOTE_ADDR",
    "REMOTE_HOST", "REMOTE_USER", "AUTH_TYPE", "REQUEST_ID", "BAZAAR_TOKEN",
  ]
}
