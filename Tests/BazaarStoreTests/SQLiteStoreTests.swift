import BazaarCore
import BazaarStore
import Foundation
import GRDB
import Testing

/// A fresh database file in its own temporary directory, removed afterwards.
final class TemporaryDatabase {
  let directory: String
  let database: BazaarDatabase
  var store: SQLiteStore { SQLiteStore(database) }

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

/// What only the SQLite adapter has: files, connection modes, pragmas, the schema's own
/// checks, the write lock. The behaviour every adapter shares is in `StoreContractTests`.
@Suite struct SQLiteStoreTests {
  let temp: TemporaryDatabase

  init() throws {
    temp = try TemporaryDatabase()
  }

  @Test(arguments: [BazaarDatabase.Connections.pool, .single])
  func bothConnectionModesShareOneWALFile(mode: BazaarDatabase.Connections) throws {
    let path = temp.directory + "/modes.sqlite"
    let first = try BazaarDatabase(path: path, connections: mode)
    #expect(try first.journalMode() == "wal")
    #expect(try first.writerSynchronous() == 2)
    try SQLiteStore(first).write { try $0.users.insert(try makeUser("1", "kim@example.com"), passwordHash: "$h") }
    let other = try BazaarDatabase(path: path, connections: mode == .pool ? .single : .pool)
    let stored = try SQLiteStore(other).read { try $0.users.credentials(email: Email("kim@example.com")) }
    #expect(stored?.passwordHash == "$h")
    #expect(try other.journalMode() == "wal")
  }

  @Test func opensInWALModeAndPassesItsChecks() throws {
    #expect(try temp.database.journalMode() == "wal")
    #expect(try temp.database.writerSynchronous() == 2, "FULL: commits survive power loss")
    #expect(try temp.database.check().isEmpty)
    #expect(temp.database.appliedMigrations == BazaarDatabase.migrationNames, "a new file gets every migration")
    // Reopening the same file applies nothing twice, and says so.
    let again = try BazaarDatabase(path: temp.directory + "/bazaar.sqlite")
    #expect(again.appliedMigrations.isEmpty)
    #expect(try again.check().isEmpty)
    #expect(try again.writerSynchronous() == 2)
  }

  @Test func concurrentSignupsForOneEmailLeaveExactlyOneAccount() async throws {
    let store = temp.store
    let outcomes = await withTaskGroup(of: Bool.self) { group in
      for index in 0..<16 {
        group.addTask {
          (try? store.write { try $0.users.insert(try makeUser("\(index)", "race@example.com"), passwordHash: "$h") })
            != nil
        }
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

  @Test func aReadOnAPoolRefusesWrites() throws {
    #expect(throws: (any Error).self) {
      try temp.store.read { try $0.users.insert(try makeUser("1", "kim@example.com"), passwordHash: "$h") }
    }
    #expect(try temp.store.read { try $0.users.credentials(email: Email("kim@example.com")) } == nil)
  }

  /// A one-shot process's single connection can write, so its reads refuse writes themselves
  /// (`GRDBConnection.readsOnly`), in autocommit reads and in snapshots alike.
  @Test(arguments: [BazaarDatabase.Connections.pool, .single])
  func readsAndSnapshotsRefuseWritesOnEitherConnection(mode: BazaarDatabase.Connections) throws {
    let store = SQLiteStore(try BazaarDatabase(path: temp.directory + "/reads.sqlite", connections: mode))
    #expect(throws: (any Error).self) {
      try store.read { try $0.users.insert(try makeUser("1", "kim@example.com"), passwordHash: "$h") }
    }
    #expect(throws: (any Error).self) {
      try store.snapshot {
        try store.read { try $0.users.insert(try makeUser("2", "lee@example.com"), passwordHash: "$h") }
      }
    }
    // Snapshots reuse their statements (no `PRAGMA query_only` expiring them) and still read.
    try store.write { try $0.users.insert(try makeUser("3", "park@example.com"), passwordHash: "$h") }
    for _ in 0..<3 {
      #expect(
        try store.snapshot { try store.read { try $0.users.credentials(email: Email("park@example.com")) } } != nil)
    }
    #expect(try store.read { try $0.users.credentials(email: Email("kim@example.com")) } == nil)
    #expect(try store.read { try $0.users.credentials(email: Email("lee@example.com")) } == nil)
  }

  @Test func anInternalDatabaseErrorCarriesNoSQL() throws {
    try temp.database.writer.writeWithoutTransaction { try $0.execute(sql: "DROP TABLE login_failures") }
    do {
      _ = try temp.store.read { try $0.loginFailures.failures(account: "user:kim@example.com", client: "10.0.0.1") }
      Issue.record("the read should fail")
    } catch {
      let logged = String(reflecting: error)
      #expect(logged.contains("no such table: login_failures"))
      #expect(!logged.contains("SELECT") && !logged.contains("kim@example.com"), "\(logged)")
    }
  }

  @Test func aHeldWriteLockBecomesStoreBusy() throws {
    let path = temp.directory + "/busy.sqlite"
    let quick = SQLiteStore(try BazaarDatabase(path: path, busyTimeout: 0.05))
    let holder = try BazaarDatabase(path: path)
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
    #expect(throws: StoreBusy.self) {
      try quick.write { try $0.users.insert(try makeUser("1", "kim@example.com"), passwordHash: "$h") }
    }
    release.signal()
  }

  /// Two writers that read before they write never fail on the lock upgrade: `BEGIN IMMEDIATE`
  /// makes the second wait for the first, so every increment lands.
  @Test func readThenWriteTransactionsQueueInsteadOfFailing() async throws {
    let path = temp.directory + "/counter.sqlite"
    let stores = try (0..<4).map { _ in SQLiteStore(try BazaarDatabase(path: path, connections: .single)) }
    let seller = try makeSeller("1", "shop@example.com")
    let product = makeProduct("1", seller: seller.id, stock: 0)
    try stores[0].write { tx in
      try tx.sellers.insert(seller, passwordHash: "$h")
      try tx.products.insert(product)
    }
    try await withThrowingTaskGroup(of: Void.self) { group in
      for store in stores {
        group.addTask {
          for _ in 0..<25 {
            try store.write { tx in
              var current = try #require(try tx.products.product(id: product.id))
              current.variants[0].stock += 1
              try tx.products.updateVariant(current.variants[0])
            }
          }
        }
      }
      try await group.waitForAll()
    }
    #expect(try stores[0].read { try $0.products.product(id: product.id) }?.stock == 100)
  }
}
