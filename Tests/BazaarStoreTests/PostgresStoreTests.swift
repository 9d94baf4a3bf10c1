import BazaarCore
import Foundation
import Testing

@testable import BazaarPostgres

/// What only the PostgreSQL adapter has: its migrations, serializable writers that retry, row
/// locks, a server that can be busy or gone. What every adapter shares is in `StoreContractTests`.
@Suite struct PostgresStoreTests {
  @Test func migrationsApplyOnceEvenWhenStoresStartTogether() async throws {
    let schema = try TemporarySchema()
    try await withThrowingTaskGroup(of: Void.self) { group in
      for _ in 0..<4 {
        group.addTask { _ = try schema.store(.single).read { try $0.tokens.isRevoked(tokenID: "x") } }
      }
      try await group.waitForAll()
    }
    let connection = try PostgresConnection(url: schema.url)
    #expect(try PostgresMigrations.applied(connection) == PostgresMigrations.names)
    #expect(try connection.query("SELECT count(*) FROM bazaar_migrations")[0].int(0) == PostgresMigrations.names.count)
  }

  @Test func concurrentSignupsForOneEmailLeaveExactlyOneAccount() async throws {
    let schema = try TemporarySchema()
    let store = try schema.store(.pool(8))
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

  /// Writers that read a product, then reserve it, from separate processes' worth of
  /// connections: the serializable transactions retry, so exactly the stock is reserved.
  @Test func contendedReservationsNeverOversell() async throws {
    let schema = try TemporarySchema()
    let stores = try (0..<4).map { _ in try schema.store(.pool(4), busyTimeout: 30) }
    let seller = try makeSeller("1", "shop@example.com")
    let product = makeProduct("1", seller: seller.id, stock: 10)
    try stores[0].write { tx in
      try tx.sellers.insert(seller, passwordHash: "$h")
      try tx.products.insert(product)
    }
    let reserved = try await withThrowingTaskGroup(of: Bool.self) { group in
      for buyer in 0..<32 {
        group.addTask {
          try stores[buyer % 4].write { tx in
            guard let current = try tx.products.listedProduct(id: product.id), current.available >= 1 else {
              return false
            }
            return try tx.products.adjustReserved(of: current.variants[0].id, by: 1)
          }
        }
      }
      return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
    }
    #expect(reserved == 10)
    #expect(try stores[0].read { try $0.products.product(id: product.id) }?.reserved == 10)
  }

  @Test func readThenWriteTransactionsAllLand() async throws {
    let schema = try TemporarySchema()
    let stores = try (0..<4).map { _ in try schema.store(.single, busyTimeout: 30) }
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

  @Test func aHeldRowLockBecomesStoreBusy() throws {
    let schema = try TemporarySchema()
    let store = try schema.store(.single, busyTimeout: 0.2)
    try store.write { try $0.users.insert(try makeUser("1", "kim@example.com"), passwordHash: "$h") }
    let holder = try PostgresConnection(url: schema.url)
    try holder.execute("BEGIN; SELECT * FROM users WHERE id = 'usr_1' FOR UPDATE")
    #expect(throws: StoreBusy.self) {
      try store.write { tx in
        try tx.users.setStatus(of: UserID(rawValue: "usr_1"), to: .inactive, at: Timestamp(milliseconds: 2_000))
      }
    }
    try holder.execute("ROLLBACK")
    try store.write { tx in
      try tx.users.setStatus(of: UserID(rawValue: "usr_1"), to: .inactive, at: Timestamp(milliseconds: 2_000))
    }
  }

  @Test func anUnreachableServerIsBusyAndNamesNoPassword() throws {
    let store = try PostgresStore(url: "postgres://bazaar:s3cret-word@127.0.0.1:1/bazaar", busyTimeout: 0.2)
    #expect(throws: StoreBusy.self) { try store.read { try $0.tokens.isRevoked(tokenID: "x") } }
    do {
      _ = try PostgresConnection(url: "postgres://bazaar:s3cret-word@127.0.0.1:1/bazaar")
    } catch {
      #expect(!String(reflecting: error).contains("s3cret-word"))
    }
    #expect(throws: PostgresURLError.self) { try PostgresStore(url: "mysql://localhost/bazaar") }
  }

  @Test func anInternalDatabaseErrorCarriesNoSQL() throws {
    let schema = try TemporarySchema()
    let store = try schema.store()
    _ = try store.read { try $0.tokens.isRevoked(tokenID: "x") }
    try schema.execute("DROP TABLE login_failures")
    do {
      _ = try store.read { try $0.loginFailures.failures(account: "user:kim@example.com", client: "10.0.0.1") }
      Issue.record("the read should fail")
    } catch {
      let logged = String(reflecting: error)
      #expect(logged.contains("42P01") && logged.contains("login_failures"), "\(logged)")
      #expect(!logged.contains("SELECT") && !logged.contains("kim@example.com"), "\(logged)")
    }
  }

  @Test func schemaRefusesRowsTheCoreWouldNeverWrite() throws {
    let schema = try TemporarySchema()
    _ = try schema.store().read { try $0.tokens.isRevoked(tokenID: "x") }
    let insert =
      "INSERT INTO users (id, email, password_hash, status, created_at, updated_at, password_changed_at) VALUES "
    for values in [
      "('usr_1', 'a@b.co', '$h', 'deleted', 1, 1, 1)", "('usr_1', 'A@b.co', '$h', 'active', 1, 1, 1)",
      "('user1', 'a@b.co', '$h', 'active', 1, 1, 1)", "('usr_1', 'a@b.co', '$h', 'active', 2, 1, 1)",
    ] {
      #expect(throws: PostgresError.self) { try schema.execute(insert + values) }
    }
    try schema.execute(insert + "('usr_1', 'a@b.co', '$h', 'active', 1, 1, 1)")
  }

  @Test func aReadOnlySnapshotRefusesWritesAndSeesOneState() throws {
    let schema = try TemporarySchema()
    let store = try schema.store()
    try store.write { try $0.users.insert(try makeUser("1", "kim@example.com"), passwordHash: "$h") }
    #expect(throws: (any Error).self) {
      try store.snapshot {
        try store.read { try $0.users.insert(try makeUser("2", "lee@example.com"), passwordHash: "$h") }
      }
    }
    let seen = try store.snapshot { () throws -> [Bool] in
      let before = try store.read { try $0.users.credentials(email: Email("kim@example.com")) } != nil
      try schema.execute("DELETE FROM users")
      let after = try store.read { try $0.users.credentials(email: Email("kim@example.com")) } != nil
      return [before, after]
    }
    #expect(seen == [true, true], "a snapshot keeps the state it began with")
  }
}
