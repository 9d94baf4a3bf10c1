/// A request to the sandbox, relative to where it is mounted (`/online/v1/payment/ready`,
/// `/checkout/{tid}`, …).
package struct SandboxRequest: Sendable {
  package var method: String
  package var path: String
  /// The raw query string, without `?`.
  package var query: String
  package var authorization: String?
  package var contentType: String?
  package var body: [UInt8]

  package init(
    method: String, path: String, query: String = "", authorization: String? = nil, contentType: String? = nil,
    body: [UInt8] = []
  ) {
    self.method = method
    self.path = path
    self.query = query
    self.authorization = authorization
    self.contentType = contentType
    self.body = body
  }
}

/// The sandbox's answer, and how long to hold it before sending (the latency a test asked for).
package struct SandboxResponse: Sendable {
  package var status: Int
  package var headers: [(name: String, value: String)]
  package var body: [UInt8]
  /// Seconds to wait before answering (after the change was committed).
  package var delay: Double

  package init(status: Int, headers: [(name: String, value: String)], body: [UInt8], delay: Double = 0) {
    self.status = status
    self.headers = headers
    self.body = body
    self.delay = delay
  }
}
