internal import BazaarJSON
public import QueuePort

/// A queue's `policy.json`.
extension QueuePolicy {
  var encoded: [UInt8] {
    let object: JSONValue = [
      "maxAttempts": .integer(Int64(maxAttempts)), "retainAcked": .bool(retainAcked),
      "maxMessageBytes": .integer(Int64(maxMessageBytes)),
      "visibilityTimeoutMilliseconds": .integer(visibilityTimeoutMilliseconds), "backoff": .string(backoff.description),
    ]
    return Array(object.serialized.utf8) + [0x0A]
  }

  /// Reads a `policy.json`; keys left out keep their defaults.
  static func decode(_ bytes: [UInt8], path: String) throws(QueueError) -> QueuePolicy {
    guard case .object(let object)? = try? JSONValue.parse(bytes) else {
      throw .invalidPolicy("\(path) is not a JSON object")
    }
    var policy = QueuePolicy()
    for (key, value) in object {
      switch (key, value) {
      case ("maxAttempts", .integer(let number)): policy.maxAttempts = Int(clamping: number)
      case ("retainAcked", .bool(let flag)): policy.retainAcked = flag
      case ("maxMessageBytes", .integer(let number)): policy.maxMessageBytes = Int(clamping: number)
      case ("visibilityTimeoutMilliseconds", .integer(let number)): policy.visibilityTimeoutMilliseconds = number
      case ("backoff", .string(let text)):
        guard let backoff = RetryBackoff(text) else { throw .invalidPolicy("\(path): unknown backoff \"\(text)\"") }
        policy.backoff = backoff
      default: throw .invalidPolicy("\(path): unexpected \"\(key)\"")
      }
    }
    try policy.validate()
    return policy
  }
}
