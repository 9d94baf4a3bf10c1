/// Where a message is: the directory that holds it.
public enum MessageState: String, CaseIterable, Sendable {
  /// Waiting in `new/` (ready, or delayed until its ready time).
  case ready = "new"
  /// Claimed under a lease, in `cur/`.
  case inFlight = "cur"
  /// Acked and kept for replay, in `done/` (only when the queue retains acked messages).
  case done
  /// Dead-lettered after its last attempt, or set aside as unreadable, in `dead/`.
  case dead
}

/// A message handed to one consumer under a lease.
public struct ClaimedMessage: Sendable {
  /// The message id `publish` returned.
  public var id: String
  /// The handle for `ack`, `nack` and `extendLease`; valid while the lease is held.
  public var receipt: String
  /// Deliveries so far, this one included.
  public var receiveCount: Int
  /// When the lease ends and the message goes back to `new/` (ms since the epoch).
  public var leaseExpiresAt: Int64
  /// When the message was published (ms since the epoch).
  public var publishedAt: Int64
  /// The error its last failed delivery recorded, if any.
  public var lastError: String?
  /// The published bytes: one CloudEvents JSON object.
  public var body: [UInt8]

  /// Every field (other queue backends build these too).
  package init(
    id: String, receipt: String, receiveCount: Int, leaseExpiresAt: Int64, publishedAt: Int64, lastError: String?,
    body: [UInt8]
  ) {
    self.id = id
    self.receipt = receipt
    self.receiveCount = receiveCount
    self.leaseExpiresAt = leaseExpiresAt
    self.publishedAt = publishedAt
    self.lastError = lastError
    self.body = body
  }
}

/// A message read without claiming it (`peek`).
public struct StoredMessage: Sendable {
  /// The message id `publish` returned.
  public var id: String
  /// The directory it was read from.
  public var state: MessageState
  /// Deliveries so far.
  public var receiveCount: Int
  /// The ready time (`new/`), lease deadline (`cur/`) or settling time (`done/`, `dead/`), ms since the epoch.
  public var time: Int64
  /// When it was published (ms since the epoch), when the header could be read.
  public var publishedAt: Int64?
  /// The last recorded error, or why the file could not be read.
  public var lastError: String?
  /// The body, or nil when the file is unreadable (then `lastError` says why).
  public var body: [UInt8]?

  /// Every field (other queue backends build these too).
  package init(
    id: String, state: MessageState, receiveCount: Int, time: Int64, publishedAt: Int64?, lastError: String?,
    body: [UInt8]?
  ) {
    self.id = id
    self.state = state
    self.receiveCount = receiveCount
    self.time = time
    self.publishedAt = publishedAt
    self.lastError = lastError
    self.body = body
  }
}

/// What a `nack` did.
public enum NackOutcome: Equatable, Sendable {
  /// The message is back in `new/`, ready at the given time (ms since the epoch).
  case retryAt(Int64)
  /// The message used its last attempt and is in `dead/`.
  case deadLettered
}

/// Counts of a queue's messages by state.
public struct QueueStats: Equatable, Sendable {
  /// Messages in `new/` whose ready time has come.
  public var ready = 0
  /// Messages in `new/` waiting for a later ready time.
  public var delayed = 0
  /// Messages in `cur/`, under a lease.
  public var inFlight = 0
  /// Acked messages kept in `done/`.
  public var done = 0
  /// Messages in `dead/`.
  public var dead = 0
  /// Milliseconds since the oldest ready message was published; nil when none is ready.
  public var oldestReadyAgeMilliseconds: Int64?

  public init() {}
}

/// What a `reap` pass changed.
public struct ReapReport: Equatable, Sendable {
  /// Expired leases returned to `new/`.
  public var returned = 0
  /// Expired leases that had used their last attempt, moved to `dead/`.
  public var deadLettered = 0
  /// Foreign or corrupt files moved to `dead/`.
  public var quarantined = 0
  /// Abandoned temporary files removed from `tmp/`.
  public var removedTemporaryFiles = 0

  public init() {}
}

/// A lease after `extendLease`: the new receipt and when it ends.
public struct ClaimedLease: Equatable, Sendable {
  /// The receipt that now holds the message.
  public var receipt: String
  /// When the extended lease ends (ms since the epoch).
  public var expiresAt: Int64

  /// Every field (other queue backends build these too).
  package init(receipt: String, expiresAt: Int64) {
    self.receipt = receipt
    self.expiresAt = expiresAt
  }
}
