internal import BazaarCore
internal import GRDB

/// Runs `body`, turning SQLite's busy and locked results into the core's `StoreBusy`, and
/// read-only ones into `StoreReadOnly`.
func translatingErrors<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
    throw StoreBusy()
  } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY {
    throw StoreReadOnly()
  } catch let error as DatabaseError {
    // GRDB's own description carries the statement's SQL; logs get SQLite's code and message only.
    throw StoreFailure(code: error.extendedResultCode.rawValue, message: error.message ?? "")
  }
}

/// A database error other than busy or read-only, without the SQL that raised it: internal
/// errors are logged, and a log must not hold statements (or what was bound to them).
struct StoreFailure: Error, CustomStringConvertible {
  var code: Int32
  var message: String
  var description: String { "SQLite error \(code): \(message)" }
}

extension DatabaseReader {
  /// Runs a read made of one statement in SQLite's autocommit mode, without the explicit
  /// transaction and `query_only` toggling that `read` adds: four statements a call, which a
  /// one-request process feels. One statement is atomic on its own, so nothing is lost.
  func singleStatementRead<T>(_ value: (Database) throws -> T) throws -> T {
    try unsafeRead(value)
  }

  /// Runs a read in one deferred transaction: every statement sees one snapshot. GRDB's `read`
  /// does this too, but also sets `PRAGMA query_only` on and off, and SQLite expires every
  /// prepared statement of the connection whenever a flag pragma changes, so each read would
  /// compile its statements anew. `GRDBConnection.readsOnly` refuses writes instead.
  func snapshotRead<T>(_ value: (Database) throws -> T) throws -> T {
    try unsafeRead { db in
      var result: T?
      try db.inTransaction(.deferred) {
        result = try value(db)
        return .commit
      }
      return result!
    }
  }
}
