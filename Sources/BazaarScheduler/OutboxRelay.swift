package import BazaarCore
internal import BazaarJSON

#if canImport(Glibc)
  internal import Glibc
#endif

/// Publishes committed outbox events into the queues `EventRoutes` names, then marks them
/// relayed.
///
/// Each batch is claimed in a write transaction under a lease (`leaseMilliseconds`), so two
/// relays (cron beside a daemon) do not publish the same batch at once; published with one
/// directory fsync per queue; then marked in a second transaction. A relay killed between
/// publishing and marking leaves the batch claimed until its lease passes, and the next relay
/// publishes it again: delivery is at least once, and consumers deduplicate by event id.
package struct OutboxRelay {
  package var store: any Store
  package var queue: any EventQueue
  package var clock: any Clock
  package var batchSize: Int
  package var leaseMilliseconds: Int64

  package init(
    store: any Store, queue: any EventQueue, clock: any Clock, batchSize: Int = 200, leaseMilliseconds: Int64
  ) {
    self.store = store
    self.queue = queue
    self.clock = clock
    self.batchSize = batchSize
    self.leaseMilliseconds = leaseMilliseconds
  }

  /// What a run did.
  package struct Report: Equatable, Sendable {
    /// Events marked relayed.
    package var relayed = 0
    /// Messages written to queues (an event routed to two queues counts twice).
    package var published = 0

    package init() {}
  }

  /// Relays batches until none is left (or `shouldStop`); returns what it did.
  package func relayPending(shouldStop: () -> Bool = { false }) throws -> Report {
    var report = Report()
    while !shouldStop() {
      let now = clock.now()
      let events = try store.write {
        try $0.outbox.claim(
          limit: batchSize, now: now, leaseUntil: Timestamp(milliseconds: now.milliseconds + leaseMilliseconds))
      }
      if events.isEmpty { break }
      var byQueue: [String: [[UInt8]]] = [:]
      var order: [String] = []
      for event in events {
        for queue in EventRoutes.queues(for: event.type) {
          if byQueue[queue] == nil { order.append(queue) }
          byQueue[queue, default: []].append(Array(event.json.utf8))
        }
      }
      for queue in order {
        let bodies = byQueue[queue]!
        try self.queue.publish(queue, bodies)
        report.published += bodies.count
      }
      OutboxFaults.reach(.afterPublish)
      try store.write { try $0.outbox.markRelayed(events.map(\.id), at: clock.now()) }
      report.relayed += events.count
      if events.count < batchSize { break }
    }
    return report
  }
}

/// Test-only crash points: a debug build reads `BAZAAR_OUTBOX_FAULT=after-publish` and exits
/// with 86 there (between publishing a batch and marking it relayed).
enum OutboxFaults: String {
  case afterPublish = "after-publish"

  static func reach(_ point: OutboxFaults) {
    #if DEBUG
      if let chosen = getenv("BAZAAR_OUTBOX_FAULT"), String(cString: chosen) == point.rawValue { _exit(86) }
    #endif
  }
}
