package import BazaarCore
internal import Synchronization

/// A `Store` in memory with the guarantees the SQLite adapter gives: writers run one at a time,
/// each on a copy of the data that replaces it only when the closure returns, so a throw leaves
/// no trace; reads see the last commit. Writing inside `read` stops the test (a programming error).
package final class InMemoryStore: Store {
  /// Everything the store holds.
  package struct State: Sendable {
    package var users: [UserID: StoredCredentials] = [:]
    package var sellers: [SellerID: StoredSellerCredentials] = [:]
    package var products: [ProductID: Product] = [:]
    package var tokens: [String: IssuedTokenRecord] = [:]
    package var orders: [OrderID: Order] = [:]
    /// The outbox in insertion order.
    package var outbox: [OutboxRow] = []
    package var idempotency: [String: IdempotencyRecord] = [:]
    /// Payment attempts in insertion order.
    package var payments: [Payment] = []
    /// Shipments in insertion order.
    package var shipments: [Shipment] = []
    /// `consumer|source|id` of every processed event.
    package var processedEvents: Set<String> = []
    /// Failed sign-ins by `account|client`, with when each was last saved.
    package var loginFailures: [String: (failures: LoginFailures, updatedAt: Timestamp)] = [:]
  }

  /// One outbox row.
  package struct OutboxRow: Sendable, Equatable {
    package var event: PendingEvent
    package var createdAt: Timestamp
    package var claimedUntil: Timestamp?
    package var relayedAt: Timestamp?
  }

  /// One `issued_tokens` row.
  package struct IssuedTokenRecord: Sendable, Equatable {
    package var claims: AccessClaims
    package var revokedAt: Timestamp?
  }

  private let committed = Mutex(State())
  /// Serializes writers, as SQLite's write lock does.
  private let writeLock = Mutex(())

  package init() {}

  /// A copy of the committed data, for assertions.
  package var state: State { committed.withLock { $0 } }

  package func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    guard !StoreAccess.readsOnly else { throw WriteInReadOnlyFunction() }
    return try writeLock.withLock { _ in
      let transaction = InMemoryTransaction(state: state, writable: true)
      let result = try body(transaction)
      committed.withLock { $0 = transaction.state }
      return result
    }
  }

  package func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    try body(InMemoryTransaction(state: state, writable: false))
  }
}

/// The working copy of one transaction.
final class InMemoryTransaction: StoreTransaction {
  var state: InMemoryStore.State
  let writable: Bool

  init(state: InMemoryStore.State, writable: Bool) {
    self.state = state
    self.writable = writable
  }

  var users: any UserRepository { InMemoryUsers(transaction: self) }
  var sellers: any SellerRepository { InMemorySellers(transaction: self) }
  var products: any ProductRepository { InMemoryProducts(transaction: self) }
  var tokens: any TokenRegistry { InMemoryTokens(transaction: self) }
  var orders: any OrderRepository { InMemoryOrders(transaction: self) }
  var outbox: any OutboxRepository { InMemoryOutbox(transaction: self) }
  var idempotency: any IdempotencyRepository { InMemoryIdempotency(transaction: self) }
  var payments: any PaymentRepository { InMemoryPayments(transaction: self) }
  var shipments: any ShipmentRepository { InMemoryShipments(transaction: self) }
  var processedEvents: any ProcessedEventRepository { InMemoryProcessedEvents(transaction: self) }
  var loginFailures: any LoginFailureRepository { InMemoryLoginFailures(transaction: self) }

  /// Applies `change` to the working copy; a write inside `read` stops the test.
  func mutate<T>(_ change: (inout InMemoryStore.State) throws -> T) rethrows -> T {
    precondition(writable, "a store write inside Store.read")
    return try change(&state)
  }
}

struct InMemoryUsers: UserRepository {
  let transaction: InMemoryTransaction

  func insert(_ user: User, passwordHash: String) throws {
    try transaction.mutate { state in
      if state.users.values.contains(where: { $0.user.email == user.email }) { throw AccountError.emailTaken }
      state.users[user.id] = StoredCredentials(user: user, passwordHash: passwordHash)
    }
  }

  func credentials(email: Email) throws -> StoredCredentials? {
    transaction.state.users.values.first { $0.user.email == email }
  }

  func credentials(id: UserID) throws -> StoredCredentials? { transaction.state.users[id] }

  func saveProfile(_ user: User) throws {
    transaction.mutate { state in
      guard var stored = state.users[user.id] else { return }
      stored.user.name = user.name
      stored.user.phone = user.phone
      stored.user.shippingAddress = user.shippingAddress
      stored.user.updatedAt = user.updatedAt
      state.users[user.id] = stored
    }
  }

  func replacePasswordHash(of id: UserID, with hash: String, changedAt: Timestamp?) throws {
    transaction.mutate { state in
      state.users[id]?.passwordHash = hash
      if let changedAt, let user = state.users[id]?.user {
        state.users[id]?.user.updatedAt = max(user.updatedAt, changedAt)
      }
    }
  }

  func setStatus(of id: UserID, to status: AccountStatus, at now: Timestamp) throws {
    transaction.mutate { state in
      guard let user = state.users[id]?.user else { return }
      state.users[id]?.user.status = status
      state.users[id]?.user.updatedAt = max(user.updatedAt, now)
    }
  }
}

struct InMemorySellers: SellerRepository {
  let transaction: InMemoryTransaction

  func insert(_ seller: Seller, passwordHash: String) throws {
    try transaction.mutate { state in
      if state.sellers.values.contains(where: { $0.seller.email == seller.email }) { throw AccountError.emailTaken }
      if state.sellers.values.contains(where: { $0.seller.businessNumber == seller.businessNumber }) {
        throw AccountError.businessNumberTaken
      }
      state.sellers[seller.id] = StoredSellerCredentials(seller: seller, passwordHash: passwordHash)
    }
  }

  func credentials(email: Email) throws -> StoredSellerCredentials? {
    transaction.state.sellers.values.first { $0.seller.email == email }
  }

  func credentials(id: SellerID) throws -> StoredSellerCredentials? { transaction.state.sellers[id] }

  func replacePasswordHash(of id: SellerID, with hash: String) throws {
    transaction.mutate { $0.sellers[id]?.passwordHash = hash }
  }

  func setStatus(of id: SellerID, to status: AccountStatus, at now: Timestamp) throws {
    transaction.mutate { state in
      guard let seller = state.sellers[id]?.seller else { return }
      state.sellers[id]?.seller.status = status
      state.sellers[id]?.seller.updatedAt = max(seller.updatedAt, now)
    }
  }

  func setFulfillment(of id: SellerID, to fulfillment: Fulfillment, at now: Timestamp) throws {
    transaction.mutate { state in
      guard let seller = state.sellers[id]?.seller else { return }
      state.sellers[id]?.seller.fulfillment = fulfillment
      state.sellers[id]?.seller.updatedAt = max(seller.updatedAt, now)
    }
  }
}

struct InMemoryTokens: TokenRegistry {
  let transaction: InMemoryTransaction

  func recordIssued(_ claims: AccessClaims) throws {
    transaction.mutate { state in
      state.tokens[claims.tokenID] = .init(claims: claims, revokedAt: nil)
      let horizon = claims.issuedAt.adding(seconds: -86_400)
      state.tokens = state.tokens.filter { !($0.value.claims.expiresAt < horizon) }
    }
  }

  func revoke(_ claims: AccessClaims, at now: Timestamp) throws {
    transaction.mutate { state in
      let existing = state.tokens[claims.tokenID]
      state.tokens[claims.tokenID] = .init(claims: existing?.claims ?? claims, revokedAt: existing?.revokedAt ?? now)
    }
  }

  func revokeAll(of subject: String, role: Role, except kept: String?, at now: Timestamp) throws {
    transaction.mutate { state in
      for (jti, record) in state.tokens
      where record.claims.subject == subject && record.claims.role == role && record.revokedAt == nil && jti != kept {
        state.tokens[jti]?.revokedAt = now
      }
    }
  }

  func isRevoked(tokenID: String) throws -> Bool { transaction.state.tokens[tokenID]?.revokedAt != nil }
}

struct InMemoryLoginFailures: LoginFailureRepository {
  let transaction: InMemoryTransaction

  func failures(account: String, client: String) throws -> LoginFailures? {
    transaction.state.loginFailures[account + "|" + client]?.failures
  }

  func save(_ failures: LoginFailures, account: String, client: String, at now: Timestamp) throws {
    transaction.mutate { $0.loginFailures[account + "|" + client] = (failures, now) }
  }

  func clear(account: String, client: String) throws {
    transaction.mutate { $0.loginFailures[account + "|" + client] = nil }
  }

  func prune(before: Timestamp) throws {
    transaction.mutate { state in
      state.loginFailures = state.loginFailures.filter { _, entry in
        entry.updatedAt >= before || (entry.failures.heldUntil.map { $0 >= before } ?? false)
      }
    }
  }
}
