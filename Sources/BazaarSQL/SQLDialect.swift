/// The databases the repositories run on, and the few places their SQL differs. Everything
/// else (upserts with `ON CONFLICT`, `RETURNING`, row values, `IS DISTINCT FROM`, multi-row
/// `VALUES`) is spelled the same in both.
package enum SQLDialect: Sendable {
  /// SQLite 3.40 or later, through GRDB.
  case sqlite
  /// PostgreSQL 15 or later, through libpq.
  case postgres

  /// The function that takes the larger of its arguments (`max` in SQLite, `greatest` in
  /// PostgreSQL, whose `max` only aggregates).
  package var greatest: String {
    switch self {
    case .sqlite: "max"
    case .postgres: "greatest"
    }
  }

  /// What ends a subquery that picks rows to change when several processes may pick at once:
  /// on PostgreSQL each takes rows the others have not locked instead of waiting on them;
  /// SQLite's single writer needs nothing.
  package var skipLocked: String {
    switch self {
    case .sqlite: ""
    case .postgres: " FOR UPDATE SKIP LOCKED"
    }
  }
}
