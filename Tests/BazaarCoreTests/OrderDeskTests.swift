import BazaarCore
import BazaarJSON
import BazaarTesting
import Testing

/// The order use cases over the real SQLite store (a temporary file).
@Suite struct OrderDeskTests {
  let harness = AccountsHarness()
  let seller: AccessClaims
  let otherSeller: AccessClaims
  let buyer: AccessClaims
  let apples: Product
  let pears: Product
  let shipping = OrderShipping(
    recipient: "Kim", phone: "010-1234-5678", postalCode: "06236", line1: "Teheran-ro 152", line2: "5F")

  init() throws {
    _ = try harness.sellers.register(
      .init(email: "shop@example.com", password: "correct horse", businessName: "Minji", businessNumber: "2208162517"))
    _ = try harness.sellers.register(
      .init(email: "other@example.com", password: "correct horse", businessName: "Other", businessNumber: "1248100998"))
    seller = try harness.sellers.login(email: "shop@example.com", password: "correct horse").0.claims
    otherSeller = try harness.sellers.login(email: "other@example.com", password: "correct horse").0.claims
    apples = try harness.catalog.create(by: seller, .init(name: "Apples", description: "", price: 32_000, stock: 10))
    pears = try harness.catalog.create(by: otherSeller, .init(name: "Pears", description: "", price: 1_500, stock: 3))
    _ = try harness.accounts.signup(.init(email: "kim@example.com", password: "correct horse"))
    buyer = try harness.accounts.login(email: "kim@example.com", password: "correct horse").0.claims
  }

  func place(
    _ items: [(Product, Int64)], as caller: AccessClaims? = nil, shipping: OrderShipping?? = .none,
    key: String? = nil, request: String = "r"
  ) throws -> IdempotentCalls.Outcome<Order> {
    let placement = OrderDesk.Placement(
      items: items.map { .init(productID: $0.0.id.rawValue, quantity: $0.1) }, shipping: shipping ?? self.shipping)
    return try harness.idempotency.run(key: key, of: caller ?? buyer, request: request, status: 201) {
      let order = try harness.orders.place(by: caller ?? buyer, placement)
      return (order, "answer for \(order.id)")
    }
  }

  func created(_ placed: IdempotentCalls.Outcome<Order>) throws -> Order {
    guard case .fresh(let order) = placed else { throw OrderError.orderNotFound }
    return order
  }

  func reserved(_ product: Product) -> Int64 { harness.store.state.products[product.id]!.reserved }

  func events() -> [String] {
    harness.store.state.outbox.map(\.event.type)
  }

  @Test func pricesAndTotalsComeFromTheCatalog() throws {
    let order = try created(try place([(apples, 2), (pears, 3)]))
    #expect(order.status == .pendingPayment)
    #expect(order.lines.map(\.unitPrice) == [Money(won: 32_000), Money(won: 1_500)])
    #expect(order.lines.map(\.name) == ["Apples", "Pears"])
    #expect(order.lines.map(\.sellerID) == [apples.sellerID, pears.sellerID])
    #expect(order.total == Money(won: 2 * 32_000 + 3 * 1_500))
    #expect(order.expiresAt == order.createdAt.adding(seconds: 900))
    #expect(order.id.rawValue.hasPrefix("ord_"))
    #expect(reserved(apples) == 2 && reserved(pears) == 3)
    #expect(events() == ["order.placed"])
    #expect(harness.store.state.outbox.first?.event.json.contains(order.id.rawValue) == true)
  }

  @Test func badLinesAreNamedAllAtOnce() throws {
    var items = (0..<51).map { _ in (apples, Int64(1)) }
    #expect(throws: ValidationFailure.self) { try place(items) }
    items = [(apples, 0), (pears, 1_000), (apples, 1)]
    do {
      _ = try place(items, shipping: .some(.init(recipient: "", phone: "12", postalCode: "1", line1: "A", line2: nil)))
      Issue.record("accepted")
    } catch let failure as ValidationFailure {
      #expect(
        failure.errors.map { "\($0.field):\($0.code)" } == [
          "items[0].quantity:out_of_range", "items[1].quantity:out_of_range", "items[2].productId:repeated",
          "shipping.recipient:required", "shipping.postalCode:invalid", "shipping.phone:invalid",
        ])
    }
    #expect(reserved(apples) == 0 && harness.store.state.orders.isEmpty && events().isEmpty)
  }

  @Test func withoutShippingTheProfileIsUsedOrItsGapsAreNamed() throws {
    do {
      _ = try place([(apples, 1)], shipping: .some(nil))
      Issue.record("accepted")
    } catch let failure as ValidationFailure {
      #expect(failure.errors.map(\.field) == ["shipping", "shipping.phone"])
    }
    _ = try harness.accounts.updateProfile(
      of: buyer,
      .init(
        phone: .set("010-9999-0000"),
        shippingAddress: .set(
          try ShippingAddress(
            recipient: "Lee", postalCode: "04524", line1: "Sejong-daero 110", line2: nil, field: "shippingAddress"))))
    let order = try created(try place([(apples, 1)], shipping: .some(nil)))
    #expect(
      order.shipping
        == OrderShipping(
          recipient: "Lee", phone: "010-9999-0000", postalCode: "04524", line1: "Sejong-daero 110", line2: nil))
  }

  @Test func aShortLineReservesNothingAndSaysWhatIsLeft() throws {
    #expect(throws: OrderError.outOfStock([.init(line: 1, productID: pears.id.rawValue, requested: 4, available: 3)])) {
      try place([(apples, 5), (pears, 4)])
    }
    #expect(reserved(apples) == 0 && reserved(pears) == 0 && harness.store.state.orders.isEmpty)
    _ = try place([(pears, 3)])
    #expect(throws: OrderError.outOfStock([.init(productID: pears.id.rawValue, requested: 1, available: 0)])) {
      try place([(pears, 1)])
    }
  }

  @Test func deletedUnknownAndWithdrawnProductsAreUnavailable() throws {
    let ghost = Product(
      id: ProductID(rawValue: "prd_00000000000000000000000zzz"), sellerID: apples.sellerID, name: "x", description: "",
      price: Money(won: 1), stock: 1, imageURL: nil, category: nil, createdAt: .init(seconds: 1),
      updatedAt: .init(seconds: 1))
    _ = try harness.catalog.delete(apples.id.rawValue, by: seller)
    _ = try harness.sellers.withdraw(otherSeller, password: "correct horse")
    #expect(
      throws: OrderError.productUnavailable([
        .init(productID: ghost.id.rawValue, requested: 1, available: 0),
        .init(line: 1, productID: apples.id.rawValue, requested: 1, available: 0),
        .init(line: 2, productID: pears.id.rawValue, requested: 1, available: 0),
      ])
    ) { try place([(ghost, 1), (apples, 1), (pears, 1)]) }
  }

  @Test func anIdempotencyKeyReplaysTheFirstAnswerAndRefusesAnotherRequest() throws {
    let first = try created(try place([(apples, 1)], key: "k-1", request: "A"))
    guard case .replayed(let status, let response) = try place([(apples, 1)], key: "k-1", request: "A") else {
      Issue.record("not replayed")
      return
    }
    #expect(status == 201 && response == "answer for \(first.id)")
    #expect(harness.store.state.orders.count == 1 && reserved(apples) == 1)
    #expect(throws: IdempotencyError.keyReused) { try place([(apples, 2)], key: "k-1", request: "B") }
    // Keys belong to one user; a refused request records nothing and may be retried.
    _ = try harness.accounts.signup(.init(email: "lee@example.com", password: "correct horse"))
    let lee = try harness.accounts.login(email: "lee@example.com", password: "correct horse").0.claims
    _ = try created(try place([(apples, 1)], as: lee, key: "k-1", request: "A"))
    #expect(throws: OrderError.self) { try place([(apples, 100)], key: "k-2", request: "C") }
    _ = try created(try place([(apples, 1)], key: "k-2", request: "D"))
    // After the record's lifetime the key is free again.
    harness.clock.advance(seconds: 86_401)
    _ = try created(try place([(apples, 1)], key: "k-1", request: "B"))
  }

  @Test func cancelReleasesTheStockOnceAndOnlyForItsOwner() throws {
    let order = try created(try place([(apples, 4), (pears, 2)]))
    _ = try harness.accounts.signup(.init(email: "lee@example.com", password: "correct horse"))
    let lee = try harness.accounts.login(email: "lee@example.com", password: "correct horse").0.claims
    #expect(throws: OrderError.orderNotFound) { try harness.orders.cancel(order.id.rawValue, by: lee) }
    #expect(throws: OrderError.orderNotFound) { try harness.orders.order(order.id.rawValue, of: lee) }
    let canceled = try harness.orders.cancel(order.id.rawValue, by: buyer)
    #expect(canceled.status == .canceled && canceled.canceledAt != nil)
    #expect(reserved(apples) == 0 && reserved(pears) == 0)
    #expect(throws: OrderError.notCancelable(.canceled)) { try harness.orders.cancel(order.id.rawValue, by: buyer) }
    #expect(reserved(apples) == 0)
    #expect(events() == ["order.placed", "order.canceled"])
  }

  @Test func unpaidOrdersExpireAfterTheirLifetime() throws {
    let early = try created(try place([(apples, 2)]))
    harness.clock.advance(seconds: 600)
    let late = try created(try place([(apples, 3)]))
    harness.clock.advance(seconds: 300)
    #expect(try harness.orders.expireDue() == 1)
    #expect(try harness.orders.order(early.id.rawValue, of: buyer).status == .expired)
    #expect(try harness.orders.order(late.id.rawValue, of: buyer).status == .pendingPayment)
    #expect(reserved(apples) == 3)
    #expect(throws: OrderError.notCancelable(.expired)) { try harness.orders.cancel(early.id.rawValue, by: buyer) }
    harness.clock.advance(seconds: 600)
    #expect(try harness.orders.expireDue(batch: 1) == 1)
    #expect(try harness.orders.expireDue() == 0)
    #expect(reserved(apples) == 0)
    #expect(events() == ["order.placed", "order.placed", "order.expired", "order.expired"])
  }

  @Test func listingsPageNewestFirstAndSellersSeeOnlyTheirLines() throws {
    var placed: [Order] = []
    for index in 0..<5 {
      var items: [(Product, Int64)] = [(apples, 1)]
      if index % 2 == 1 { items.append((pears, 1)) }
      placed.append(try created(try place(items)))
      harness.clock.advance(seconds: 1)
    }
    _ = try harness.orders.cancel(placed[1].id.rawValue, by: buyer)
    var seen: [OrderID] = []
    var cursor: String?
    repeat {
      let page = try harness.orders.list(of: buyer, status: nil, limit: 2, cursor: cursor)
      seen += page.items.map(\.id)
      cursor = page.nextCursor
    } while cursor != nil
    #expect(seen == placed.reversed().map(\.id))
    let canceled = try harness.orders.list(of: buyer, status: "canceled", limit: nil, cursor: nil)
    #expect(canceled.items.map(\.id) == [placed[1].id])
    let first = try harness.orders.list(of: buyer, status: nil, limit: 1, cursor: nil)
    #expect(throws: FieldError.self) {
      try harness.orders.list(of: buyer, status: "canceled", limit: 1, cursor: first.nextCursor)
    }
    #expect(throws: ValidationFailure.self) {
      try harness.orders.list(of: buyer, status: "lost", limit: 1, cursor: nil)
    }
    let pearOrders = try harness.orders.sellerOrders(of: otherSeller, status: nil, limit: nil, cursor: nil)
    #expect(pearOrders.items.map(\.id) == [placed[3].id, placed[1].id])
    #expect(pearOrders.items.allSatisfy { $0.lines(of: pears.sellerID).map(\.productID) == [pears.id] })
  }
}
