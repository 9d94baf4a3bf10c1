import BazaarCore
import BazaarJSON
import BazaarScheduler
import BazaarTesting
import Foundation
import QueuePort
import Spool
import Testing

/// Scheduler passes over the real SQLite store (a temporary file) and a real spool in a temporary directory.
@Suite struct SchedulerPassTests {
  final class World {
    let harness = ShopHarness()
    let root: URL
    let spool: Spool
    let gateway = ScriptedGateway()
    let buyer: AccessClaims
    let order: Order

    init() throws {
      root = FileManager.default.temporaryDirectory.appendingPathComponent("scheduler-\(UUID().uuidString)")
      spool = Spool(root: root.path)
      let (buyer, order) = try harness.paidOrder(gateway: gateway)
      self.buyer = buyer
      self.order = order
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    var store: TestStore { harness.store }

    func pass(shouldStop: @escaping () -> Bool = { false }) throws -> SchedulerPass.Report {
      try SchedulerPass(
        store: store, queue: MessageEventQueue(spool.queues), orders: harness.orders,
        payments: harness.payments(gateway), shipments: harness.shipments, carrier: BuiltInCarrier(ids: harness.ids),
        clock: harness.clock
      ).run(shouldStop: shouldStop)
    }

    var orderStatus: OrderStatus? { store.state.orders[order.id]?.status }
  }

  @Test func aPassShipsAPaidOrderAndASecondFindsNothing() throws {
    let world = try World()
    let report = try world.pass()
    #expect(report.shipmentsRequested == 1 && report.shipmentsDispatched == 1 && report.deadLettered == 0)
    #expect(world.orderStatus == .shipped)
    #expect(world.store.state.shipments.map(\.status) == [.started])
    let again = try world.pass()
    #expect(again.shipmentsRequested == 0 && again.shipmentsDispatched == 0 && again.eventsHandled == 0)
  }

  @Test func anOrderCanceledBeforeDispatchIsRefundedAndNeverShipped() throws {
    let world = try World()
    // Stop once the shipments are requested, before their jobs run.
    _ = try world.pass(shouldStop: { !world.store.state.shipments.isEmpty })
    #expect(world.store.state.shipments.map(\.status) == [.ready])
    let canceled = try world.harness.payments(world.gateway).cancelOrder(
      world.order.id.rawValue, by: world.buyer)
    #expect(canceled.status == .canceled)
    let report = try world.pass()
    #expect(report.shipmentsCanceled == 1 && report.shipmentsDispatched == 0 && report.deadLettered == 0)
    #expect(world.store.state.shipments.map(\.status) == [.canceled])
    let product = world.store.state.products.values.first!
    #expect(product.stock == 10 && product.reserved == 0)
  }

  @Test func aPoisonEventGoesToTheDeadLettersWithItsReasonAndReplayBringsItBack() throws {
    let world = try World()
    var policy = QueuePolicy()
    policy.maxAttempts = 1
    let payments = try world.spool.configure("payments", policy: policy)
    let poison: JSONValue = [
      "specversion": "1.0", "id": "evt_poison", "source": "/test", "type": "payment.completed", "data": [:],
    ]
    _ = try payments.publish(Array(poison.serialized.utf8))
    let report = try world.pass()
    #expect(report.deadLettered == 1 && report.shipmentsDispatched == 1)
    let dead = try payments.peek(.dead)
    #expect(dead.count == 1 && dead[0].lastError?.contains("names no order") == true)
    #expect(try payments.replay(from: .dead).count == 1)
    #expect(try payments.stats().ready == 1)
  }
}

/// A shop with one seller, one product (10 in stock) and a buyer, over the real SQLite store (a temporary file).
struct ShopHarness {
  let clock = TestClock()
  let store = TestStore()
  let ids = SequentialIDs()

  var issuer: TokenIssuer { TokenIssuer(signer: ReadableSigner(), ids: ids, clock: clock, lifetime: 86_400) }
  var orders: OrderDesk { OrderDesk(store: store, ids: ids, clock: clock, orderLifetime: 900) }
  var shipments: ShipmentDesk { ShipmentDesk(store: store, ids: ids, clock: clock) }

  func payments(_ gateway: ScriptedGateway) -> PaymentDesk {
    PaymentDesk(
      store: store, gateway: gateway, settings: PaymentSettings(publicURL: "https://shop.test"), ids: ids,
      secrets: SequentialSecrets(), clock: clock)
  }

  /// A buyer and its order of two units, paid through `gateway`.
  func paidOrder(gateway: ScriptedGateway) throws -> (AccessClaims, Order) {
    let sellers = SellerAccounts(store: store, passwords: PlainHasher(), issuer: issuer, ids: ids, clock: clock)
    _ = try sellers.register(
      .init(email: "shop@example.com", password: "correct horse", businessName: "Minji", businessNumber: "2208162517"))
    let seller = try sellers.login(email: "shop@example.com", password: "correct horse").0.claims
    let product = try ProductCatalog(store: store, ids: ids, clock: clock).create(
      by: seller, .init(name: "Apples", description: "", price: 32_000, stock: 10))
    let accounts = UserAccounts(store: store, passwords: PlainHasher(), issuer: issuer, ids: ids, clock: clock)
    _ = try accounts.signup(.init(email: "kim@example.com", password: "correct horse"))
    let buyer = try accounts.login(email: "kim@example.com", password: "correct horse").0.claims
    let placement = OrderDesk.Placement(
      items: [.init(productID: product.id.rawValue, quantity: 2)],
      shipping: OrderShipping(recipient: "Kim", phone: "010-1234-5678", postalCode: "06236", line1: "A", line2: nil))
    let order = try orders.place(by: buyer, placement)
    let payment = try payments(gateway).pay(order.id.rawValue, by: buyer)
    _ = try payments(gateway).approve(state: payment.state, pgToken: "t")
    return (buyer, order)
  }
}
