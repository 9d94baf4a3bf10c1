package import BazaarCore
internal import BazaarJSON
package import Spool

/// The queue port over the directory spool. A message that is not a CloudEvent the shop can
/// read is given back with the reason and claimed again until its retry budget takes it to the
/// dead letters, all within one `claim`: no consumer could ever handle it.
package struct SpoolEventQueue: EventQueue {
  package let spool: Spool

  package init(spool: Spool) {
    self.spool = spool
  }

  package func publish(_ queue: String, _ bodies: [[UInt8]]) throws {
    _ = try spool.queue(queue).publish(batch: bodies)
  }

  package func claim(_ queue: String, leaseMilliseconds: Int64) throws -> QueuedEvent? {
    let spoolQueue = try spool.queue(queue)
    while let message = try spoolQueue.claim(leaseMilliseconds: leaseMilliseconds) {
      guard let event = try? JSONValue.parse(message.body), let type = event["type"]?.stringValue,
        let source = event["source"]?.stringValue, let id = event["id"]?.stringValue
      else {
        try spoolQueue.nack(message.receipt, delayMilliseconds: 0, error: "not a CloudEvent with type, source and id")
        continue
      }
      return QueuedEvent(
        receipt: message.receipt, type: type, source: source, id: id, data: event["data"] ?? .null,
        receives: message.receiveCount)
    }
    return nil
  }

  package func ack(_ queue: String, _ receipt: String) throws {
    try spool.queue(queue).ack(receipt)
  }

  package func nack(_ queue: String, _ receipt: String, error: String) throws -> Bool {
    try spool.queue(queue).nack(receipt, error: error) == .deadLettered
  }

  package func extend(_ queue: String, _ receipt: String, milliseconds: Int64) throws -> String {
    try spool.queue(queue).extendLease(receipt, milliseconds: milliseconds).receipt
  }

  package func returnExpiredLeases(_ queue: String) throws -> Int {
    let report = try spool.queue(queue).reap()
    return report.returned + report.deadLettered
  }
}
