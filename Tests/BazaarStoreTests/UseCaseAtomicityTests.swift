import BazaarCore
import BazaarStore
import BazaarTesting
import Foundation
import Testing

/// Every use case that changes more than one table does it in one transaction: a failure
/// injected at its second write leaves no trace of its first, on every adapter.
@Suite struct UseCaseAtomicityTests {
  let clock = TestClock()
  let ids = SequentialIDs()
  let hasher = PlainHasher()

  func accounts(_ store: any Store, hasher: PlainHasher? = nil) -> UserAccounts {
    UserAccounts(
      store: store, passwords: hasher ?? self.hasher,
      issuer: TokenIssuer(signer: ReadableSigner(), ids: ids, clock: clock, lifetime: 3600), ids: ids, clock: clock)
  }

  func sellers(_ store: any Store) -> SellerAccounts {
    SellerAccounts(
      store: store, passwords: hasher,
      issuer: TokenIssuer(signer: ReadableSigner(), ids: ids, clock: clock, lifetime: 3600), ids: ids, clock: clock)
  }

  @Test(arguments: StoreKind.allCases)
  func changePasswordKeepsTheOldPasswordWhenRevocationFails(kind: StoreKind) throws {
    let (store, faults, keep) = try kind.makeWithFaults()
    _ = try accounts(store).signup(.init(email: "kim@example.com", password: "correct horse"))
    let (first, _) = try accounts(store).login(email: "kim@example.com", password: "correct horse")
    let (second, _) = try accounts(store).login(email: "kim@example.com", password: "correct horse")
    let failing = faults.store(store, failing: .statement(Statement.revokeAll))
    #expect(throws: InjectedFailure(.statement(Statement.revokeAll))) {
      try accounts(failing).changePassword(of: second.claims, current: "correct horse", new: "battery staple")
    }
    let stored = try store.read { try $0.users.credentials(email: Email("kim@example.com")) }
    #expect(stored?.passwordHash == "$plain:v2:correct horse", "the new hash was rolled back")
    #expect(try store.read { try $0.tokens.isRevoked(tokenID: first.claims.tokenID) } == false)
    // Without the fault, both happen.
    try accounts(store).changePassword(of: second.claims, current: "correct horse", new: "battery staple")
    #expect(try store.read { try $0.tokens.isRevoked(tokenID: first.claims.tokenID) })
    withExtendedLifetime(keep) {}
  }

  @Test(arguments: StoreKind.allCases)
  func deactivationStaysActiveWhenRevocationFails(kind: StoreKind) throws {
    let (store, faults, keep) = try kind.makeWithFaults()
    _ = try accounts(store).signup(.init(email: "kim@example.com", password: "correct horse"))
    let (token, user) = try accounts(store).login(email: "kim@example.com", password: "correct horse")
    #expect(throws: InjectedFailure.self) {
      try accounts(faults.store(store, failing: .statement(Statement.revokeAll))).deactivate(
        token.claims, password: "correct horse")
    }
    #expect(try store.read { try $0.users.user(id: user.id) }?.status == .active)
    withExtendedLifetime(keep) {}
  }

  @Test(arguments: StoreKind.allCases)
  func withdrawalStaysListedWhenRevocationFails(kind: StoreKind) throws {
    let (store, faults, keep) = try kind.makeWithFaults()
    let seller = try sellers(store).register(
      .init(
        email: "shop@example.com", password: "correct horse", businessName: "Minji Goods",
        businessNumber: "220-81-62517"))
    let (token, _) = try sellers(store).login(email: "shop@example.com", password: "correct horse")
    #expect(throws: InjectedFailure.self) {
      try sellers(faults.store(store, failing: .statement(Statement.revokeAll))).withdraw(
        token.claims, password: "correct horse")
    }
    #expect(try store.read { try $0.sellers.seller(id: seller.id) }?.status == .active)
    #expect(try store.read { try $0.tokens.isRevoked(tokenID: token.claims.tokenID) } == false)
    withExtendedLifetime(keep) {}
  }

  @Test(arguments: StoreKind.allCases)
  func aRehashAtSignInIsKeptOnlyWithItsToken(kind: StoreKind) throws {
    let (store, faults, keep) = try kind.makeWithFaults()
    let old = PlainHasher(current: "v1")
    _ = try accounts(store, hasher: old).signup(.init(email: "kim@example.com", password: "correct horse"))
    #expect(throws: InjectedFailure.self) {
      try accounts(faults.store(store, failing: .statement(Statement.recordIssued))).login(
        email: "kim@example.com", password: "correct horse")
    }
    #expect(
      try store.read { try $0.users.credentials(email: Email("kim@example.com")) }?.passwordHash
        == "$plain:v1:correct horse")
    _ = try accounts(store).login(email: "kim@example.com", password: "correct horse")
    #expect(
      try store.read { try $0.users.credentials(email: Email("kim@example.com")) }?.passwordHash
        == "$plain:v2:correct horse")
    withExtendedLifetime(keep) {}
  }

  @Test(arguments: StoreKind.allCases)
  func createProductChecksTheSellerInItsOwnTransaction(kind: StoreKind) throws {
    let (store, faults, keep) = try kind.makeWithFaults()
    let catalog = ProductCatalog(store: store, ids: ids, clock: clock)
    _ = try sellers(store).register(
      .init(
        email: "shop@example.com", password: "correct horse", businessName: "Minji Goods",
        businessNumber: "220-81-62517"))
    let (token, seller) = try sellers(store).login(email: "shop@example.com", password: "correct horse")
    let request = ProductCatalog.NewProduct(name: "청송 사과 5kg", description: "Crisp", price: 32_000, stock: 40)
    #expect(throws: InjectedFailure.self) {
      try ProductCatalog(
        store: faults.store(store, failing: .statement(Statement.insertProduct)), ids: ids, clock: clock
      )
      .create(by: token.claims, request)
    }
    let created = try catalog.create(by: token.claims, request)
    #expect(try store.read { try $0.products.listedProduct(id: created.id) } == created)
    try store.write { try $0.sellers.setStatus(of: seller.id, to: .blocked, at: clock.now()) }
    #expect(throws: AccountError.accountBlocked) { try catalog.create(by: token.claims, request) }
    let all = try store.read {
      try $0.products.list(ProductQuery(filter: ProductFilter(), sort: .newest, limit: 10))
    }
    #expect(all.isEmpty, "a blocked seller's products are unlisted, and no new one was added")
    withExtendedLifetime(keep) {}
  }
}

/// The order use cases write the order, its reservations and its events in one transaction, with
/// the idempotency record of a keyed placement (`IdempotentCalls`): a failure at any of those
/// writes leaves none of the others.
@Suite struct OrderAtomicityTests {
  @Test(arguments: StoreKind.allCases, [Statement.appendEvent, Statement.saveIdempotency, Statement.insertOrder])
  func aFailedPlacementReservesNothingAndWritesNothing(kind: StoreKind, failing: String) throws {
    let shop = try OrderStoreTests.Shop(kind)
    #expect(throws: InjectedFailure(.statement(failing))) {
      try shop.place([(0, 2), (1, 1)], key: "k", store: shop.faults.store(shop.store, failing: .statement(failing)))
    }
    #expect(try shop.product(0).reserved == 0 && shop.product(1).reserved == 0)
    let user = UserID(rawValue: shop.buyer.subject)
    #expect(try shop.store.read { try $0.orders.orders(of: user, status: nil, after: nil, limit: 10) }.isEmpty)
    #expect(try shop.store.read { try $0.outbox.stats() }.pending == 0)
    #expect(try shop.store.read { try $0.idempotency.record(of: user, key: "k") } == nil)
    // The same key works once the fault is gone.
    guard case .fresh = try shop.place([(0, 2)], key: "k") else { throw OrderError.orderNotFound }
  }

  @Test(arguments: StoreKind.allCases)
  func aFailedCancelKeepsTheOrderAndItsReservation(kind: StoreKind) throws {
    let shop = try OrderStoreTests.Shop(kind)
    guard case .fresh(let order) = try shop.place([(0, 2)]) else { throw OrderError.orderNotFound }
    let failingDesk = OrderDesk(
      store: shop.faults.store(shop.store, failing: .statement(Statement.appendEvent)), ids: shop.ids,
      clock: shop.clock, orderLifetime: 900)
    #expect(throws: InjectedFailure.self) { try failingDesk.cancel(order.id.rawValue, by: shop.buyer) }
    #expect(try shop.product(0).reserved == 2)
    #expect(try shop.store.read { try $0.orders.order(id: order.id) }?.status == .pendingPayment)
    shop.clock.advance(seconds: 901)
    #expect(throws: InjectedFailure.self) { try failingDesk.expireDue() }
    #expect(try shop.product(0).reserved == 2)
    #expect(try shop.desk.expireDue() == 1)
    #expect(try shop.product(0).reserved == 0)
  }
}
