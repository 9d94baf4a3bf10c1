import BazaarCore
import BazaarJSON
import BazaarStore
import BazaarTesting
import Foundation
import Testing

/// The order, outbox and idempotency ports on every adapter, and the order use cases over
/// each adapter against a model.
@Suite struct OrderStoreTests {
  /// A shop on one adapter: a seller with five products and a buyer.
  final class Shop {
    let store: any Store
    let faults: SQLFaults
    let keep: AnyObject?
    let clock = TestClock()
    let ids = SequentialIDs()
    let hasher = PlainHasher()
    var seller: AccessClaims!
    var buyer: AccessClaims!
    var products: [Product] = []

    init(_ kind: StoreKind, stock: [Int64] = [5, 5, 5, 5, 5]) throws {
      (store, faults, keep) = try kind.makeWithFaults()
      let issuer = TokenIssuer(signer: ReadableSigner(), ids: ids, clock: clock, lifetime: 86_400 * 365)
      let sellers = SellerAccounts(store: store, passwords: hasher, issuer: issuer, ids: ids, clock: clock)
      _ = try sellers.register(
        .init(email: "shop@example.com", password: "correct horse", businessName: "Minji", businessNumber: "2208162517")
      )
      seller = try sellers.login(email: "shop@example.com", password: "correct horse").0.claims
      let accounts = UserAccounts(store: store, passwords: hasher, issuer: issuer, ids: ids, clock: clock)
      _ = try accounts.signup(.init(email: "kim@example.com", password: "correct horse"))
      buyer = try accounts.login(email: "kim@example.com", password: "correct horse").0.claims
      for (index, count) in stock.enumerated() {
        products.append(
          try catalog.create(
            by: seller, .init(name: "Item \(index)", description: "", price: 1_000 + Int64(index), stock: count)))
      }
    }

    var catalog: ProductCatalog { ProductCatalog(store: store, ids: ids, clock: clock) }
    var desk: OrderDesk { OrderDesk(store: store, ids: ids, clock: clock, orderLifetime: 900) }

    func product(_ index: Int) throws -> Product {
      try #require(try store.read { try $0.products.product(id: products[index].id) })
    }

    func place(
      _ lines: [(Int, Int64)], key: String? = nil, request: String = "r", store: (any Store)? = nil
    ) throws -> IdempotentCalls.Outcome<Order> {
      try place(
        items: lines.map { .init(productID: products[$0.0].id.rawValue, quantity: $0.1) }, key: key, request: request,
        store: store)
    }

    func place(
      items: [OrderDesk.ItemRequest], key: String? = nil, request: String = "r", store: (any Store)? = nil
    ) throws -> IdempotentCalls.Outcome<Order> {
      let store = store ?? self.store
      let desk = OrderDesk(store: store, ids: ids, clock: clock, orderLifetime: 900)
      let placement = OrderDesk.Placement(
        items: items,
        shipping: .init(
          recipient: "Kim", phone: "010-1234-5678", postalCode: "06236", line1: "Teheran-ro 152", line2: nil))
      return try IdempotentCalls(store: store, clock: clock).run(key: key, of: buyer, request: request, status: 201) {
        let order = try desk.place(by: buyer, placement)
        return (order, order.id.rawValue)
      }
    }
  }

  @Test(arguments: StoreKind.allCases)
  func ordersRoundTripWithTheirLinesAndPageNewestFirst(kind: StoreKind) throws {
    let shop = try Shop(kind)
    var placed: [Order] = []
    for index in 0..<5 {
      guard case .fresh(let order) = try shop.place([(index, 1), ((index + 1) % 5, 2)]) else {
        throw OrderError.orderNotFound
      }
      placed.append(order)
      if index != 2 { shop.clock.advance(seconds: 1) }  // two orders share an instant: the id breaks the tie
    }
    for order in placed {
      #expect(try shop.store.read { try $0.orders.order(id: order.id) } == order)
    }
    let user = UserID(rawValue: shop.buyer.subject)
    let all = try shop.store.read { try $0.orders.orders(of: user, status: nil, after: nil, limit: 10) }
    let expected = placed.sorted { ($0.createdAt, $0.id.rawValue) > ($1.createdAt, $1.id.rawValue) }
    #expect(all.map(\.id) == expected.map(\.id))
    let rest = try shop.store.read {
      try $0.orders.orders(of: user, status: nil, after: OrderPosition(of: expected[1]), limit: 10)
    }
    #expect(rest.map(\.id) == expected.dropFirst(2).map(\.id))
    var changed = placed[0]
    changed.status = .canceled
    changed.canceledAt = changed.createdAt.adding(seconds: 5)
    changed.updatedAt = changed.canceledAt!
    try shop.store.write { [changed] in try $0.orders.update(changed) }
    #expect(try shop.store.read { try $0.orders.order(id: changed.id) } == changed)
    #expect(
      try shop.store.read { try $0.orders.orders(of: user, status: .canceled, after: nil, limit: 10) }.map(\.id) == [
        changed.id
      ])
    let sellerOrders = try shop.store.read {
      try $0.orders.orders(holding: SellerID(rawValue: shop.seller.subject), status: nil, after: nil, limit: 10)
    }
    #expect(sellerOrders.count == 5)
    shop.clock.advance(seconds: 900)
    let due = try shop.store.read { try $0.orders.dueForExpiry(at: shop.clock.now(), limit: 10) }
    #expect(Set(due) == Set(placed.dropFirst().map(\.id)), "pending orders past expiresAt; not the canceled one")
    withExtendedLifetime(shop) {}
  }

  @Test(arguments: StoreKind.allCases)
  func reservationsStayWithinStock(kind: StoreKind) throws {
    let shop = try Shop(kind)
    let id = shop.products[0].variants[0].id
    #expect(try shop.store.write { try $0.products.adjustReserved(of: id, by: 5) })
    #expect(try !shop.store.write { try $0.products.adjustReserved(of: id, by: 1) })
    #expect(try !shop.store.write { try $0.products.adjustReserved(of: id, by: -6) })
    #expect(try shop.store.write { try $0.products.adjustReserved(of: id, by: -5) })
    #expect(try shop.product(0).reserved == 0)
  }

  @Test(arguments: StoreKind.allCases)
  func theOutboxHandsOutEachEventToOneRelayAtATimeUntilMarked(kind: StoreKind) throws {
    let shop = try Shop(kind)
    for index in 0..<3 { _ = try shop.place([(index, 1)]) }
    let now = shop.clock.now()
    let lease = now.adding(seconds: 30)
    let first = try shop.store.write { try $0.outbox.claim(limit: 2, now: now, leaseUntil: lease) }
    let second = try shop.store.write { try $0.outbox.claim(limit: 10, now: now, leaseUntil: lease) }
    #expect(first.count == 2 && second.count == 1 && Set(first.map(\.id)).isDisjoint(with: second.map(\.id)))
    #expect(try shop.store.write { try $0.outbox.claim(limit: 10, now: now, leaseUntil: lease) }.isEmpty)
    for event in first + second {
      let object = try JSONValue.parse(Array(event.json.utf8))
      guard case .object(let members) = object else { throw OrderError.orderNotFound }
      #expect(members["specversion"] == "1.0" && members["type"] == "order.placed")
      #expect(members["id"] == .string(event.id) && members["datacontenttype"] == "application/json")
    }
    try shop.store.write { try $0.outbox.markRelayed(first.map(\.id), at: now) }
    #expect(try shop.store.read { try $0.outbox.stats() } == OutboxStats(pending: 1, oldestPending: now, relayed: 2))
    // A relay that died holding its claim: after the lease the event is handed out again.
    let later = lease.adding(seconds: 1)
    let again = try shop.store.write {
      try $0.outbox.claim(limit: 10, now: later, leaseUntil: later.adding(seconds: 30))
    }
    #expect(again.map(\.id) == second.map(\.id))
    withExtendedLifetime(shop) {}
  }

  @Test(arguments: StoreKind.allCases)
  func idempotencyRecordsAreKeptPerUserAndPruned(kind: StoreKind) throws {
    let shop = try Shop(kind)
    let user = UserID(rawValue: shop.buyer.subject)
    let record = IdempotencyRecord(
      userID: user, key: "k", request: "r", status: 201, response: "{}", createdAt: Timestamp(seconds: 10),
      expiresAt: Timestamp(seconds: 20))
    try shop.store.write { try $0.idempotency.save(record) }
    #expect(try shop.store.read { try $0.idempotency.record(of: user, key: "k") } == record)
    #expect(try shop.store.read { try $0.idempotency.record(of: UserID(rawValue: "usr_other"), key: "k") } == nil)
    try shop.store.write { try $0.idempotency.prune(before: Timestamp(seconds: 15), limit: 10) }
    #expect(try shop.store.read { try $0.idempotency.record(of: user, key: "k") } != nil)
    try shop.store.write { try $0.idempotency.prune(before: Timestamp(seconds: 21), limit: 10) }
    #expect(try shop.store.read { try $0.idempotency.record(of: user, key: "k") } == nil)
    withExtendedLifetime(shop) {}
  }

  /// Thousands of random placements, cancels, expiries and stock changes (seeded), each checked
  /// against a model, over five products without options and the three variants of a product
  /// with one; after each step, on every variant: `0 ≤ reserved ≤ stock`, and `reserved` is the
  /// sum of its open orders' quantities.
  @Test(arguments: StoreKind.allCases)
  func randomOperationsKeepReservationsExact(kind: StoreKind) throws {
    let shop = try Shop(kind, stock: [3, 8, 20, 1, 50])
    let shirt = try shop.catalog.create(
      by: shop.seller,
      .init(
        name: "Shirt", description: "", price: nil, stock: nil,
        options: [ProductOption(name: "size", values: ["S", "M", "L"])],
        variants: [("S", 4), ("M", 2), ("L", 9)].map {
          VariantRequest(optionValues: ["size": $0.0], price: 19_000, stock: $0.1)
        }))
    // What a line can buy: a product without options by its id, or one variant of the shirt.
    let slots: [(product: ProductID, variant: VariantID?)] =
      shop.products.map { ($0.id, nil) } + shirt.variants.map { (shirt.id, $0.id) }
    func variant(_ slot: Int) throws -> Variant {
      let product = try #require(try shop.store.read { try $0.products.product(id: slots[slot].product) })
      return try #require(slots[slot].variant.map { id in product.variant(id) } ?? product.madeVariant)
    }
    func slot(of shortfall: OrderError.Shortfall) -> Int? {
      slots.firstIndex { $0.product.rawValue == shortfall.productID && $0.variant?.rawValue == shortfall.variantID }
    }
    var rng = SplitMix64(state: 20_261_127 + UInt64(kind.rawValue.count))
    var stock = try slots.indices.map { try variant($0).stock }
    var open: [OrderID: [(Int, Int64)]] = [:]
    var openSince: [OrderID: Timestamp] = [:]
    var outcomes: [String: Int] = [:]
    for step in 0..<2_000 {
      let roll = Int.random(in: 0..<100, using: &rng)
      let reservedNow = slots.indices.map { index in
        open.values.flatMap { $0 }.filter { $0.0 == index }.reduce(0) { $0 + $1.1 }
      }
      switch roll {
      case 0..<50:
        var indices = Array(slots.indices).shuffled(using: &rng).prefix(Int.random(in: 1...3, using: &rng))
        indices.shuffle(using: &rng)
        let lines = indices.map { ($0, Int64.random(in: 1...4, using: &rng)) }
        let fits = lines.allSatisfy { stock[$0.0] - reservedNow[$0.0] >= $0.1 }
        let items = lines.map {
          OrderDesk.ItemRequest(
            productID: slots[$0.0].product.rawValue, variantID: slots[$0.0].variant?.rawValue, quantity: $0.1)
        }
        do {
          guard case .fresh(let order) = try shop.place(items: items) else { throw OrderError.orderNotFound }
          #expect(fits, "step \(step): placed an order the model says does not fit")
          open[order.id] = lines
          openSince[order.id] = order.createdAt
          outcomes["placed", default: 0] += 1
        } catch OrderError.outOfStock(let short) {
          #expect(!fits, "step \(step): refused an order that fits")
          #expect(
            short.allSatisfy { line in
              slot(of: line).map { stock[$0] - reservedNow[$0] < line.requested } ?? false
            })
          outcomes["out_of_stock", default: 0] += 1
        }
      case 50..<70:
        guard let id = open.keys.sorted(by: { $0.rawValue < $1.rawValue }).randomElement(using: &rng) else { continue }
        _ = try shop.desk.cancel(id.rawValue, by: shop.buyer)
        #expect(throws: OrderError.notCancelable(.canceled)) { try shop.desk.cancel(id.rawValue, by: shop.buyer) }
        open[id] = nil
        outcomes["canceled", default: 0] += 1
      case 70..<85:
        shop.clock.advance(seconds: Int64.random(in: 1...400, using: &rng))
        let now = shop.clock.now()
        let due = openSince.filter { open[$0.key] != nil && $0.value.adding(seconds: 900) <= now }.map(\.key)
        #expect(try shop.desk.expireDue(batch: 3) == due.count, "step \(step)")
        for id in due { open[id] = nil }
        outcomes["expired", default: 0] += due.count
      default:
        let index = Int.random(in: slots.indices, using: &rng)
        let target = Int64.random(in: 0...30, using: &rng)
        do {
          _ = try shop.catalog.adjustStock(
            slots[index].product.rawValue, by: shop.seller, .set(target), variantID: slots[index].variant?.rawValue)
          #expect(target >= reservedNow[index], "step \(step): stock set below what orders hold")
          stock[index] = target
          outcomes["restocked", default: 0] += 1
        } catch CatalogError.stockBelowReserved {
          #expect(target < reservedNow[index])
          outcomes["below_reserved", default: 0] += 1
        }
      }
      for index in slots.indices {
        let expected = open.values.flatMap { $0 }.filter { $0.0 == index }.reduce(0) { $0 + $1.1 }
        let now = try variant(index)
        #expect(now.reserved >= 0 && now.reserved <= now.stock, "step \(step)")
        #expect(now.reserved == expected, "step \(step): slot \(index)")
        #expect(now.stock == stock[index])
      }
    }
    for outcome in ["placed", "out_of_stock", "canceled", "expired", "restocked", "below_reserved"] {
      #expect(outcomes[outcome, default: 0] > 10, "the walk exercised \(outcome): \(outcomes)")
    }
  }
}
