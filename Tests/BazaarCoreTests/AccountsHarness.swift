import BazaarCore
import BazaarTesting

/// The account use cases over the real SQLite store (a temporary file) and fakes.
struct AccountsHarness {
  let clock = TestClock()
  let store = TestStore()
  let ids = SequentialIDs()
  let hasher = PlainHasher()

  var issuer: TokenIssuer { TokenIssuer(signer: ReadableSigner(), ids: ids, clock: clock, lifetime: 3600) }

  var accounts: UserAccounts {
    UserAccounts(store: store, passwords: hasher, issuer: issuer, ids: ids, clock: clock)
  }

  var sellers: SellerAccounts {
    SellerAccounts(store: store, passwords: hasher, issuer: issuer, ids: ids, clock: clock)
  }

  var catalog: ProductCatalog { ProductCatalog(store: store, ids: ids, clock: clock) }

  var orders: OrderDesk { OrderDesk(store: store, ids: ids, clock: clock, orderLifetime: 900) }

  var idempotency: IdempotentCalls { IdempotentCalls(store: store, clock: clock) }

  var authenticator: Authenticator { Authenticator(signer: ReadableSigner(), store: store, clock: clock) }
}

extension TestStore {
  /// The stored hash of the user's password.
  func passwordHash(of id: UserID) throws -> String? { try read { try $0.users.credentials(id: id) }?.passwordHash }

  /// Whether the token was revoked.
  func isRevoked(tokenID: String) throws -> Bool { try read { try $0.tokens.isRevoked(tokenID: tokenID) } }

  /// What an operator's block does to the account.
  func block(_ id: UserID) throws {
    try write { try $0.users.setStatus(of: id, to: .blocked, at: Timestamp(seconds: 1)) }
  }
}
