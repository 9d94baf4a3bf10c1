public import QueuePort

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
  func wakeUp(for names: [String]) -> QueueWakeUp {
    .newFiles(inDirectories: names.map { spool.root + "/" + $0 + "/new" })
  }
}
