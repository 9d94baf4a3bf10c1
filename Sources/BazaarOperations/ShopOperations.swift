package import BazaarCore
package import BazaarJSON
package import BazaarScheduler
package import QueuePort
package import Spool

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

extension ShopOperations {
  /// What `bazaar status` shows: the queues (depths, the oldest ready message's age, dead
  /// letters), the outbox backlog, orders, shipments and payments by status (with those
  /// awaiting reconciliation and the amount mismatches), and the scheduler's last pass.
  package static func status(
    store: any Store, queues: any MessageQueues, lastPass: JSONValue?, clock: any Clock
  ) throws -> JSONValue {
    var depths: [String: JSONValue] = [:]
    for name in try queues.queueNames() {
      let stats = try queues.existingQueue(name).stats()
      depths[name] = [
        "ready": .integer(Int64(stats.ready)), "delayed": .integer(Int64(stats.delayed)),
        "inFlight": .integer(Int64(stats.inFlight)), "dead": .integer(Int64(stats.dead)),
        "oldestReadyAgeSeconds": stats.oldestReadyAgeMilliseconds.map { .number(Double($0) / 1000) } ?? .null,
      ]
    }
    let now = clock.now()
    let (outbox, orders, shipments, payments, mismatches) = try store.read { tx in
      (
        try tx.outbox.stats(), try tx.orders.countByStatus(), try tx.shipments.countByStatus(),
        try tx.payments.countByStatus(), try tx.payments.count(failureReason: "amount_mismatch")
      )
    }
    var scheduler: JSONValue = .null
    if case .object(var pass)? = lastPass, case .integer(let endedAt)? = pass["endedAt"] {
      pass["ageSeconds"] = .number(Double(now.milliseconds - endedAt) / 1000)
      scheduler = .object(pass)
    }
    return [
      "queues": .object(depths),
      "outbox": [
        "pending": .integer(Int64(outbox.pending)),
        "oldestPendingAgeSeconds": outbox.oldestPending.map {
          .number(Double(now.milliseconds - $0.milliseconds) / 1000)
        }
          ?? .null,
      ],
      "orders": counts(orders), "shipments": counts(shipments),
      "payments": [
        "byStatus": counts(payments),
        "awaitingReconciliation": .integer(Int64((payments[.approving] ?? 0) + (payments[.refunding] ?? 0))),
        "amountMismatches": .integer(Int64(mismatches)),
      ],
      "scheduler": scheduler,
    ]
  }

  /// Up to `limit` dead letters of each queue, oldest first as `queue peek` lists them:
  /// `[{queue, id, type, lastError, settledAt, receiveCount}]` (the bodies stay on the shell).
  package static func deadLetters(queues: any MessageQueues, limit: Int) throws -> JSONValue {
    var letters: [(queue: String, message: StoredMessage)] = []
    for name in try queues.queueNames() {
      letters += try queues.existingQueue(name).peek(.dead, limit: limit).map { (name, $0) }
    }
    return .array(
      letters.map { letter in
        let type = letter.message.body.flatMap { try? JSONValue.parse($0) }?["type"] ?? .null
        return [
          "queue": .string(letter.queue), "id": .string(letter.message.id), "type": type,
          "lastError": letter.message.lastError.map { .string($0) } ?? .null,
          "settledAt": .string(Timestamp(milliseconds: letter.message.time).rfc3339),
          "receiveCount": .integer(Int64(letter.message.receiveCount)),
        ]
      })
  }

  /// The status as one screen of text.
  package static func statusText(_ status: JSONValue) -> String {
    var lines: [String] = []
    if case .object(let queues)? = status["queues"] {
      lines.append("queues")
      for (name, stats) in queues.sorted(by: { $0.key < $1.key }) {
        let age = stats["oldestReadyAgeSeconds"]?.doubleValue.map { " oldest \(Int($0)) s" } ?? ""
        lines.append(
          "  \(name): ready \(text(stats["ready"])), delayed \(text(stats["delayed"])), in flight "
            + "\(text(stats["inFlight"])), dead \(text(stats["dead"]))\(age)")
      }
    }
    lines.append("outbox: \(text(status["outbox"]?["pending"])) pending")
    for section in ["orders", "shipments"] {
      if case .object(let counts)? = status[section] {
        let parts = counts.sorted(by: { $0.key < $1.key }).map { "\($0.key) \(text($0.value))" }
        lines.append("\(section): " + (parts.isEmpty ? "none" : parts.joined(separator: ", ")))
      }
    }
    if let payments = status["payments"] {
      lines.append(
        "payments: awaiting reconciliation \(text(payments["awaitingReconciliation"])), amount mismatches "
          + text(payments["amountMismatches"]))
    }
    if let pass = status["scheduler"], pass != .null {
      let age = pass["ageSeconds"]?.doubleValue.map { String(Int($0)) } ?? "?"
      lines.append("scheduler: last pass \(age) s ago, took \(text(pass["durationMs"])) ms")
    } else {
      lines.append("scheduler: no pass recorded")
    }
    return lines.joined(separator: "\n")
  }

  private static func counts<Status: RawRepresentable>(_ counts: [Status: Int]) -> JSONValue
  where Status.RawValue == String {
    .object(Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, .integer(Int64($0.value))) }))
  }

  private static func text(_ value: JSONValue?) -> String {
    switch value {
    case .integer(let number)?: String(number)
    case .number(let number)?: String(number)
    default: "-"
    }
  }
}
