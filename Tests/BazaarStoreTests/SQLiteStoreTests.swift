import BazaarCore
import BazaarStore
import Foundation
import GRDB
import Testing

/// A fresh database file in its own temporary directory, removed afterwards.
final class TemporaryDatabase {
  let directory: String
  let database: BazaarDatabase

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("bazaar-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    database = try BazaarDatabase(path: directory + "/bazaar.sqlite")
  }

  deinit { try? FileManager.default.removeItem(atPath: directory) }
}

func makeUser(_ id: String, _ email: String, at ms: Int64 = 1_000) throws -> User {
  User(
    id: UserID(rawValue: "usr_" + id), email: try Email(email), name: nil, phone: nil, shippingAddress: nil,
    status: .active, createdAt: Timestamp(milliseconds: ms), updatedAt: Timestamp(milliseconds: ms))
}

func claims(_ jti: String, for subject: String, role: Role = .user) -> AccessClaims {
  AccessClaims(
    subject: subject, role: role, tokenID: jti, issuedAt: Timestamp(seconds: 1_800_000_000),
    expiresAt: Timestamp(seconds: 1_800_003_600))
}

@Suite struct SQLiteStoreTests {
  let temp: TemporaryDatabase
  let users: SQLiteUserRepository
  let tokens: SQLiteTokenRegistry

  init() throws {
    temp = try TemporaryDatabase()
    users = SQLiteUserRepository(temp.database)
    tokens = SQLiteTokenRegistry(temp.database)
  }

  @Test(arguments: [BazaarDatabase.Connections.pool, .single])
  func bothConnectionModesShareOneWALFile(mode: BazaarDatabase.Connections) throws {
    let path = temp.directory + "/modes.sqlite"
    let first = try BazaarDatabase(path: path, connections: mode)
    #expect(try first.journalMode() == "wal")
    #expect(try first.writerSynchronous() == 2)
    try SQLiteUserRepository(first).insert(try makeUser("1", "kim@example.com"), passwordHash: "$h")
    let other = try BazaarDatabase(path: path, connections: mode == .pool ? .single : .pool)
    #expect(try SQLiteUserRepository(other).credentials(email: Email("kim@example.com"))?.passwordHash == "$h")
    #expect(try other.journalMode() == "wal")
  }

  @Test func opensInWALModeAndPassesItsChecks() throws {
    #expect(try temp.database.journalMode() == "wal")
    #expect(try temp.database.writerSynchronous() == 2, "FULL: commits survive power loss")
    #expect(try temp.database.check().isEmpty)
    // Reopening the same file applies nothing twice.
    let again = try BazaarDatabase(path: temp.directory + "/bazaar.sqlite")
    #expect(try again.check().isEmpty)
    #expect(try again.writerSynchronous() == 2)
  }

  @Test func usersRoundTripWithTheirAddress() throws {
    var user = try makeUser("1", "kim@example.com")
    try users.insert(user, passwordHash: "$scrypt$x")
    user.name = "Kim"
    user.phone = "010-1234-5678"
    user.shippingAddress = ShippingAddress(
      trustedRecipient: "Kim", postalCode: "06236", line1: "Teheran-ro 152", line2: "5F")
    user.updatedAt = Timestamp(milliseconds: 2_000)
    try users.saveProfile(user)
    let stored = try #require(try users.credentials(email: Email("kim@example.com")))
    #expect(stored.user == user)
    #expect(stored.passwordHash == "$scrypt$x")
    #expect(try users.user(id: UserID(rawValue: "usr_nobody")) == nil)
  }

  @Test func duplicateEmailBecomesEmailTaken() throws {
    try users.insert(try makeUser("1", "kim@example.com"), passwordHash: "$h")
    #expect(throws: AccountError.emailTaken) {
      try users.insert(try makeUser("2", "kim@example.com"), passwordHash: "$h")
    }
  }

  @Test func concurrentSignupsForOneEmailLeaveExactlyOneAccount() async throws {
    let users = self.users
    let outcomes = await withTaskGroup(of: Bool.self) { group in
      for index in 0..<16 {
        group.addTask { (try? users.insert(try makeUser("\(index)", "race@example.com"), passwordHash: "$h")) != nil }
      }
      return await group.reduce(into: [Bool]()) { $0.append($1) }
    }
    #expect(outcomes.filter { $0 }.count == 1)
  }

  @Test func schemaRefusesRowsTheCoreWouldNeverWrite() throws {
    #expect(throws: (any Error).self) {
      try temp.database.writer.write { db in
        try db.execute(
          sql:
            "INSERT INTO users (id, email, password_hash, status, created_at, updated_at, password_changed_at) VALUES ('usr_1', 'a@b.co', '$h', 'deleted', 1, 1, 1)"
        )
      }
    }
    #expect(throws: (any Error).self) {
      try temp.database.writer.write { db in
        try db.execute(
          sql:
            "INSERT INTO users (id, email, password_hash, status, created_at, updated_at, password_changed_at) VALUES ('usr_1', 'A@b.co', '$h', 'active', 1, 1, 1)"
        )
      }
    }
  }

  @Test func changePasswordRevokesEveryOtherTokenAtomically() throws {
    try users.insert(try makeUser("1", "kim@example.com"), passwordHash: "$old")
    try users.insert(try makeUser("2", "lee@example.com"), passwordHash: "$old")
    for jti in ["a", "b", "c"] { try tokens.recordIssued(claims(jti, for: "usr_1")) }
    try tokens.recordIssued(claims("other", for: "usr_2"))
    try users.changePassword(
      of: UserID(rawValue: "usr_1"), to: "$new", keepingTokenID: "b", at: Timestamp(milliseconds: 5_000))
    #expect(try tokens.isRevoked(tokenID: "a"))
    #expect(try !tokens.isRevoked(tokenID: "b"))
    #expect(try tokens.isRevoked(tokenID: "c"))
    #expect(try !tokens.isRevoked(tokenID: "other"))
    #expect(try users.credentials(id: UserID(rawValue: "usr_1"))?.passwordHash == "$new")
  }

  @Test func deactivationRevokesAllAndRevokingUnknownTokensRecordsThem() throws {
    try users.insert(try makeUser("1", "kim@example.com"), passwordHash: "$h")
    try tokens.recordIssued(claims("a", for: "usr_1"))
    try users.deactivate(UserID(rawValue: "usr_1"), at: Timestamp(milliseconds: 5_000))
    #expect(try tokens.isRevoked(tokenID: "a"))
    #expect(try users.user(id: UserID(rawValue: "usr_1"))?.status == .inactive)
    #expect(try !tokens.isRevoked(tokenID: "minted-elsewhere"))
    try tokens.revoke(claims("minted-elsewhere", for: "usr_1"), at: Timestamp(milliseconds: 6_000))
    try tokens.revoke(claims("minted-elsewhere", for: "usr_1"), at: Timestamp(milliseconds: 7_000))
    #expect(try tokens.isRevoked(tokenID: "minted-elsewhere"))
  }

  @Test func aHeldWriteLockBecomesStoreBusy() throws {
    let path = temp.directory + "/busy.sqlite"
    let quick = try BazaarDatabase(path: path, busyTimeout: 0.05)
    let holder = try BazaarDatabase(path: path)
    let users = SQLiteUserRepository(quick)
    let started = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)
    let thread = Thread {
      try? holder.writer.writeWithoutTransaction { db in
        try db.execute(sql: "BEGIN IMMEDIATE")
        started.signal()
        release.wait()
        try db.execute(sql: "ROLLBACK")
      }
    }
    thread.start()
    started.wait()
    #expect(throws: StoreBusy.self) { try users.insert(try makeUser("1", "kim@example.com"), passwordHash: "$h") }
    release.signal()
  }
}
