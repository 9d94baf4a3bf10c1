internal import BazaarCore
package import BazaarSQL
internal import Foundation
package import GRDB

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

  package func query<T>(_ sql: String, _ arguments: SQLArguments, _ decode: (any SQLRow) throws -> T) throws -> [T] {
    let statement = try db.cachedStatement(sql: sql)
    statement.setUncheckedArguments(Self.arguments(arguments))
    let cursor = try Row.fetchCursor(statement)
    var results: [T] = []
    while let row = try cursor.next() {
      results.append(try decode(GRDBRow(row: row)))
    }
    return results
  }

  package func isUniqueViolation(_ error: any Error, table: String, column: String) -> Bool {
    guard let error = error as? DatabaseError, error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE else {
      return false
    }
    // "UNIQUE constraint failed: users.email"
    return (error.message ?? "").hasSuffix(" " + table + "." + column)
  }

  private static func arguments(_ values: SQLArguments) -> StatementArguments {
    StatementArguments(
      values.map { value -> DatabaseValue in
        switch value?.sqlValue {
        case nil: .null
        case .integer(let number): number.databaseValue
        case .text(let text): text.databaseValue
        case .boolean(let flag): (flag ? 1 : 0 as Int64).databaseValue
        case .blob(let bytes): Data(bytes).databaseValue
        }
      })
  }
}

/// A row of a GRDB cursor, read by position.
private struct GRDBRow: SQLRow {
  let row: Row

  func integer(_ column: Int) -> Int64 { (row[column] as Int64?) ?? 0 }
  func optionalInteger(_ column: Int) -> Int64? { row[column] }
  func text(_ column: Int) -> String { (row[column] as String?) ?? "" }
  func optionalText(_ column: Int) -> String? { row[column] }
  func boolean(_ column: Int) -> Bool { (row[column] as Int64?) == 1 }
  func bytes(_ column: Int) -> [UInt8] { (row[column] as Data?).map(Array.init) ?? [] }
}
