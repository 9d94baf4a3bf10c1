package import BazaarCore

/// A value bound to a statement parameter.
package enum SQLValue: Sendable, Equatable {
  case integer(Int64)
  case text(String)
  case boolean(Bool)
  /// Bytes: SQLite's BLOB, PostgreSQL's `bytea`.
  case blob([UInt8])
}

/// A Swift value that binds as a statement parameter; `nil` binds SQL NULL.
package protocol SQLBindable {
  var sqlValue: SQLValue { get }
}

extension String: SQLBindable {
  package var sqlValue: SQLValue { .text(self) }
}
extension Int64: SQLBindable {
  package var sqlValue: SQLValue { .integer(self) }
}
extension Int: SQLBindable {
  package var sqlValue: SQLValue { .integer(Int64(self)) }
}
extension Bool: SQLBindable {
  package var sqlValue: SQLValue { .boolean(self) }
}

/// Bytes bound as a BLOB (`bytea`), not as text.
package struct SQLBytes: SQLBindable {
  package var bytes: [UInt8]
  package init(_ bytes: [UInt8]) { self.bytes = bytes }
  package var sqlValue: SQLValue { .blob(bytes) }
}

/// The parameters of one statement, in the order of its `?` placeholders.
package typealias SQLArguments = [(any SQLBindable)?]

/// One row of a result, read by column position (the order of the statement's column list).
/// Valid only inside the closure it was handed to.
package protocol SQLRow {
  /// The integer in `column`; 0 for NULL.
  func integer(_ column: Int) -> Int64
  /// The integer in `column`, or nil for NULL.
  func optionalInteger(_ column: Int) -> Int64?
  /// The text in `column`; empty for NULL.
  func text(_ column: Int) -> String
  /// The text in `column`, or nil for NULL.
  func optionalText(_ column: Int) -> String?
  /// The boolean in `column` (SQLite's 0 or 1, PostgreSQL's `boolean`).
  func boolean(_ column: Int) -> Bool
  /// The bytes in a BLOB (`bytea`) `column`; empty for NULL.
  func bytes(_ column: Int) -> [UInt8]
}

extension SQLRow {
  /// The integer in `column` as an `Int`.
  package func int(_ column: Int) -> Int { Int(integer(column)) }
  /// The instant stored in `column` (milliseconds since the epoch).
  package func timestamp(_ column: Int) -> Timestamp { Timestamp(milliseconds: integer(column)) }
  /// The instant stored in `column`, or nil for NULL.
  package func optionalTimestamp(_ column: Int) -> Timestamp? {
    optionalInteger(column).map(Timestamp.init(milliseconds:))
  }
  /// The amount of won stored in `column`.
  package func money(_ column: Int) -> Money { Money(won: integer(column)) }
}

/// The seam every repository is written against: parameterised SQL on the connection of the
/// caller's transaction, in one dialect's spelling. SQL uses `?` placeholders; a driver that
/// numbers its parameters (libpq's `$1`) renders them. Caller values are always parameters:
/// only fixed SQL fragments are ever spliced into a statement.
package protocol SQLConnection {
  /// Which database runs the statements: for the few places the SQL differs.
  var dialect: SQLDialect { get }
  /// Whether reads lock the rows they return until the transaction ends (`FOR UPDATE`): true
  /// in a PostgreSQL write, where concurrent writers would otherwise read what another is
  /// about to change. SQLite's single writer needs none.
  var locksReads: Bool { get }
  /// Runs one statement and returns how many rows it changed.
  @discardableResult
  func execute(_ sql: String, _ arguments: SQLArguments) throws -> Int
  /// Runs one query and hands `body` each row, in the order they came; a row is valid only
  /// during its call. Not generic, so a driver's loop is compiled once and `query` (below) is
  /// specialized where it is called.
  func forEachRow(_ sql: String, _ arguments: SQLArguments, _ body: (any SQLRow) throws -> Void) throws
  /// Whether `error`, thrown by a statement of this connection, is a UNIQUE violation of
  /// `table`'s `column` (the constraint a column's `UNIQUE` makes).
  func isUniqueViolation(_ error: any Error, table: String, column: String) -> Bool
}

extension SQLConnection {
  /// Runs one query and returns each row as `decode` reads it, in the order they came.
  package func query<T>(_ sql: String, _ arguments: SQLArguments, _ decode: (any SQLRow) throws -> T) throws -> [T] {
    var results: [T] = []
    try forEachRow(sql, arguments) { results.append(try decode($0)) }
    return results
  }

  /// The first row `decode` reads, or nil when the query returns none.
  package func queryOne<T>(_ sql: String, _ arguments: SQLArguments, _ decode: (any SQLRow) throws -> T) throws -> T? {
    try query(sql, arguments, decode).first
  }

  /// The integer in the first column of the first row (a count), or 0.
  package func integer(_ sql: String, _ arguments: SQLArguments = []) throws -> Int64 {
    try queryOne(sql, arguments) { $0.integer(0) } ?? 0
  }

  /// Every row of `table` as the text `expressions` make of it (`Table.sharedColumnTexts`), in
  /// `order`, NULL as nil, for copying a shop between databases. `table`, `expressions` and
  /// `order` are fixed SQL, never caller text.
  package func textRows(_ table: String, expressions: [String], order: String) throws -> [[String?]] {
    try query("SELECT \(expressions.joined(separator: ", ")) FROM \(table) ORDER BY \(order)", []) { row in
      (0..<expressions.count).map { row.optionalText($0) }
    }
  }

  /// `SELECT status, count(*) … GROUP BY status` of `table` (a fixed name), as counts by status.
  package func countsByStatus<Status: RawRepresentable & Hashable>(table: StaticString) throws -> [Status: Int]
  where Status.RawValue == String {
    var counts: [Status: Int] = [:]
    for (name, count) in try query(
      "SELECT status, count(*) FROM \(table) GROUP BY status", [],
      {
        ($0.text(0), $0.int(1))
      })
    {
      if let status = Status(rawValue: name) { counts[status] = count }
    }
    return counts
  }
}

/// `count` placeholders separated by commas, for an `IN (…)` list or one row of `VALUES`.
package func placeholders(_ count: Int) -> String {
  Array(repeating: "?", count: count).joined(separator: ", ")
}

/// `rows` rows of `columns` placeholders each, for a multi-row `VALUES`.
package func placeholderRows(_ rows: Int, columns: Int) -> String {
  Array(repeating: "(" + placeholders(columns) + ")", count: rows).joined(separator: ", ")
}
