package import BazaarJSON

/// A domain event on its way out: a CloudEvents 1.0 JSON object, written to the outbox in the
/// same transaction as the change it reports, and relayed to the spool afterwards.
package struct OutboxEvent: Equatable, Sendable {
  /// `evt_…`: unique, so consumers deduplicate by (`source`, `id`).
  package var id: String
  /// `/bazaar/orders`, say: where in the shop the event comes from.
  package var source: String
  /// `order.placed`, `order.canceled`, …
  package var type: String
  /// The entity it is about (the order id).
  package var subject: String
  package var time: Timestamp
  /// The event's `data` member.
  package var data: JSONValue

  package init(id: String, source: String, type: String, subject: String, time: Timestamp, data: JSONValue) {
    self.id = id
    self.source = source
    self.type = type
    self.subject = subject
    self.time = time
    self.data = data
  }

  /// The event as a CloudEvents 1.0 JSON object (structured content mode).
  package var cloudEvent: JSONValue {
    [
      "specversion": "1.0", "id": .string(id), "source": .string(source), "type": .string(type),
      "subject": .string(subject), "time": .string(time.rfc3339), "datacontenttype": "application/json", "data": data,
    ]
  }
}

/// An event the relay holds: its id and type, and the CloudEvent JSON text to publish.
package struct PendingEvent: Equatable, Sendable {
  package var id: String
  package var type: String
  /// The CloudEvents 1.0 JSON object, as written.
  package var json: String

  package init(id: String, type: String, json: String) {
    self.id = id
    self.type = type
    self.json = json
  }
}

/// How many events wait in the outbox, and since when.
package struct OutboxStats: Equatable, Sendable {
  /// Events not yet relayed.
  package var pending: Int
  /// When the oldest pending event was written; nil when none waits.
  package var oldestPending: Timestamp?
  /// Events relayed and kept.
  package var relayed: Int

  package init(pending: Int, oldestPending: Timestamp?, relayed: Int) {
    self.pending = pending
    self.oldestPending = oldestPending
    self.relayed = relayed
  }
}

/// The outbox table, inside a store transaction: events are appended with the change they
/// report, and claimed and marked by the relay.
package protocol OutboxRepository {
  /// Adds an event.
  func append(_ event: OutboxEvent) throws
  /// Up to `limit` events not yet relayed, oldest first, that no other relay holds (a claim
  /// lasts until `leaseUntil`; one whose lease passed `now` is claimed again). Selects by
  /// "not relayed", never by "after the last one seen", so an event that commits late is not
  /// skipped.
  func claim(limit: Int, now: Timestamp, leaseUntil: Timestamp) throws -> [PendingEvent]
  /// Marks events as relayed.
  func markRelayed(_ ids: [String], at now: Timestamp) throws
  /// Pending and relayed counts.
  func stats() throws -> OutboxStats
}
