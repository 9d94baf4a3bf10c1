internal import BazaarCore
internal import GRDB

/// Runs `body`, turning SQLite's busy and locked results into the core's `StoreBusy`.
func translatingErrors<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
    throw StoreBusy()
  }
}

extension DatabaseError {
  /// Whether this is a UNIQUE violation on `table.column`.
  func isUniqueViolation(on tableColumn: String) -> Bool {
    extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE && (message ?? "").contains(tableColumn)
  }
}
