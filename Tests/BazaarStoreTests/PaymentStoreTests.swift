import BazaarCore
import BazaarStore
import BazaarTesting
import Foundation
import Testing

/// The payment port on every adapter, and the payment use cases' commits on each: a failure at
/// any write of a commit after a gateway call leaves no trace of it, and reconciliation settles it.
@Suite struct PaymentStoreTests {
  func order(in shop: OrderStoreTests.Shop) throws -> Order {
    guard case .fresh(let order) = try shop.place([(0, 2)]) else { throw OrderError.orderNotFound }
    return order
  }

  func desk(_ shop: OrderStoreTests.Shop, _ gateway: ScriptedGateway, store: (any Store)? = nil) -> PaymentDesk {
    PaymentDesk(
      store: store ?? shop.store, gateway: gateway, settings: PaymentSettings(publicURL: "https://shop.test"),
      ids: shop.ids, secrets: SequentialSecrets(), clock: shop.clock)
  }

  @Test(arguments: StoreKind.allCases)
  func paymentsRoundTripAndAnOrderHasOneOpenAttempt(kind: StoreKind) throws {
    let shop = try OrderStoreTests.Shop(kind)
    let order = try order(in: shop)
    var payment = Payment(
      id: PaymentID(rawValue: "pay_1"), orderID: order.id, userID: order.userID, status: .ready,
      amount: order.total, tid: "T1", stateSecret: String(repeating: "s", count: 43),
      redirects: PaymentRedirects(pc: "p", mobile: "m", app: "a"), sandbox: true, createdAt: Timestamp(seconds: 10),
      readyExpiresAt: Timestamp(seconds: 910))
    try shop.store.write { try $0.payments.insert(payment) }
    #expect(try shop.store.read { try $0.payments.payment(id: payment.id) } == payment)
    let second = Payment(
      id: PaymentID(rawValue: "pay_2"), orderID: order.id, userID: order.userID, status: .ready, amount: order.total,
      tid: "T2", stateSecret: String(repeating: "t", count: 43), redirects: payment.redirects, sandbox: true,
      createdAt: Timestamp(seconds: 11), readyExpiresAt: Timestamp(seconds: 911))
    #expect(throws: (any Error).self) { try shop.store.write { try $0.payments.insert(second) } }
    payment.status = .approving
    payment.attemptedAt = Timestamp(seconds: 20)
    payment.updatedAt = Timestamp(seconds: 20)
    try shop.store.write { try $0.payments.update(payment) }
    #expect(try shop.store.read { try $0.payments.uncertain(attemptedBefore: Timestamp(seconds: 19), limit: 9) } == [])
    #expect(
      try shop.store.read { try $0.payments.uncertain(attemptedBefore: Timestamp(seconds: 20), limit: 9) } == [
        payment.id
      ])
    payment = payment.ended(.failed, reason: "amount_mismatch", message: "m", at: Timestamp(seconds: 30))
    payment.aid = "A1"
    payment.method = "CARD"
    payment.canceledAmount = Money(won: 5)
    payment.canceledAt = Timestamp(seconds: 30)
    try shop.store.write { try $0.payments.update(payment) }
    try shop.store.write { try $0.payments.insert(second) }
    #expect(try shop.store.read { try $0.payments.payment(id: payment.id) } == payment)
    #expect(try shop.store.read { try $0.payments.latest(for: order.id) } == second)
    #expect(try shop.store.read { try $0.payments.count(failureReason: "amount_mismatch") } == 1)
  }

  @Test(arguments: StoreKind.allCases, [Statement.updateOrder, Statement.appendEvent])
  func aFailedApprovalCommitLeavesNoTraceAndIsReconciled(kind: StoreKind, failing: String) throws {
    let shop = try OrderStoreTests.Shop(kind)
    let order = try order(in: shop)
    let gateway = ScriptedGateway()
    let payment = try desk(shop, gateway).pay(order.id.rawValue, by: shop.buyer)
    let crashing = desk(shop, gateway, store: shop.faults.store(shop.store, failing: .statement(failing)))
    #expect(throws: InjectedFailure(.statement(failing))) { try crashing.approve(state: payment.state, pgToken: "t") }
    #expect(try shop.store.read { try $0.orders.order(id: order.id) }?.status == .pendingPayment)
    #expect(try shop.store.read { try $0.payments.payment(id: payment.id) }?.status == .approving)
    #expect(try shop.store.read { try $0.outbox.stats() }.pending == 1)
    // The sweep leaves the order alone while the approval is uncertain.
    shop.clock.advance(seconds: 901)
    #expect(try shop.desk.expireDue() == 0)
    #expect(try desk(shop, gateway).reconcileUncertain().completed == 1)
    #expect(try shop.store.read { try $0.orders.order(id: order.id) }?.status == .paid)
    #expect(try shop.store.read { try $0.outbox.stats() }.pending == 3)
  }

  @Test(arguments: StoreKind.allCases, [Statement.updateOrder, Statement.appendEvent, Statement.adjustReserved])
  func aFailedRefundCommitKeepsTheOrderCancelingUntilReconciled(kind: StoreKind, failing: String) throws {
    let shop = try OrderStoreTests.Shop(kind)
    let order = try order(in: shop)
    let gateway = ScriptedGateway()
    let payment = try desk(shop, gateway).pay(order.id.rawValue, by: shop.buyer)
    _ = try desk(shop, gateway).approve(state: payment.state, pgToken: "t")
    let crashing = desk(shop, gateway, store: shop.faults.store(shop.store, failing: .statement(failing)))
    #expect(throws: (any Error).self) { try crashing.cancelOrder(order.id.rawValue, by: shop.buyer) }
    // `orders.update` fails the refund's first commit (nothing starts); the others fail the
    // commit after the gateway refunded, which leaves the order canceling until reconciled.
    let refunded = failing != Statement.updateOrder
    #expect(try shop.store.read { try $0.orders.order(id: order.id) }?.status == (refunded ? .canceling : .paid))
    #expect(try shop.product(0).reserved == 2)
    shop.clock.advance(seconds: 60)
    _ = try desk(shop, gateway).reconcileUncertain()
    #expect(try shop.store.read { try $0.orders.order(id: order.id) }?.status == (refunded ? .canceled : .paid))
    #expect(gateway.calls.filter { $0 == "cancel" }.count == (refunded ? 1 : 0))
    #expect(try shop.product(0).reserved == (refunded ? 0 : 2))
  }
}
