import BazaarCore
import BazaarTesting
import Synchronization
import Testing

/// The payment use cases over the real SQLite store and a scripted gateway: every outcome of
/// every gateway call, and the crash points between a call and its commit.
@Suite struct PaymentDeskTests {
  let harness = AccountsHarness()
  let gateway = ScriptedGateway()
  let alerts = Alerts()
  let buyer: AccessClaims
  let apples: Product
  let order: Order

  init() throws {
    _ = try harness.sellers.register(
      .init(email: "shop@example.com", password: "correct horse", businessName: "Minji", businessNumber: "2208162517"))
    let seller = try harness.sellers.login(email: "shop@example.com", password: "correct horse").0.claims
    apples = try harness.catalog.create(by: seller, .init(name: "Apples", description: "", price: 32_000, stock: 10))
    _ = try harness.accounts.signup(.init(email: "kim@example.com", password: "correct horse"))
    buyer = try harness.accounts.login(email: "kim@example.com", password: "correct horse").0.claims
    let placement = OrderDesk.Placement(
      items: [.init(productID: apples.id.rawValue, quantity: 2)],
      shipping: OrderShipping(recipient: "Kim", phone: "010-1234-5678", postalCode: "06236", line1: "A", line2: nil))
    let placed = try harness.orders.place(by: buyer, placement)
    order = placed
  }

  func desk(store: (any Store)? = nil, gateway: (any PaymentGateway)?? = .none) -> PaymentDesk {
    let alerts = alerts
    return PaymentDesk(
      store: store ?? harness.store, gateway: gateway ?? self.gateway, unconfigured: "no key",
      settings: PaymentSettings(publicURL: "https://shop.test", readyLifetime: 600, uncertainAfter: 12),
      ids: harness.ids, secrets: SequentialSecrets(), clock: harness.clock,
      alert: { alert in alerts.list.withLock { $0.append(alert) } })
  }

  var payments: [Payment] { harness.store.state.payments }
  var orderStatus: OrderStatus { harness.store.state.orders[order.id]!.status }
  var events: [String] { harness.store.state.outbox.map(\.event.type) }
  var reserved: Int64 { harness.store.state.products[apples.id]!.reserved }

  @discardableResult
  func approve(_ payment: Payment, desk: PaymentDesk? = nil) throws -> PaymentOutcome {
    try (desk ?? self.desk()).approve(state: payment.state, pgToken: "pg-token")
  }

  @Test func payReadiesTheServersTotalAndRepeatsWhileReady() throws {
    let payment = try desk().pay(order.id.rawValue, by: buyer)
    #expect(payment.status == .ready && payment.amount == Money(won: 64_000) && payment.tid == "T1")
    let sent = gateway.held("T1")!.request
    #expect(sent.total == Money(won: 64_000) && sent.taxFree == Money(won: 0) && sent.quantity == 2)
    #expect(sent.partnerOrderID == order.id.rawValue && sent.partnerUserID == buyer.subject)
    #expect(sent.itemName == "Apples")
    #expect(sent.approvalURL == "https://shop.test/payments/kakaopay/approve?state=" + payment.state)
    #expect(try desk().pay(order.id.rawValue, by: buyer) == payment)
    #expect(gateway.calls == ["ready"])
    // Past its expiry a new attempt replaces it.
    harness.clock.advance(seconds: 601)
    let next = try desk().pay(order.id.rawValue, by: buyer)
    #expect(next.id != payment.id && payments.map(\.status) == [.canceled, .ready])
    #expect(payments[0].failureReason == "superseded")
  }

  @Test func onlyTheOwnerPaysAndOnlyAPayableOrder() throws {
    let other = AccessClaims(
      subject: "usr_00000000000000000000000099", role: .user, tokenID: "t", issuedAt: .init(seconds: 1),
      expiresAt: .init(seconds: 9_999_999_999))
    #expect(throws: OrderError.orderNotFound) { try desk().pay(order.id.rawValue, by: other) }
    #expect(throws: PaymentError.notConfigured("no key")) {
      try desk(gateway: .some(nil)).pay(order.id.rawValue, by: buyer)
    }
    harness.clock.advance(seconds: 901)
    #expect(throws: PaymentError.orderNotPayable(.pendingPayment, expired: true)) {
      try desk().pay(order.id.rawValue, by: buyer)
    }
    #expect(gateway.calls.isEmpty)
  }

  @Test func approvalPaysTheOrderWithItsEventsInOneCommit() throws {
    let payment = try desk().pay(order.id.rawValue, by: buyer)
    let outcome = try approve(payment)
    #expect(outcome.payment.status == .completed && outcome.orderStatus == .paid && outcome.result == "completed")
    #expect(outcome.payment.aid == "A-T1" && outcome.payment.method == "CARD")
    #expect(events == ["order.placed", "payment.completed", "order.paid"])
    // The same callback again answers the same outcome without calling the gateway.
    #expect(try approve(payment).payment == outcome.payment)
    #expect(gateway.calls == ["ready", "approve"])
  }

  @Test func aForgedOrReusedStateIsRefusedAndChangesNothing() throws {
    let payment = try desk().pay(order.id.rawValue, by: buyer)
    let before = harness.store.state.payments
    for state in [payment.id.rawValue + ".wrong", payment.id.rawValue, "x.y", "", payment.state + "x"] {
      #expect(throws: PaymentError.invalidState) { try desk().approve(state: state, pgToken: "t") }
    }
    #expect(throws: FieldError.self) { try desk().approve(state: payment.state, pgToken: "") }
    #expect(harness.store.state.payments == before && gateway.calls == ["ready"])
  }

  @Test func anAmountMismatchIsRefundedAtOnceAndAlerted() throws {
    let payment = try desk().pay(order.id.rawValue, by: buyer)
    gateway.script("approve", .approveTotal(Money(won: 100)))
    let outcome = try approve(payment)
    #expect(outcome.payment.status == .failed && outcome.payment.failureReason == "amount_mismatch")
    #expect(orderStatus == .pendingPayment && events == ["order.placed"])
    #expect(gateway.calls == ["ready", "approve", "cancel"] && gateway.held("T1")!.status == .canceled)
    #expect(alerts.list.withLock { $0.map(\.message) } == ["payment amount mismatch: refunded at once"])
    #expect(try harness.store.read { try $0.payments.count(failureReason: "amount_mismatch") } == 1)
  }

  @Test func aLostApprovalAnswerIsReconciledNeverApprovedTwice() throws {
    let payment = try desk().pay(order.id.rawValue, by: buyer)
    gateway.script("approve", .effectThenFail(.unavailable("timeout")))
    #expect(throws: PaymentError.gatewayUnavailable("timeout")) { try approve(payment) }
    #expect(payments[0].status == .approving && orderStatus == .pendingPayment)
    // While the call may still be running, nothing settles it.
    #expect(try approve(payment).result == "pending")
    #expect(try desk().reconcileUncertain().checked == 0)
    // The expiry sweep leaves the order alone meanwhile.
    harness.clock.advance(seconds: 901)
    #expect(try harness.orders.expireDue() == 0)
    let report = try desk().reconcileUncertain()
    #expect(report.completed == 1 && orderStatus == .paid)
    #expect(gateway.calls == ["ready", "approve", "lookup"])
  }

  @Test func anAlreadyApprovedAnswerIsReconciledThroughLookup() throws {
    let payment = try desk().pay(order.id.rawValue, by: buyer)
    _ = try gateway.approve(.init(tid: "T1", partnerOrderID: "", partnerUserID: "", pgToken: ""))
    let outcome = try approve(payment)
    #expect(outcome.payment.status == .completed && orderStatus == .paid)
    #expect(gateway.calls == ["ready", "approve", "approve", "lookup"])
  }

  @Test func anApprovalThatNeverReachedTheGatewayMakesThePaymentReadyAgain() throws {
    let payment = try desk().pay(order.id.rawValue, by: buyer)
    gateway.script("approve", .fail(.unavailable("connection refused")))
    #expect(throws: PaymentError.gatewayUnavailable("connection refused")) { try approve(payment) }
    harness.clock.advance(seconds: 13)
    let settled = try desk().payment(of: order.id.rawValue, by: buyer)
    #expect(settled.payment.status == .ready)
    #expect(try approve(payment).payment.status == .completed)
  }

  @Test func anOrderCanceledDuringTheApprovalIsNeverCharged() throws {
    let payment = try desk().pay(order.id.rawValue, by: buyer)
    let (store, ids, clock) = (harness.store, harness.ids, harness.clock)
    gateway.duringApprove.withLock {
      $0 = {
        // The sweep cannot expire it (approving), so an operator's direct cancel stands in.
        _ = try? store.write { tx in
          let current = try tx.orders.order(id: payment.orderID)!
          _ = try tx.apply(.cancel, to: current, at: clock.now(), ids: ids)
        }
      }
    }
    let outcome = try approve(payment)
    #expect(outcome.payment.status == .failed && outcome.payment.failureReason == "order_not_payable")
    #expect(gateway.held("T1")!.status == .canceled && orderStatus == .canceled)
    #expect(!events.contains("payment.completed"))
  }

  @Test func anExpiredOrCanceledOrderRefusesTheCallbackWithoutCallingApprove() throws {
    let payment = try desk().pay(order.id.rawValue, by: buyer)
    _ = try harness.orders.cancel(order.id.rawValue, by: buyer)
    #expect(payments[0].status == .canceled && payments[0].failureReason == "order_canceled")
    #expect(try approve(payment).result == "canceled")
    #expect(gateway.calls == ["ready"])
  }

  @Test func theBuyersCancelAndFailCallbacksLeaveTheOrderPayable() throws {
    let first = try desk().pay(order.id.rawValue, by: buyer)
    #expect(try desk().abandon(state: first.state, as: .canceled).payment.failureReason == "buyer_canceled")
    let second = try desk().pay(order.id.rawValue, by: buyer)
    #expect(try desk().abandon(state: second.state, as: .failed).result == "failed")
    #expect(orderStatus == .pendingPayment && payments.count == 2)
    #expect(try approve(first).result == "canceled")
  }

  @Test func aRefundCancelsTheOrderReleasesStockAndEmitsBothEvents() throws {
    let payment = try desk().pay(order.id.rawValue, by: buyer)
    try approve(payment)
    #expect(reserved == 2)
    let canceled = try desk().cancelOrder(order.id.rawValue, by: buyer)
    #expect(canceled.status == .canceled && reserved == 0)
    #expect(payments[0].status == .canceled && payments[0].canceledAmount == Money(won: 64_000))
    #expect(events.suffix(2) == ["payment.canceled", "order.canceled"])
    #expect(throws: OrderError.notCancelable(.canceled)) {
      try desk().cancelOrder(order.id.rawValue, by: buyer)
    }
  }

  @Test func aLostRefundAnswerIsSettledByLookupNeverRefundedTwice() throws {
    let payment = try desk().pay(order.id.rawValue, by: buyer)
    try approve(payment)
    gateway.script("cancel", .effectThenFail(.unavailable("timeout")))
    #expect(throws: PaymentError.gatewayUnavailable("timeout")) {
      try desk().cancelOrder(order.id.rawValue, by: buyer)
    }
    #expect(orderStatus == .canceling && payments[0].status == .refunding && reserved == 2)
    harness.clock.advance(seconds: 13)
    #expect(try desk().reconcileUncertain().canceled == 1)
    #expect(orderStatus == .canceled && reserved == 0 && gateway.calls.filter { $0 == "cancel" }.count == 1)
  }

  @Test func aRefundThatNeverReachedTheGatewayIsMadeOnceByReconciliation() throws {
    let payment = try desk().pay(order.id.rawValue, by: buyer)
    try approve(payment)
    gateway.script("cancel", .fail(.unavailable("connection refused")))
    #expect(throws: PaymentError.self) { try desk().cancelOrder(order.id.rawValue, by: buyer) }
    harness.clock.advance(seconds: 13)
    #expect(try desk().reconcileUncertain().canceled == 1)
    #expect(orderStatus == .canceled && gateway.held("T1")!.canceled == Money(won: 64_000))
  }

  @Test func aRefusedRefundLeavesTheOrderPaid() throws {
    let payment = try desk().pay(order.id.rawValue, by: buyer)
    try approve(payment)
    gateway.script("cancel", .fail(.rejected(code: -783, message: "state does not allow it")))
    #expect(throws: PaymentError.refundRefused("the gateway refused (-783): state does not allow it")) {
      try desk().cancelOrder(order.id.rawValue, by: buyer)
    }
    #expect(orderStatus == .paid && payments[0].status == .completed && reserved == 2)
  }

  @Test func aCrashBetweenTheGatewaysAnswerAndTheCommitIsReconciled() throws {
    let payment = try desk().pay(order.id.rawValue, by: buyer)
    // The commit after the approval fails as a crash would stop it: nothing of it is kept.
    let crashing = desk(store: harness.store.faults.store(harness.store, failing: .statement(Statement.appendEvent)))
    #expect(throws: InjectedFailure(.statement(Statement.appendEvent))) { try approve(payment, desk: crashing) }
    #expect(payments[0].status == .approving && orderStatus == .pendingPayment && events == ["order.placed"])
    harness.clock.advance(seconds: 13)
    #expect(try desk().payment(of: order.id.rawValue, by: buyer).payment.status == .completed)
    #expect(orderStatus == .paid && gateway.calls == ["ready", "approve", "lookup"])
  }
}

/// What the desk alerted, in order.
final class Alerts: Sendable {
  let list = Mutex<[PaymentAlert]>([])
}

extension PaymentDeskTests {
  @Test func reconcilingWithNothingUncertainNeedsNoGateway() throws {
    #expect(try desk(gateway: .some(nil)).reconcileUncertain() == PaymentDesk.ReconcileReport())
    let payment = try desk().pay(order.id.rawValue, by: buyer)
    gateway.script("approve", .effectThenFail(.unavailable("timeout")))
    #expect(throws: PaymentError.self) { try approve(payment) }
    harness.clock.advance(seconds: 13)
    #expect(throws: PaymentError.notConfigured("no key")) { try desk(gateway: .some(nil)).reconcileUncertain() }
  }
}

extension PaymentDeskTests {
  @Test func reconciliationMakesALostRefundOnceAndReportsARefusalWithoutStopping() throws {
    let payment = try desk().pay(order.id.rawValue, by: buyer)
    try approve(payment)
    gateway.script("cancel", .fail(.unavailable("connection refused")))
    #expect(throws: PaymentError.self) { try desk().cancelOrder(order.id.rawValue, by: buyer) }
    harness.clock.advance(seconds: 13)
    gateway.script("cancel", .fail(.rejected(code: -783, message: "not allowed")))
    let report = try desk().reconcileUncertain()
    #expect(report.checked == 1 && report.reverted == 1 && orderStatus == .paid && payments[0].status == .completed)
    #expect(alerts.list.withLock { $0.map(\.message) } == ["refund refused by the gateway: the order is paid again"])
  }
}
