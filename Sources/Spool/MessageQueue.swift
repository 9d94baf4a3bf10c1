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
  /// Opens the queue `name` if it exists; `SpoolError.queueNotFound` when it does not.
  func existingQueue(_ name: String) throws -> any MessageQueue
  /// Writes `policy` for the queue `name` (creating it).
  func configure(_ name: String, policy: QueuePolicy) throws -> any MessageQueue
  /// The queue names, sorted.
  func queueNames() throws -> [String]
}

extension SpoolQueue: MessageQueue {}

extension Spool {
  /// This spool as one of the queue backends.
  public var queues: any MessageQueues { SpoolQueues(spool: self) }
}

/// The directory spool behind `MessageQueues`.
struct SpoolQueues: MessageQueues {
  let spool: Spool
  var location: String { spool.root }
  func queue(_ name: String) throws -> any MessageQueue { try spool.queue(name) }
  func existingQueue(_ name: String) throws -> any MessageQueue { try spool.existingQueue(name) }
  func configure(_ name: String, policy: QueuePolicy) throws -> any MessageQueue {
    try spool.configure(name, policy: policy)
  }
  func queueNames() throws -> [String] { try spool.queueNames() }
}
