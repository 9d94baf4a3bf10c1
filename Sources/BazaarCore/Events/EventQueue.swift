package import BazaarJSON

/// An event handed to one consumer under a lease: what the consumers read, and the receipt
/// that settles it.
package struct QueuedEvent: Sendable {
  /// Settles this delivery (`ack`, `nack`, `extend`); valid while the lease is held.
  package var receipt: String
  package var type: String
  package var source: String
  package var id: String
  package var data: JSONValue
  /// Deliveries so far, this one included.
  package var receives: Int

  package init(receipt: String, type: String, source: String, id: String, data: JSONValue, receives: Int) {
    self.receipt = receipt
    self.type = type
    self.source = source
    self.id = id
    self.data = data
    self.receives = receives
  }
}

/// The scheduler's queue port: publish, claim under a lease, ack, nack (retry with backoff, or
/// the dead-letter queue once the retry budget is spent), extend a lease, and return expired
/// leases. The directory spool is one adapter; a PostgreSQL queue is another.
package protocol EventQueue: Sendable {
  /// Publishes CloudEvents JSON objects to `queue`, durably, as one batch.
  func publish(_ queue: String, _ bodies: [[UInt8]]) throws
  /// The next ready event of `queue` under a lease of `leaseMilliseconds`, or nil.
  func claim(_ queue: String, leaseMilliseconds: Int64) throws -> QueuedEvent?
  /// The event was handled: it leaves the queue.
  func ack(_ queue: String, _ receipt: String) throws
  /// The event failed with `error`: retried later, or dead-lettered (true) past the budget.
  func nack(_ queue: String, _ receipt: String, error: String) throws -> Bool
  /// Holds the lease `milliseconds` longer; returns the new receipt.
  func extend(_ queue: String, _ receipt: String, milliseconds: Int64) throws -> String
  /// Returns every expired lease of `queue` to the ready events; how many.
  func returnExpiredLeases(_ queue: String) throws -> Int
}
