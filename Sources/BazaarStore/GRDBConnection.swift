internal import BazaarCore
package import BazaarSQL
internal import Foundation
package import GRDB
internal import GRDBSQLite

/// The SQL seam over one GRDB connection, inside the transaction (or autocommit read) its
/// store began. Statements are prepared once per connection and reused (`cachedStatement`),
/// and rows are read by position straight from the statement, without a copy per row.
package struct GRDBConnection: SQLConnection {
  let db: Database
  /// Whether this connection serves a read: then a statement that would write is refused
  /// (SQLITE_READONLY, as `PRAGMA query_only` would), so a read can never change the shop.
  let readsOnly: Bool

  package init(db: Database, readsOnly: Bool = false) {
    self.db = db
    self.readsOnly = readsOnly
  }

  package var dialect: SQLDialect { .sqlite }
  package var locksReads: Bool { false }

  @discardableResult
  package func execute(_ sql: String, _ arguments: SQLArguments) throws -> Int {
    let statement = try db.cachedStatement(sql: sql)
    guard !readsOnly || statement.isReadonly else {
      throw DatabaseError(resultCode: .SQLITE_READONLY, message: "a read tried to write", sql: nil)
    }
    statement.setUncheckedArguments(Self.arguments(arguments))
    try statement.execute()
    return db.changesCount
  }

  package func forEachRow(_ sql: String, _ arguments: SQLArguments, _ body: (any SQLRow) throws -> Void) throws {
    let statement = try db.cachedStatement(sql: sql)
    statement.setUncheckedArguments(Self.arguments(arguments))
    // GRDB steps the statement (and reports its errors); each row is read from the statement
    // itself through SQLite's C API, with no generic decoding per column. The cursor is GRDB's
    // plainest (it decodes column 0 as an optional integer and nothing else): unlike a `Row`
    // cursor, it builds no column-name index per query.
    let cursor: FastDatabaseValueCursor<Int64?> = try Int64?.fetchCursor(statement)
    let row = StatementRow(statement: statement.sqliteStatement)
    while try cursor.next() != nil { try body(row) }
  }

  package func isUniqueViolation(_ error: any Error, table: String, column: String) -> Bool {
    guard let error = error as? DatabaseError, error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE else {
      return false
    }
    // "UNIQUE constraint failed: users.email"
    return (error.message ?? "").hasSuffix(" " + table + "." + column)
  }

  /// The values as GRDB's arguments. They are handed over as `(any DatabaseValueConvertible)?`:
  /// GRDB's initializer for a sequence of one concrete type maps it with a key path, which
  /// the runtime instantiates on every call (about 14 µs a statement, measured).
  private static func arguments(_ values: SQLArguments) -> StatementArguments {
    StatementArguments(
      values.map { value -> (any DatabaseValueConvertible)? in
        switch value?.sqlValue {
        case nil: nil
        case .integer(let number): number
        case .text(let text): text
        case .boolean(let flag): flag ? 1 : 0 as Int64
        case .blob(let bytes): Data(bytes)
        }
      })
  }
}

/// The current row of a stepped SQLite statement, read by position. Each column is fetched
/// once (`sqlite3_column_value`) and read as a value: every `sqlite3_column_*` call takes the
/// connection's mutex and checks for an allocation failure, and a text read needs two or three of
/// them. The value is "unprotected" in SQLite's terms, which matters only to a connection used
/// by two threads at once; GRDB never does that.
private struct StatementRow: SQLRow {
  let statement: SQLiteStatement

  func integer(_ column: Int) -> Int64 { sqlite3_value_int64(value(column)) }

  func optionalInteger(_ column: Int) -> Int64? {
    let value = value(column)
    return sqlite3_value_type(value) == SQLITE_NULL ? nil : sqlite3_value_int64(value)
  }

  func text(_ column: Int) -> String { optionalText(column) ?? "" }

  func optionalText(_ column: Int) -> String? {
    let value = value(column)
    // sqlite3_value_text before sqlite3_value_bytes, as SQLite's documentation orders them; NULL
    // is the only value whose text is a null pointer here (a failed allocation would be too,
    // and SQLite reports it when the statement steps on).
    guard let text = sqlite3_value_text(value) else { return nil }
    let count = Int(sqlite3_value_bytes(value))
    return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
  }

  func boolean(_ column: Int) -> Bool { integer(column) == 1 }

  func bytes(_ column: Int) -> [UInt8] {
    let value = value(column)
    guard let blob = sqlite3_value_blob(value) else { return [] }
    return Array(UnsafeRawBufferPointer(start: blob, count: Int(sqlite3_value_bytes(value))))
  }

  private func value(_ column: Int) -> OpaquePointer { sqlite3_column_value(statement, Int32(column)) }
}
