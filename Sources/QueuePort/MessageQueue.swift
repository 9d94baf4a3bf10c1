/// One queue, whatever keeps it: the directory spool (`SpoolQueue`) or a database table
/// (PostgreSQL's, `BAZAAR_QUEUE_URL`). Both promise what docs/queues.md describes: durable
/// publish, claims under leases, ack, nack with backoff or dead-lettering past `maxAttempts`,
/// delayed messages, replay and purge of done and dead messages, and the return of expired leases.
public protocol MessageQueue: Sendable {
  /// The queue's name.
  var name: String { get }
  /// Its limits and retry rules.
  var policy: QueuePolicy { get }
  /// Publishes `bodies` durably (ready after `delayMilliseconds`); their ids.
  func publish(batch bodies: [[UInt8]], delayMilliseconds: Int64) throws -> [String]
  /// The next ready message under a lease, waiting up to `waitMilliseconds` for one.
  func claim(
    leaseMilliseconds: Int64?, waitMilliseconds: Int64, shouldStop: () -> Bool
  ) throws -> ClaimedMessage?
  /// Settles a claimed message as done.
  func ack(_ receipt: String) throws
  /// Gives a claimed message back for a later attempt, or dead-letters it past the budget.
  func nack(_ receipt: String, delayMilliseconds: Int64?, error: String?) throws -> NackOutcome
  /// Holds a lease `milliseconds` from now; the new receipt.
  func extendLease(_ receipt: String, milliseconds: Int64) throws -> ClaimedLease
  /// Counts by state.
  func stats() throws -> QueueStats
  /// Messages in `state`, earliest first, without claiming them.
  func peek(_ state: MessageState, limit: Int) throws -> [StoredMessage]
  /// Moves done or dead messages (one, or all) back to ready; their ids.
  func replay(from state: MessageState, id: String?) throws -> [String]
  /// Deletes every done or dead message; how many.
  func purge(_ state: MessageState) throws -> Int
  /// Returns expired leases to ready (or to the dead letters past the budget).
  func reap() throws -> ReapReport
}

extension MessageQueue {
  /// Publishes one message; its id.
  public func publish(_ body: [UInt8], delayMilliseconds: Int64 = 0) throws -> String {
    try publish(batch: [body], delayMilliseconds: delayMilliseconds)[0]
  }

  /// The next ready message under a lease, without waiting.
  public func claim(leaseMilliseconds: Int64? = nil) throws -> ClaimedMessage? {
    try claim(leaseMilliseconds: leaseMilliseconds, waitMilliseconds: 0, shouldStop: { false })
  }
}

/// The queues of one backend, by name.
public protocol MessageQueues: Sendable {
  /// Where the queues live, for messages to an operator (a directory, or a redacted URL).
  var location: String { get }
  /// Opens the queue `name`, creating it when missing.
  func queue(_ name: String) throws -> any MessageQueue
  /// Opens the queue `name` if it exists; `QueueError.queueNotFound` when it does not.
  func existingQueue(_ name: String) throws -> any MessageQueue
  /// Writes `policy` for the queue `name` (creating it).
  func configure(_ name: String, policy: QueuePolicy) throws -> any MessageQueue
  /// The queue names, sorted.
  func queueNames() throws -> [String]
  /// How a consumer waiting on the queues `names` learns that messages arrived.
  func wakeUp(for names: [String]) -> QueueWakeUp
}

/// How a consumer waiting for messages learns that some arrived, so it need not poll.
public enum QueueWakeUp: Sendable {
  /// New files appear in these directories (the spool's `new/` of each queue).
  case newFiles(inDirectories: [String])
  /// The backend calls `changed` after every publish (PostgreSQL's notifications) until the
  /// subscription it returns is stopped.
  case notification(@Sendable (_ changed: @escaping @Sendable () -> Void) throws -> any QueueWatch)
}

/// A running subscription of `QueueWakeUp.notification`.
public protocol QueueWatch: Sendable {
  /// Stops it; `changed` is not called after this returns.
  func stop()
}

/// The rules every backend applies to a queue's name.
public enum QueueName {
  /// Throws unless `name` is 1 to 100 bytes of `[A-Za-z0-9._-]` and does not start with a dot.
  public static func validate(_ name: String) throws(QueueError) {
    let bytes = Array(name.utf8)
    guard (1...100).contains(bytes.count), bytes.allSatisfy(isNameByte), bytes[0] != UInt8(ascii: ".") else {
      throw .invalidQueueName(name)
    }
  }

  /// Whether `byte` is one of `[A-Za-z0-9._-]`, the bytes allowed in queue names and in ids.
  package static func isNameByte(_ byte: UInt8) -> Bool {
    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
      || byte == 0x2E || byte == 0x2D || byte == 0x5F
  }
}
