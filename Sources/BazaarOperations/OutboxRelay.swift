package import BazaarCore
internal import BazaarJSON
package import Spool

#if canImport(Glibc)
  internal import Glibc
#endif

/// Publishes committed outbox events into the spool queues `EventRoutes` names, then marks
/// them relayed.
///
/// Each batch is claimed in a write transaction under a lease (`leaseMilliseconds`), so two
/// relays (cron beside a daemon) do not publish the same batch at once; published with one
/// directory fsync per queue; then marked in a second transaction. A relay killed between
/// publishing and marking leaves the batch claimed until its lease passes, and the next relay
/// publishes it again: delivery is at least once, and consumers deduplicate by event id.
package struct OutboxRelay {
  package var store: any Store
  package var spool: Spool
  package var clock: any Clock
  package var batchSize: Int
  package var leaseMilliseconds: Int64

  package init(store: any Store, spool: Spool, clock: any Clock, batchSize: Int = 200, leaseMilliseconds: Int64) {
    self.store = store
    self.spool = spool
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
        try spool.queue(queue).publish(batch: bodies)
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

/// `bazaar outbox …` and `bazaar orders expire`, as JSON answers.
package enum ShopOperations {
  /// `{"relayed", "published", "pending"}` after relaying everything pending (once), or, with
  /// `follow`, after `shouldStop` says so (polling every `intervalMilliseconds` when idle).
  package static func relay(
    _ relay: OutboxRelay, follow: Bool, intervalMilliseconds: Int64, shouldStop: @escaping () -> Bool
  ) throws -> QueueAnswer {
    var total = OutboxRelay.Report()
    repeat {
      let report = try relay.relayPending(shouldStop: shouldStop)
      total.relayed += report.relayed
      total.published += report.published
      if follow && report.relayed == 0 && !shouldStop() { usleep(useconds_t(intervalMilliseconds * 1000)) }
    } while follow && !shouldStop()
    let stats = try relay.store.read { try $0.outbox.stats() }
    return QueueAnswer([
      "relayed": .integer(Int64(total.relayed)), "published": .integer(Int64(total.published)),
      "pending": .integer(Int64(stats.pending)),
    ])
  }

  /// `{"pending", "oldestPendingAgeSeconds", "relayed"}`.
  package static func outboxStats(_ store: any Store, clock: any Clock) throws -> QueueAnswer {
    let stats = try store.read { try $0.outbox.stats() }
    let age = stats.oldestPending.map { JSONValue.number(Double(clock.now().milliseconds - $0.milliseconds) / 1000) }
    return QueueAnswer([
      "pending": .integer(Int64(stats.pending)), "oldestPendingAgeSeconds": age ?? .null,
      "relayed": .integer(Int64(stats.relayed)),
    ])
  }

  /// `{"expired"}` after expiring every unpaid order past its `expiresAt`.
  package static func expireOrders(_ desk: OrderDesk) throws -> QueueAnswer {
    QueueAnswer(["expired": .integer(Int64(try desk.expireDue()))])
  }
}

extension ShopOperations {
  /// `{"checked", "completed", "failed", "canceled", "reverted", "unresolved"}` after settling
  /// every payment whose gateway call's outcome is unknown, once or (with `follow`) until
  /// `shouldStop` says so, every `intervalMilliseconds`.
  package static func reconcilePayments(
    _ desk: PaymentDesk, follow: Bool, intervalMilliseconds: Int64, shouldStop: @escaping () -> Bool
  ) throws -> QueueAnswer {
    var total = PaymentDesk.ReconcileReport()
    repeat {
      let report = try desk.reconcileUncertain()
      total.checked += report.checked
      total.completed += report.completed
      total.failed += report.failed
      total.canceled += report.canceled
      total.reverted += report.reverted
      total.unresolved = report.unresolved
      if follow && !shouldStop() { usleep(useconds_t(intervalMilliseconds * 1000)) }
    } while follow && !shouldStop()
    return QueueAnswer([
      "checked": .integer(Int64(total.checked)), "completed": .integer(Int64(total.completed)),
      "failed": .integer(Int64(total.failed)), "canceled": .integer(Int64(total.canceled)),
      "reverted": .integer(Int64(total.reverted)), "unresolved": .integer(Int64(total.unresolved)),
    ])
  }
}
