package import GRDB

/// The shop's SQLite database: one file in WAL mode behind a GRDB `DatabasePool`.
///
/// Opening runs any migration not yet applied, so a new `BAZAAR_HOME` works on first use.
/// Writers wait up to `busyTimeout` seconds for the lock, then the store reports `StoreBusy`.
package struct BazaarDatabase: Sendable {
  /// The connection pool; every adapter in this target shares it.
  package let pool: DatabasePool

  /// Opens (creating if needed) and migrates the database at `path`.
  package init(path: String, busyTimeout: Double = 5) throws {
    var configuration = Configuration()
    configuration.busyMode = .timeout(busyTimeout)
    configuration.foreignKeysEnabled = true
    configuration.prepareDatabase { db in
      // A committed order or payment must survive a power cut, not only a crash.
      try db.execute(sql: "PRAGMA synchronous = FULL")
    }
    pool = try translatingErrors { try DatabasePool(path: path, configuration: configuration) }
    try translatingErrors { try Self.migrator.migrate(pool) }
  }

  /// Applies pending migrations; returns the names applied by this call.
  package func migrate() throws -> [String] {
    try translatingErrors {
      let before = try pool.read { try Self.migrator.appliedIdentifiers($0) }
      try Self.migrator.migrate(pool)
      let after = try pool.read { try Self.migrator.appliedIdentifiers($0) }
      return Self.migrator.migrations.filter { after.contains($0) && !before.contains($0) }
    }
  }

  /// The names of every migration this build knows, in order.
  package static var migrationNames: [String] { migrator.migrations }

  /// Runs SQLite's `integrity_check` and `foreign_key_check`; returns the problems (empty when sound).
  package func check() throws -> [String] {
    try translatingErrors {
      try pool.read { db in
        var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
        let orphans = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
        problems += orphans.map { "foreign key violation in \($0[0] as String? ?? "?") rowid \($0[1] as Int64? ?? 0)" }
        return problems
      }
    }
  }

  /// The journal mode SQLite reports (`wal` once opened).
  package func journalMode() throws -> String {
    try pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") ?? "" }
  }
}
