internal import BazaarJSON

/// A queue's settings, kept in `policy.json` in the queue's directory.
public struct QueuePolicy: Equatable, Sendable {
  /// Deliveries before a failing message moves to `dead/` (SQS `maxReceiveCount`, Sidekiq's 25).
  public var maxAttempts: Int = 25
  /// Whether acked messages move to `done/` (kept for replay) instead of being deleted.
  public var retainAcked: Bool = false
  /// The largest message body accepted, in bytes (SQS's 256 KiB).
  public var maxMessageBytes: Int = 256 * 1024
  /// The lease a claim takes when the caller names none (SQS's visibility timeout, 30 s).
  public var visibilityTimeoutMilliseconds: Int64 = 30_000
  /// The wait before a failed message is delivered again.
  public var backoff: RetryBackoff = .sidekiq

  public init() {}

  /// Throws when a value is out of range.
  public func validate() throws(SpoolError) {
    guard (1...1000).contains(maxAttempts) else { throw .invalidPolicy("maxAttempts must be 1...1000") }
    guard (1...(64 * 1024 * 1024)).contains(maxMessageBytes) else {
      throw .invalidPolicy("maxMessageBytes must be 1...67108864")
    }
    guard (1...(12 * 3_600_000)).contains(visibilityTimeoutMilliseconds) else {
      throw .invalidPolicy("the visibility timeout must be 1 ms...12 h")
    }
  }

  var encoded: [UInt8] {
    let object: JSONValue = [
      "maxAttempts": .integer(Int64(maxAttempts)), "retainAcked": .bool(retainAcked),
      "maxMessageBytes": .integer(Int64(maxMessageBytes)),
      "visibilityTimeoutMilliseconds": .integer(visibilityTimeoutMilliseconds), "backoff": .string(backoff.description),
    ]
    return Array(object.serialized.utf8) + [0x0A]
  }

  /// Reads a `policy.json`; keys left out keep their defaults.
  static func decode(_ bytes: [UInt8], path: String) throws(SpoolError) -> QueuePolicy {
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
