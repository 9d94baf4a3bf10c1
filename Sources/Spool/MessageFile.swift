internal import BazaarJSON
public import QueuePort

/// What the spool records about a message besides its name: one JSON line before the body.
///
/// A message file is `HEADER\nBODY`, where BODY is the published bytes, unchanged.
struct MessageHeader: Equatable, Sendable {
  static let version: Int64 = 1

  var id: String
  var publishedAt: Int64
  var lastError: String?
  var lastErrorAt: Int64?

  /// The header line, newline included.
  var encoded: [UInt8] {
    var object: [String: JSONValue] = [
      "spool": .integer(MessageHeader.version), "id": .string(id), "publishedAt": .integer(publishedAt),
    ]
    if let lastError { object["lastError"] = .string(lastError) }
    if let lastErrorAt { object["lastErrorAt"] = .integer(lastErrorAt) }
    return Array(JSONValue.object(object).serialized.utf8) + [0x0A]
  }
}

/// A message file split into its header and body.
struct MessageFile: Sendable {
  var header: MessageHeader
  var body: [UInt8]

  /// Splits and checks a file's bytes; the error text says why the file is not a message.
  ///
  /// Files set aside in `dead/` may hold bodies that are not events (a foreign file's bytes):
  /// `checkBody: false` reads those too.
  static func decode(
    _ bytes: [UInt8], expectedID: String, checkBody: Bool = true
  ) -> Result<
    MessageFile, MessageCorruption
  > {
    guard let newline = bytes.firstIndex(of: 0x0A) else { return .failure(.init("no header line")) }
    guard case .object(let header)? = try? JSONValue.parse(bytes[..<newline]),
      header["spool"] == .integer(MessageHeader.version), case .string(let id)? = header["id"],
      case .integer(let publishedAt)? = header["publishedAt"]
    else { return .failure(.init("unreadable header line")) }
    guard id == expectedID else { return .failure(.init("header id \(id) does not match the file name")) }
    var lastErrorAt: Int64?
    if case .integer(let value)? = header["lastErrorAt"] { lastErrorAt = value }
    let body = Array(bytes[(newline + 1)...])
    if checkBody, let reason = CloudEvent.violation(in: body) { return .failure(.init("body: \(reason)")) }
    return .success(
      MessageFile(
        header: MessageHeader(
          id: id, publishedAt: publishedAt, lastError: header["lastError"]?.stringValue, lastErrorAt: lastErrorAt),
        body: body))
  }
}

/// Why a file in a queue is not a readable message.
struct MessageCorruption: Error, Sendable {
  var reason: String
  init(_ reason: String) { self.reason = reason }
}
