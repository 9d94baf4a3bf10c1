package import BazaarCore
internal import GRDB

/// The unit of work over the shop's SQLite database.
///
/// `write` is one GRDB write in a `BEGIN IMMEDIATE` transaction: a writer takes the lock before
/// its first read, so concurrent writers (threads or processes) queue on the busy timeout
/// instead of failing when a read transaction would upgrade. `read` runs in autocommit mode.
package struct SQLiteStore: Store {
  /// The database the store runs on.
  package let database: BazaarDatabase

  package init(_ database: BazaarDatabase) {
    self.database = database
  }

  package func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    try database.checkSameFile()
    do {
      return try writeOnce(body)
    } catch is StoreReadOnly where database.reopenIfWritable() {
      return try writeOnce(body)
    }
  }

  private func writeOnce<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    try translatingErrors {
      try database.writer.writeWithoutTransaction { db in
        var result: T?
        try db.inTransaction(.immediate) {
          result = try body(SQLiteTransaction(db: db))
          return .commit
        }
        return result!
      }
    }
  }

  package func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    // Autocommit reads (see `singleStatementRead`); a pool's readers refuse writes.
    try database.checkSameFile()
    return try translatingErrors {
      try database.writer.singleStatementRead { db in try body(SQLiteTransaction(db: db)) }
    }
  }
}

/// The repositories over one GRDB connection, inside the caller's transaction.
struct SQLiteTransaction: StoreTransaction {
  let db: Database

  var users: any UserRepository { SQLiteUserRepository(db: db) }
  var sellers: any SellerRepository { SQLiteSellerRepository(db: db) }
  var products: any ProductRepository { SQLiteProductRepository(db: db) }
  var tokens: any TokenRegistry { SQLiteTokenRegistry(db: db) }
  var orders: any OrderRepository { SQLiteOrderRepository(db: db) }
  var outbox: any OutboxRepository { SQLiteOutboxRepository(db: db) }
  var idempotency: any IdempotencyRepository { SQLiteIdempotencyRepository(db: db) }
  var payments: any PaymentRepository { SQLitePaymentRepository(db: db) }
  var shipments: any ShipmentRepository { SQLiteShipmentRepository(db: db) }
  var processedEvents: any ProcessedEventRepository { SQLiteProcessedEventRepository(db: db) }
  var loginFailures: any LoginFailureRepository { SQLiteLoginFailureRepository(db: db) }
}
