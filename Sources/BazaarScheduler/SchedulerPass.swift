package import BazaarCore
internal import BazaarJSON

/// One full pass of the scheduler: everything the shop does after a request has answered.
///
/// 1. returns expired leases of its queues;
/// 2. relays the outbox into the queues;
/// 3. consumes `payments`: `payment.completed` requests the order's shipments (their
///    `shipment.requested` events go to the outbox in the same transaction, never straight to a
///    queue); `payment.canceled` cancels the shipments not started;
/// 4. relays again, then runs the `shipments` jobs: a requested shipment is dispatched through
///    the built-in carrier (automatic fulfilment);
/// 5. relays again; expires unpaid orders; reconciles payments whose outcome is unknown.
///
/// Every consumer is idempotent (processed events, status checks), so a pass killed anywhere
/// and run again, or several passes at once (cron beside a daemon), do the work once. An event
/// a consumer cannot handle is retried with backoff and dead-lettered past the retry budget.
package struct SchedulerPass: Sendable {
  package var store: any Store
  package var queue: any EventQueue
  package var orders: OrderDesk
  package var payments: PaymentDesk
  package var shipments: ShipmentDesk
  package var carrier: any Carrier
  package var clock: any Clock
  /// How long a claimed event (or outbox batch) is held before another scheduler may take it.
  package var leaseMilliseconds: Int64

  package init(
    store: any Store, queue: any EventQueue, orders: OrderDesk, payments: PaymentDesk, shipments: ShipmentDesk,
    carrier: any Carrier, clock: any Clock, leaseMilliseconds: Int64 = 30_000
  ) {
    self.store = store
    self.queue = queue
    self.orders = orders
    self.payments = payments
    self.shipments = shipments
    self.carrier = carrier
    self.clock = clock
    self.leaseMilliseconds = leaseMilliseconds
  }

  /// The queues the scheduler consumes.
  package static let consumedQueues = ["payments", "shipments"]

  /// What a pass did.
  package struct Report: Equatable, Sendable {
    package var leasesReturned = 0
    package var relayed = 0
    package var eventsHandled = 0
    package var shipmentsRequested = 0
    package var shipmentsDispatched = 0
    package var shipmentsCanceled = 0
    package var retried = 0
    package var deadLettered = 0
    package var ordersExpired = 0
    package var paymentsReconciled = 0

    package init() {}

    /// Whether the pass found anything to do.
    package var didWork: Bool { self != Report() }
  }

  /// Runs one pass; `shouldStop` is checked between events, so a stop finishes the event in
  /// hand and leaves the rest to the next pass.
  package func run(shouldStop: () -> Bool = { false }) throws -> Report {
    var report = Report()
    for name in Self.consumedQueues { report.leasesReturned += try queue.returnExpiredLeases(name) }
    try relay(&report, shouldStop)
    try consume("payments", &report, shouldStop) { event, report in try paymentEvent(event, &report) }
    try relay(&report, shouldStop)
    try consume("shipments", &report, shouldStop) { event, report in try shipmentEvent(event, &report) }
    try relay(&report, shouldStop)
    if shouldStop() { return report }
    report.ordersExpired = try orders.expireDue()
    try relay(&report, shouldStop)
    do {
      let reconciled = try payments.reconcileUncertain()
      report.paymentsReconciled = reconciled.checked - reconciled.unresolved
    } catch PaymentError.notConfigured {
      // No gateway on this runner: uncertain payments wait for one that has it.
    }
    try relay(&report, shouldStop)
    return report
  }

  private func relay(_ report: inout Report, _ shouldStop: () -> Bool) throws {
    let relay = OutboxRelay(store: store, queue: queue, clock: clock, leaseMilliseconds: leaseMilliseconds)
    report.relayed += try relay.relayPending(shouldStop: shouldStop).relayed
  }

  /// Claims and handles `name`'s events until none is ready (or `shouldStop`).
  private func consume(
    _ name: String, _ report: inout Report, _ shouldStop: () -> Bool,
    handle: (QueuedEvent, inout Report) throws -> Void
  ) throws {
    while !shouldStop(), let event = try queue.claim(name, leaseMilliseconds: leaseMilliseconds) {
      do {
        try handle(event, &report)
        try queue.ack(name, event.receipt)
        report.eventsHandled += 1
      } catch let failure as SchedulerFailure {
        if try queue.nack(name, event.receipt, error: failure.reason) {
          report.deadLettered += 1
        } else {
          report.retried += 1
        }
      }
    }
  }

  /// `payment.completed` → request shipments; `payment.canceled` → cancel the unstarted ones.
  private func paymentEvent(_ event: QueuedEvent, _ report: inout Report) throws {
    guard event.type == "payment.completed" || event.type == "payment.canceled" else { return }
    guard let raw = event.data["orderId"]?.stringValue, let order = OrderID(checking: raw) else {
      throw SchedulerFailure(reason: "\(event.type) \(event.id) names no order (data.orderId)")
    }
    let consumed = ConsumedEvent(source: event.source, id: event.id)
    if event.type == "payment.completed" {
      report.shipmentsRequested += try shipments.request(for: order, event: consumed).count
    } else {
      report.shipmentsCanceled += try shipments.cancelUnstarted(of: order, event: consumed)
    }
  }

  /// `shipment.requested` → dispatch through the built-in carrier, unless its seller fulfils
  /// manually (then it waits for the seller's `ship`). A shipment that started already (a
  /// redelivery) or whose order was canceled meanwhile needs nothing more.
  private func shipmentEvent(_ event: QueuedEvent, _ report: inout Report) throws {
    guard event.type == "shipment.requested" else { return }
    guard let raw = event.data["shipmentId"]?.stringValue, let id = ShipmentID(checking: raw) else {
      throw SchedulerFailure(reason: "\(event.type) \(event.id) names no shipment (data.shipmentId)")
    }
    do {
      if try shipments.dispatchIfAutomatic(id, carrier: carrier) != nil { report.shipmentsDispatched += 1 }
    } catch ShipmentError.invalidTransition, ShipmentError.orderNotShippable {
      return
    } catch ShipmentError.shipmentNotFound {
      throw SchedulerFailure(reason: "shipment \(raw) does not exist")
    }
  }
}

/// An event a consumer cannot handle as it is: retried, then dead-lettered with `reason`.
struct SchedulerFailure: Error {
  var reason: String
}
