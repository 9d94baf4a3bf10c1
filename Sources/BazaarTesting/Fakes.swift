package import BazaarCore
package import Synchronization

/// A clock that returns what the test sets.
package final class TestClock: Clock {
  private let instant: Mutex<Timestamp>

  package init(_ start: Timestamp = Timestamp(seconds: 1_800_000_000)) { instant = Mutex(start) }

  package func now() -> Timestamp { instant.withLock { $0 } }

  /// Moves the clock forward.
  package func advance(seconds: Int64) { instant.withLock { $0 = $0.adding(seconds: seconds) } }
}

/// Ids `00000000000000000000000001`, `…02`, … in order: valid, sortable, and easy to read.
package final class SequentialIDs: IDGenerator {
  private let counter = Mutex(0)

  package init() {}

  package func next() -> String {
    counter.withLock {
      $0 += 1
      let digits = String($0)
      return String(repeating: "0", count: 26 - digits.count) + digits
    }
  }
}

/// Hashes as `$plain:<version>:<password>`: visible, so tests can see what was stored. Records
/// every hash it is asked to check, so tests can see that unknown emails pay for a check too.
package final class PlainHasher: PasswordHasher {
  /// The current parameter version; hashes of another version need a rehash.
  package let current: String
  /// Every encoded hash `verify` was called with, in order.
  package let checked = Mutex<[String]>([])

  package init(current: String = "v2") { self.current = current }

  package func hash(_ password: String) throws -> String { "$plain:\(current):\(password)" }

  package func verify(_ password: String, against encoded: String) -> Bool {
    checked.withLock { $0.append(encoded) }
    return encoded.split(separator: ":", maxSplits: 2).last.map(String.init) == password
      && encoded.hasPrefix("$plain:")
  }

  package func needsRehash(_ encoded: String) -> Bool { !encoded.hasPrefix("$plain:\(current):") }

  package var decoyHash: String { "$plain:\(current):\u{0}decoy" }
}

/// A token is `jti|sub|role|exp|iat` in clear; verification checks the shape and expiry only.
package struct ReadableSigner: TokenSigner {
  package init() {}

  package func sign(_ claims: AccessClaims) throws -> String {
    "\(claims.tokenID)|\(claims.subject)|\(claims.role.rawValue)|\(claims.expiresAt.seconds)|\(claims.issuedAt.seconds)"
  }

  package func verify(_ token: String, at now: Timestamp) throws -> AccessClaims {
    let parts = token.split(separator: "|").map(String.init)
    guard parts.count == 5, let role = Role(rawValue: parts[2]), let exp = Int64(parts[3]), let iat = Int64(parts[4])
    else { throw AuthError.malformedToken("test token") }
    guard now < Timestamp(seconds: exp) else { throw AuthError.expired }
    return AccessClaims(
      subject: parts[1], role: role, tokenID: parts[0], issuedAt: Timestamp(seconds: iat),
      expiresAt: Timestamp(seconds: exp))
  }
}

/// A store that delegates to another and throws `InjectedFailure` at one chosen repository
/// call inside `write`, after the calls before it have run: for proving that a use case's
/// writes are one transaction (the failure must leave no trace of the earlier writes).
package struct FailingStore: Store {
  /// The wrapped store.
  package var base: any Store
  /// Fails the call whose description (`"tokens.revokeAll"`, say) matches.
  package var failing: String

  package init(_ base: any Store, failingAt failing: String) {
    self.base = base
    self.failing = failing
  }

  package func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    try base.write { try body(FailingTransaction(base: $0, failing: failing)) }
  }

  package func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    try base.read(body)
  }

  package func snapshot<T>(_ body: () throws -> T) throws -> T {
    try base.snapshot(body)
  }
}

/// The error `FailingStore` throws.
package struct InjectedFailure: Error, Equatable {
  /// The call that failed.
  package var call: String

  package init(call: String) {
    self.call = call
  }
}

struct FailingTransaction: StoreTransaction {
  let base: any StoreTransaction
  let failing: String

  func check(_ call: String) throws {
    if call == failing { throw InjectedFailure(call: call) }
  }

  var users: any UserRepository { FailingUsers(base: base.users, transaction: self) }
  var sellers: any SellerRepository { FailingSellers(base: base.sellers, transaction: self) }
  var products: any ProductRepository { FailingProducts(base: base.products, transaction: self) }
  var tokens: any TokenRegistry { FailingTokens(base: base.tokens, transaction: self) }
  var orders: any OrderRepository { FailingOrders(base: base.orders, transaction: self) }
  var outbox: any OutboxRepository { FailingOutbox(base: base.outbox, transaction: self) }
  var idempotency: any IdempotencyRepository { FailingIdempotency(base: base.idempotency, transaction: self) }
  var payments: any PaymentRepository { FailingPayments(base: base.payments, transaction: self) }
  var shipments: any ShipmentRepository { FailingShipments(base: base.shipments, transaction: self) }
  var processedEvents: any ProcessedEventRepository {
    FailingProcessedEvents(base: base.processedEvents, transaction: self)
  }
  var loginFailures: any LoginFailureRepository { base.loginFailures }
}

struct FailingUsers: UserRepository {
  let base: any UserRepository
  let transaction: FailingTransaction

  func insert(_ user: User, passwordHash: String) throws {
    try transaction.check("users.insert")
    try base.insert(user, passwordHash: passwordHash)
  }
  func credentials(email: Email) throws -> StoredCredentials? { try base.credentials(email: email) }
  func credentials(id: UserID) throws -> StoredCredentials? { try base.credentials(id: id) }
  func saveProfile(_ user: User) throws {
    try transaction.check("users.saveProfile")
    try base.saveProfile(user)
  }
  func replacePasswordHash(of id: UserID, with hash: String, changedAt: Timestamp?) throws {
    try transaction.check("users.replacePasswordHash")
    try base.replacePasswordHash(of: id, with: hash, changedAt: changedAt)
  }
  func setStatus(of id: UserID, to status: AccountStatus, at now: Timestamp) throws {
    try transaction.check("users.setStatus")
    try base.setStatus(of: id, to: status, at: now)
  }
}

struct FailingSellers: SellerRepository {
  let base: any SellerRepository
  let transaction: FailingTransaction

  func insert(_ seller: Seller, passwordHash: String) throws {
    try transaction.check("sellers.insert")
    try base.insert(seller, passwordHash: passwordHash)
  }
  func credentials(email: Email) throws -> StoredSellerCredentials? { try base.credentials(email: email) }
  func credentials(id: SellerID) throws -> StoredSellerCredentials? { try base.credentials(id: id) }
  func replacePasswordHash(of id: SellerID, with hash: String) throws {
    try transaction.check("sellers.replacePasswordHash")
    try base.replacePasswordHash(of: id, with: hash)
  }
  func setStatus(of id: SellerID, to status: AccountStatus, at now: Timestamp) throws {
    try transaction.check("sellers.setStatus")
    try base.setStatus(of: id, to: status, at: now)
  }
  func setFulfillment(of id: SellerID, to fulfillment: Fulfillment, at now: Timestamp) throws {
    try transaction.check("sellers.setFulfillment")
    try base.setFulfillment(of: id, to: fulfillment, at: now)
  }
}

struct FailingProducts: ProductRepository {
  let base: any ProductRepository
  let transaction: FailingTransaction

  func insert(_ product: Product) throws {
    try transaction.check("products.insert")
    try base.insert(product)
  }
  func product(id: ProductID) throws -> Product? { try base.product(id: id) }
  func listedProduct(id: ProductID) throws -> Product? { try base.listedProduct(id: id) }
  func update(_ product: Product) throws {
    try transaction.check("products.update")
    try base.update(product)
  }
  func adjustReserved(of id: ProductID, by delta: Int64) throws -> Bool {
    try transaction.check("products.adjustReserved")
    return try base.adjustReserved(of: id, by: delta)
  }
  func consumeReserved(of id: ProductID, by quantity: Int64) throws -> Bool {
    try transaction.check("products.consumeReserved")
    return try base.consumeReserved(of: id, by: quantity)
  }
  func list(_ query: ProductQuery) throws -> [Product] { try base.list(query) }
}

struct FailingOrders: OrderRepository {
  let base: any OrderRepository
  let transaction: FailingTransaction

  func insert(_ order: Order) throws {
    try transaction.check("orders.insert")
    try base.insert(order)
  }
  func order(id: OrderID) throws -> Order? { try base.order(id: id) }
  func update(_ order: Order) throws {
    try transaction.check("orders.update")
    try base.update(order)
  }
  func orders(of user: UserID, status: OrderStatus?, after: OrderPosition?, limit: Int) throws -> [Order] {
    try base.orders(of: user, status: status, after: after, limit: limit)
  }
  func orders(holding seller: SellerID, status: OrderStatus?, after: OrderPosition?, limit: Int) throws -> [Order] {
    try base.orders(holding: seller, status: status, after: after, limit: limit)
  }
  func dueForExpiry(at now: Timestamp, limit: Int) throws -> [OrderID] { try base.dueForExpiry(at: now, limit: limit) }
  func countByStatus() throws -> [OrderStatus: Int] { try base.countByStatus() }
}

struct FailingPayments: PaymentRepository {
  let base: any PaymentRepository
  let transaction: FailingTransaction

  func insert(_ payment: Payment) throws {
    try transaction.check("payments.insert")
    try base.insert(payment)
  }
  func payment(id: PaymentID) throws -> Payment? { try base.payment(id: id) }
  func latest(for order: OrderID) throws -> Payment? { try base.latest(for: order) }
  func update(_ payment: Payment) throws {
    try transaction.check("payments.update")
    try base.update(payment)
  }
  func uncertain(attemptedBefore before: Timestamp, limit: Int) throws -> [PaymentID] {
    try base.uncertain(attemptedBefore: before, limit: limit)
  }
  func count(failureReason reason: String) throws -> Int { try base.count(failureReason: reason) }
  func countByStatus() throws -> [PaymentStatus: Int] { try base.countByStatus() }
}

struct FailingShipments: ShipmentRepository {
  let base: any ShipmentRepository
  let transaction: FailingTransaction

  func insert(_ shipment: Shipment) throws {
    try transaction.check("shipments.insert")
    try base.insert(shipment)
  }
  func shipment(id: ShipmentID) throws -> Shipment? { try base.shipment(id: id) }
  func shipments(of order: OrderID) throws -> [Shipment] { try base.shipments(of: order) }
  func shipments(
    sentBy seller: SellerID, status: ShipmentStatus?, after: ShipmentPosition?, limit: Int
  ) throws
    -> [Shipment]
  { try base.shipments(sentBy: seller, status: status, after: after, limit: limit) }
  func countByStatus() throws -> [ShipmentStatus: Int] { try base.countByStatus() }
  func update(_ shipment: Shipment) throws {
    try transaction.check("shipments.update")
    try base.update(shipment)
  }
}

struct FailingProcessedEvents: ProcessedEventRepository {
  let base: any ProcessedEventRepository
  let transaction: FailingTransaction

  func record(consumer: String, source: String, id: String, at now: Timestamp) throws -> Bool {
    try transaction.check("processedEvents.record")
    return try base.record(consumer: consumer, source: source, id: id, at: now)
  }
}

struct FailingOutbox: OutboxRepository {
  let base: any OutboxRepository
  let transaction: FailingTransaction

  func append(_ event: OutboxEvent) throws {
    try transaction.check("outbox.append")
    try base.append(event)
  }
  func claim(limit: Int, now: Timestamp, leaseUntil: Timestamp) throws -> [PendingEvent] {
    try transaction.check("outbox.claim")
    return try base.claim(limit: limit, now: now, leaseUntil: leaseUntil)
  }
  func markRelayed(_ ids: [String], at now: Timestamp) throws {
    try transaction.check("outbox.markRelayed")
    try base.markRelayed(ids, at: now)
  }
  func stats() throws -> OutboxStats { try base.stats() }
}

struct FailingIdempotency: IdempotencyRepository {
  let base: any IdempotencyRepository
  let transaction: FailingTransaction

  func record(of user: UserID, key: String) throws -> IdempotencyRecord? { try base.record(of: user, key: key) }
  func save(_ record: IdempotencyRecord) throws {
    try transaction.check("idempotency.save")
    try base.save(record)
  }
  func prune(before now: Timestamp, limit: Int) throws { try base.prune(before: now, limit: limit) }
}

struct FailingTokens: TokenRegistry {
  let base: any TokenRegistry
  let transaction: FailingTransaction

  func recordIssued(_ claims: AccessClaims) throws {
    try transaction.check("tokens.recordIssued")
    try base.recordIssued(claims)
  }
  func revoke(_ claims: AccessClaims, at now: Timestamp) throws {
    try transaction.check("tokens.revoke")
    try base.revoke(claims, at: now)
  }
  func revokeAll(of subject: String, role: Role, except kept: String?, at now: Timestamp) throws {
    try transaction.check("tokens.revokeAll")
    try base.revokeAll(of: subject, role: role, except: kept, at: now)
  }
  func isRevoked(tokenID: String) throws -> Bool { try base.isRevoked(tokenID: tokenID) }
}
