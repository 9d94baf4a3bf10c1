package import BazaarCore
internal import BazaarJSON
package import QueuePort

/// The queue port over a queue backend: the directory spool, or PostgreSQL's queue table
/// (`BAZAAR_QUEUE_URL`). A message that is not a CloudEvent the shop can
/// read is given back with the reason and claimed again until its retry budget takes it to the
/// dead letters, all within one `claim`: no consumer could ever handle it.
package struct MessageEventQueue: EventQueue {
  package let queues: any MessageQueues

  package init(_ queues: any MessageQueues) {
    self.queues = queues
  }

  package func publish(_ queue: String, _ bodies: [[UInt8]]) throws {
    _ = try queues.queue(queue).publish(batch: bodies, delayMilliseconds: 0)
  }

  package func claim(_ queue: String, leaseMilliseconds: Int64) throws -> QueuedEvent? {
    let source = try queues.queue(queue)
    while let message = try source.claim(leaseMilliseconds: leaseMilliseconds) {
      guard let event = try? JSONValue.parse(message.body), let type = event["type"]?.stringValue,
        let source = event["source"]?.stringValue, let id = event["id"]?.stringValue
      else {
        _ = try source.nack(message.receipt, delayMilliseconds: 0, error: "not a CloudEvent with type, source and id")
        continue
      }
      return QueuedEvent(
        receipt: message.receipt, type: type, source: source, id: id, data: event["data"] ?? .null,
        receives: message.receiveCount)
    }
    return nil
  }

  package func ack(_ queue: String, _ receipt: String) throws {
    try queues.queue(queue).ack(receipt)
  }

  package func nack(_ queue: String, _ receipt: String, error: String) throws -> Bool {
    try queues.queue(queue).nack(receipt, delayMilliseconds: nil, error: error) == .deadLettered
  }

  package func extend(_ queue: String, _ receipt: String, milliseconds: Int64) throws -> String {
    try queues.queue(queue).extendLease(receipt, milliseconds: milliseconds).receipt
  }

  package func returnExpiredLeases(_ queue: String) throws -> Int {
    let report = try queues.queue(queue).reap()
    return report.returned + report.deadLettered
  }
}
