import BazaarCore
import Synchronization

/// A clock that returns what the test sets.
final class TestClock: Clock {
  private let instant: Mutex<Timestamp>
  init(_ start: Timestamp = Timestamp(seconds: 1_800_000_000)) { instant = Mutex(start) }
  func now() -> Timestamp { instant.withLock { $0 } }
  func advance(seconds: Int64) { instant.withLock { $0 = $0.adding(seconds: seconds) } }
}

/// Ids `id000001`, `id000002`, … in order.
final class SequentialIDs: IDGenerator {
  private let counter = Mutex(0)
  func next() -> String {
    counter.withLock {
      $0 += 1
      return "id" + String(repeating: "0", count: 6 - String($0).count) + String($0)
    }
  }
}

/// Hashes as `plain:<password>`: visible, so tests can see what was stored. Records every
/// hash it is asked to check, so tests can see that unknown emails pay for a check too.
final class PlainHasher: PasswordHasher {
  let current: String
  let checked = Mutex<[String]>([])
  init(current: String = "v2") { self.current = current }
  func hash(_ password: String) throws -> String { "plain:\(current):\(password)" }
  func verify(_ password: String, against encoded: String) -> Bool {
    checked.withLock { $0.append(encoded) }
    return encoded.split(separator: ":", maxSplits: 2).last.map(String.init) == password
      && encoded.hasPrefix("plain:")
  }
  func needsRehash(_ encoded: String) -> Bool { !encoded.hasPrefix("plain:\(current):") }
  var decoyHash: String { "plain:\(current):\u{0}decoy" }
}

/// A token is `jti|sub|role|exp`; verification only checks expiry.
struct ReadableSigner: TokenSigner {
  func sign(_ claims: AccessClaims) throws -> String {
    "\(claims.tokenID)|\(claims.subject)|\(claims.role.rawValue)|\(claims.expiresAt.seconds)|\(claims.issuedAt.seconds)"
  }
  func verify(_ token: String, at now: Timestamp) throws -> AccessClaims {
    let p = token.split(separator: "|").map(String.init)
    guard p.count == 5, let role = Role(rawValue: p[2]), let exp = Int64(p[3]), let iat = Int64(p[4]) else {
      throw AuthError.malformedToken("test token")
    }
    guard now < Timestamp(seconds: exp) else { throw AuthError.expired }
    return AccessClaims(
      subject: p[1], role: role, tokenID: p[0], issuedAt: Timestamp(seconds: iat), expiresAt: Timestamp(seconds: exp))
  }
}

/// In-memory users and tokens with the same atomicity the SQLite adapter gives.
final class MemoryStore: UserRepository, TokenRegistry {
  struct Token { var claims: AccessClaims; var revoked: Bool }
  private let state = Mutex<(users: [UserID: StoredCredentials], tokens: [String: Token])>(([:], [:]))

  func insert(_ user: User, passwordHash: String) throws {
    try state.withLock {
      if $0.users.values.contains(where: { $0.user.email == user.email }) { throw AccountError.emailTaken }
      $0.users[user.id] = StoredCredentials(user: user, passwordHash: passwordHash)
    }
  }
  func user(id: UserID) throws -> User? { state.withLock { $0.users[id]?.user } }
  func credentials(email: Email) throws -> StoredCredentials? {
    state.withLock { $0.users.values.first { $0.user.email == email } }
  }
  func credentials(id: UserID) throws -> StoredCredentials? { state.withLock { $0.users[id] } }
  func saveProfile(_ user: User) throws { state.withLock { $0.users[user.id]?.user = user } }
  func replacePasswordHash(of id: UserID, with hash: String, at now: Timestamp) throws {
    state.withLock { $0.users[id]?.passwordHash = hash }
  }
  func changePassword(of id: UserID, to hash: String, keepingTokenID kept: String, at now: Timestamp) throws {
    state.withLock {
      $0.users[id]?.passwordHash = hash
      for (jti, token) in $0.tokens where token.claims.subject == id.rawValue && jti != kept {
        $0.tokens[jti]?.revoked = true
      }
    }
  }
  func deactivate(_ id: UserID, at now: Timestamp) throws {
    state.withLock {
      $0.users[id]?.user.status = .inactive
      for (jti, token) in $0.tokens where token.claims.subject == id.rawValue { $0.tokens[jti]?.revoked = true }
    }
  }
  func block(_ id: UserID) { state.withLock { $0.users[id]?.user.status = .blocked } }
  func passwordHash(of id: UserID) -> String? { state.withLock { $0.users[id]?.passwordHash } }

  func recordIssued(_ claims: AccessClaims) throws {
    state.withLock { $0.tokens[claims.tokenID] = Token(claims: claims, revoked: false) }
  }
  func revoke(_ claims: AccessClaims, at now: Timestamp) throws {
    state.withLock { $0.tokens[claims.tokenID] = Token(claims: claims, revoked: true) }
  }
  func isRevoked(tokenID: String) throws -> Bool { state.withLock { $0.tokens[tokenID]?.revoked ?? false } }
}

/// The user-account use cases over the fakes.
struct AccountsHarness {
  let clock = TestClock()
  let store = MemoryStore()
  let ids = SequentialIDs()
  let hasher = PlainHasher()

  var accounts: UserAccounts {
    UserAccounts(
      users: store, passwords: hasher,
      issuer: TokenIssuer(signer: ReadableSigner(), registry: store, ids: ids, clock: clock, lifetime: 3600),
      ids: ids, clock: clock)
  }

  var authenticator: Authenticator { Authenticator(signer: ReadableSigner(), registry: store, clock: clock) }
}
