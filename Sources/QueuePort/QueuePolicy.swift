/// A queue's settings: the spool keeps them in `policy.json` in the queue's directory, PostgreSQL
/// in `queue_policies`.
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
  public func validate() throws(QueueError) {
    guard (1...1000).contains(maxAttempts) else { throw .invalidPolicy("maxAttempts must be 1...1000") }
    guard (1...(64 * 1024 * 1024)).contains(maxMessageBytes) else {
      throw .invalidPolicy("maxMessageBytes must be 1...67108864")
    }
    guard (1...(12 * 3_600_000)).contains(visibilityTimeoutMilliseconds) else {
      throw .invalidPolicy("the visibility timeout must be 1 ms...12 h")
    }
  }
}
