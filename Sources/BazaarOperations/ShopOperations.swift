package import BazaarCore
internal import BazaarJSON
package import BazaarScheduler

#if canImport(Glibc)
  internal import Glibc
#endif

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

extension ShopOperations {
  /// A scheduler pass's report as the command's answer.
  package static func schedulerReport(_ report: SchedulerPass.Report) -> QueueAnswer {
    QueueAnswer([
      "leasesReturned": .integer(Int64(report.leasesReturned)), "relayed": .integer(Int64(report.relayed)),
      "eventsHandled": .integer(Int64(report.eventsHandled)),
      "shipmentsRequested": .integer(Int64(report.shipmentsRequested)),
      "shipmentsDispatched": .integer(Int64(report.shipmentsDispatched)),
      "shipmentsCanceled": .integer(Int64(report.shipmentsCanceled)), "retried": .integer(Int64(report.retried)),
      "deadLettered": .integer(Int64(report.deadLettered)), "ordersExpired": .integer(Int64(report.ordersExpired)),
      "paymentsReconciled": .integer(Int64(report.paymentsReconciled)),
    ])
  }
}
