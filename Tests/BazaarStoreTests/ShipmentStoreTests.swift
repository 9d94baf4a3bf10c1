import BazaarCore
import BazaarStore
import BazaarTesting
import Foundation
import Testing

/// Shipments on every adapter: requested once per seller when a payment completes (however
/// often the event comes), dispatched with the reservation turned into a stock decrement, the
/// order shipped and delivered when all its shipments are, and every step all-or-nothing.
@Suite struct ShipmentStoreTests {
  /// A shop on one adapter with two sellers and a paid order holding both sellers' products.
  final class PaidShop {
    let shop: OrderStoreTests.Shop
    let otherSeller: AccessClaims
    let otherProduct: Product
    let order: Order
    let gateway = ScriptedGateway()

    init(_ kind: StoreKind) throws {
      shop = try OrderStoreTests.Shop(kind)
      let issuer = TokenIssuer(signer: ReadableSigner(), ids: shop.ids, clock: shop.clock, lifetime: 86_400 * 365)
      let sellers = SellerAccounts(
        store: shop.store, passwords: shop.hasher, issuer: issuer, ids: shop.ids, clock: shop.clock)
      _ = try sellers.register(
        .init(
          email: "other@example.com", password: "correct horse", businessName: "Other", businessNumber: "1248100998"))
      otherSeller = try sellers.login(email: "other@example.com", password: "correct horse").0.claims
      otherProduct = try shop.catalog.create(
        by: otherSeller, .init(name: "Pears", description: "", price: 1_500, stock: 4))
      let placement = OrderDesk.Placement(
        items: [
          .init(productID: shop.products[0].id.rawValue, quantity: 2),
          .init(productID: otherProduct.id.rawValue, quantity: 3),
          .init(productID: shop.products[1].id.rawValue, quantity: 1),
        ],
        shipping: OrderShipping(recipient: "Kim", phone: "010-1234-5678", postalCode: "06236", line1: "A", line2: nil))
      let placed = try shop.desk.place(by: shop.buyer, placement)
      order = placed
      let payment = try payments.pay(order.id.rawValue, by: shop.buyer)
      _ = try payments.approve(state: payment.state, pgToken: "t")
    }

    var payments: PaymentDesk {
      PaymentDesk(
        store: shop.store, gateway: gateway, settings: PaymentSettings(publicURL: "https://shop.test"), ids: shop.ids,
        secrets: SequentialSecrets(), clock: shop.clock)
    }

    func desk(store: (any Store)? = nil) -> ShipmentDesk {
      ShipmentDesk(store: store ?? shop.store, ids: shop.ids, clock: shop.clock)
    }

    var event: ConsumedEvent { ConsumedEvent(source: "/bazaar/payments", id: "evt_paid") }

    func orderStatus() throws -> OrderStatus? { try shop.store.read { try $0.orders.order(id: order.id) }?.status }

    func stock(_ product: Product) throws -> (Int64, Int64) {
      let stored = try #require(try shop.store.read { try $0.products.product(id: product.id) })
      return (stored.stock, stored.reserved)
    }

    func events() throws -> Int { try shop.store.read { try $0.outbox.stats() }.pending }
  }

  @Test(arguments: StoreKind.allCases)
  func aPaymentRequestsOneShipmentPerSellerOnceHoweverOftenItComes(kind: StoreKind) throws {
    let paid = try PaidShop(kind)
    let shipments = try paid.desk().request(for: paid.order.id, event: paid.event)
    #expect(shipments.map(\.sellerID) == [paid.shop.products[0].sellerID, paid.otherProduct.sellerID])
    #expect(shipments[0].lines.map(\.quantity) == [2, 1] && shipments[1].lines.map(\.quantity) == [3])
    #expect(shipments.allSatisfy { $0.status == .ready && $0.userID == paid.order.userID })
    let before = try paid.events()
    #expect(try paid.desk().request(for: paid.order.id, event: paid.event).isEmpty)
    #expect(
      try paid.desk().request(for: paid.order.id, event: ConsumedEvent(source: "/bazaar/payments", id: "evt_2"))
        .isEmpty)
    #expect(try paid.shop.store.read { try $0.shipments.shipments(of: paid.order.id) } == shipments)
    #expect(try paid.events() == before)
  }

  @Test(arguments: StoreKind.allCases)
  func dispatchTurnsReservationsIntoSalesAndTheOrderShipsAndArrivesWithItsLastShipment(kind: StoreKind) throws {
    let paid = try PaidShop(kind)
    let shipments = try paid.desk().request(for: paid.order.id, event: paid.event)
    let carrier = BuiltInCarrier(ids: paid.shop.ids)
    #expect(try paid.stock(paid.otherProduct) == (4, 3))
    let first = try paid.desk().dispatch(shipments[1].id, by: .scheduler, booking: nil, carrier: carrier)
    #expect(first.status == .started && first.carrier == "bazaar-post" && first.trackingNumber?.hasPrefix("BZ") == true)
    #expect(try paid.stock(paid.otherProduct) == (1, 0))
    #expect(try paid.orderStatus() == .paid)
    #expect(throws: ShipmentError.invalidTransition(from: .started, to: .started)) {
      try paid.desk().dispatch(shipments[1].id, by: .scheduler, booking: nil, carrier: carrier)
    }
    #expect(throws: ShipmentError.alreadyShipped) {
      try paid.payments.cancelOrder(paid.order.id.rawValue, by: paid.shop.buyer)
    }
    // A seller moves only its own shipments.
    let other = SellerID(rawValue: paid.otherSeller.subject)
    #expect(throws: ShipmentError.shipmentNotFound) {
      try paid.desk().dispatch(shipments[0].id, by: .seller(other), booking: ("cj", "1"), carrier: carrier)
    }
    _ = try paid.desk().dispatch(
      shipments[0].id, by: .seller(shipments[0].sellerID), booking: ("CJ Logistics", "6543210"), carrier: carrier)
    #expect(try paid.orderStatus() == .shipped)
    #expect(try paid.stock(paid.shop.products[0]) == (3, 0) && paid.stock(paid.shop.products[1]) == (4, 0))
    _ = try paid.desk().deliver(shipments[0].id, by: .operator)
    #expect(try paid.orderStatus() == .shipped)
    _ = try paid.desk().deliver(shipments[1].id, by: .seller(other))
    #expect(try paid.orderStatus() == .delivered)
    // What `bazaar status` counts.
    let counts = try paid.shop.store.read { tx in
      (try tx.orders.countByStatus(), try tx.shipments.countByStatus(), try tx.payments.countByStatus())
    }
    #expect(counts.0 == [.delivered: 1] && counts.1 == [.arrived: 2] && counts.2 == [.completed: 1])
  }

  @Test(arguments: StoreKind.allCases)
  func aCanceledOrderIsNeverDispatchedAndItsShipmentsAreCanceled(kind: StoreKind) throws {
    let paid = try PaidShop(kind)
    let shipments = try paid.desk().request(for: paid.order.id, event: paid.event)
    _ = try paid.payments.cancelOrder(paid.order.id.rawValue, by: paid.shop.buyer)
    #expect(try paid.orderStatus() == .canceled)
    #expect(throws: ShipmentError.orderNotShippable(.canceled)) {
      try paid.desk().dispatch(
        shipments[0].id, by: .scheduler, booking: nil, carrier: BuiltInCarrier(ids: paid.shop.ids))
    }
    let canceledEvent = ConsumedEvent(source: "/bazaar/orders", id: "evt_canceled")
    #expect(try paid.desk().cancelUnstarted(of: paid.order.id, event: canceledEvent) == 2)
    #expect(try paid.desk().cancelUnstarted(of: paid.order.id, event: canceledEvent) == 0)
    #expect(
      try paid.shop.store.read { try $0.shipments.shipments(of: paid.order.id) }.map(\.status) == [
        .canceled, .canceled,
      ])
    #expect(try paid.stock(paid.otherProduct) == (4, 0))
  }

  @Test(
    arguments: StoreKind.allCases,
    [Statement.updateShipment, Statement.consumeReserved, Statement.appendEvent, Statement.updateOrder])
  func aFailedDispatchLeavesNoTrace(kind: StoreKind, failing: String) throws {
    let paid = try PaidShop(kind)
    let shipments = try paid.desk().request(for: paid.order.id, event: paid.event)
    let carrier = BuiltInCarrier(ids: paid.shop.ids)
    _ = try paid.desk().dispatch(shipments[1].id, by: .scheduler, booking: nil, carrier: carrier)
    let before = try paid.events()
    let failingDesk = paid.desk(store: paid.shop.faults.store(paid.shop.store, failing: .statement(failing)))
    #expect(throws: InjectedFailure(.statement(failing))) {
      try failingDesk.dispatch(shipments[0].id, by: .scheduler, booking: nil, carrier: carrier)
    }
    #expect(try paid.shop.store.read { try $0.shipments.shipment(id: shipments[0].id) }?.status == .ready)
    #expect(try paid.stock(paid.shop.products[0]) == (5, 2) && paid.orderStatus() == .paid && paid.events() == before)
  }

  @Test(arguments: StoreKind.allCases, [Statement.insertShipment, Statement.appendEvent])
  func aFailedRequestLeavesTheEventUnprocessed(kind: StoreKind, failing: String) throws {
    let paid = try PaidShop(kind)
    #expect(throws: InjectedFailure(.statement(failing))) {
      try paid.desk(store: paid.shop.faults.store(paid.shop.store, failing: .statement(failing))).request(
        for: paid.order.id, event: paid.event)
    }
    #expect(try paid.shop.store.read { try $0.shipments.shipments(of: paid.order.id) }.isEmpty)
    #expect(try paid.desk().request(for: paid.order.id, event: paid.event).count == 2)
  }

  @Test(arguments: StoreKind.allCases)
  func aManualSellersShipmentWaitsForItsSellerAndItCannotWithdrawMeanwhile(kind: StoreKind) throws {
    let paid = try PaidShop(kind)
    let sellers = SellerAccounts(
      store: paid.shop.store, passwords: paid.shop.hasher,
      issuer: TokenIssuer(signer: ReadableSigner(), ids: paid.shop.ids, clock: paid.shop.clock, lifetime: 86_400),
      ids: paid.shop.ids, clock: paid.shop.clock)
    #expect(try sellers.updateSettings(of: paid.otherSeller, fulfillment: "manual").fulfillment == .manual)
    #expect(throws: FieldError.self) { try sellers.updateSettings(of: paid.otherSeller, fulfillment: "never") }
    let shipments = try paid.desk().request(for: paid.order.id, event: paid.event)
    let carrier = BuiltInCarrier(ids: paid.shop.ids)
    #expect(try paid.desk().dispatchIfAutomatic(shipments[0].id, carrier: carrier)?.status == .started)
    #expect(try paid.desk().dispatchIfAutomatic(shipments[1].id, carrier: carrier) == nil)
    #expect(throws: AccountError.openOrders) { try sellers.withdraw(paid.otherSeller, password: "correct horse") }
    _ = try paid.desk().dispatch(
      shipments[1].id, by: .seller(shipments[1].sellerID), booking: ("CJ", "1"), carrier: carrier)
    #expect(try sellers.withdraw(paid.otherSeller, password: "correct horse").status == .inactive)
  }
}
