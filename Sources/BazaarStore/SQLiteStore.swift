package import BazaarCore
package import BazaarSQL
internal import GRDB

/// The unit of work over the shop's SQLite database.
///
/// `write` is one GRDB write in a `BEGIN IMMEDIATE` transaction: a writer takes the lock before
/// its first read, so concurrent writers (threads or processes) queue on the busy timeout
/// instead of failing when a read transaction would upgrade. `read` runs in autocommit mode.
package struct SQLiteStore: Store {
  /// The database the store runs on.
  package let database: BazaarDatabase
  /// What sees every statement and commit (tests' faults); nil in production.
  package let interceptor: (any SQLInterceptor)?

  package init(_ database: BazaarDatabase, interceptor: (any SQLInterceptor)? = nil) {
    self.database = database
    self.interceptor = interceptor
  }

  /// A connection on `db`, as the repositories see it.
  private func connection(_ db: Database, readsOnly: Bool = false) -> any SQLConnection {
    intercepted(GRDBConnection(db: db, readsOnly: readsOnly), by: interceptor)
  }

  package func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    guard !StoreAccess.readsOnly else { throw WriteInReadOnlyFunction() }
    // Inside a joined write: its transaction, whose own loop sees (and retries) what fails.
    if let joined = ConnectionScope.connection(of: database.path, .joinedWrite) {
      return try body(SQLTransaction(joined))
    }
    return try writeTransaction { try body(SQLTransaction($0)) }
  }

  package func writeJoined<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    guard !StoreAccess.readsOnly else { throw WriteInReadOnlyFunction() }
    return try writeTransaction { connection in
      try ConnectionScope.with(connection, of: database.path, .joinedWrite) { try body(SQLTransaction(connection)) }
    }
  }

  /// One `BEGIN IMMEDIATE` transaction for `body`, opened again once when the file was
  /// replaced by a writable one.
  private func writeTransaction<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
    try database.checkSameFile()
    do {
      return try writeOnce(body)
    } catch is StoreReadOnly where database.reopenIfWritable() {
      return try writeOnce(body)
    }
  }

  private func writeOnce<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
    try translatingErrors {
      try database.writer.writeWithoutTransaction { db in
        var result: T?
        try db.inTransaction(.immediate) {
          result = try body(connection(db))
          try interceptor?.willCommit()
          return .commit
        }
        return result!
      }
    }
  }

  package func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    if let joined = ConnectionScope.connection(of: database.path, .joinedWrite) {
      return try body(SQLTransaction(joined))
    }
    if let connection = ConnectionScope.connection(of: database.path, .snapshot) {
      return try translatingErrors { try body(SQLTransaction(connection)) }
    }
    // Autocommit reads (see `singleStatementRead`); a pool's readers refuse writes.
    try database.checkSameFile()
    return try translatingErrors {
      try database.read(transaction: false) { db in try body(SQLTransaction(connection(db, readsOnly: true))) }
    }
  }

  /// One read transaction on one connection (a pool's reader) for every `read` inside `body`:
  /// the file is checked and the connection taken once, and SQLite takes its locks once instead
  /// of for every statement.
  package func snapshot<T>(_ body: () throws -> T) throws -> T {
    if ConnectionScope.connection(of: database.path) != nil { return try body() }
    try database.checkSameFile()
    return try translatingErrors {
      try database.read(transaction: true) { db in
        try ConnectionScope.with(connection(db, readsOnly: true), of: database.path, .snapshot) { try body() }
      }
    }
  }
}

extension SQLiteStore {
  /// How many products (live or not) `text` matches: for calibrating benchmarks.
  package func countMatches(_ text: SearchText) throws -> Int {
    try translatingErrors {
      try database.writer.singleStatementRead { db in
        try ProductListing.countMatches(text, on: GRDBConnection(db: db))
      }
    }
  }
}
