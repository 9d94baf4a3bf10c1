package import GRDB
internal import GRDBSQLite

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
      // Keep the -wal file when the last connection closes. Without this SQLite deletes it,
      // and every new process's DatabasePool rewrites it with a throw-away write and fsync.
      var persist: Int32 = 1
      sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
    }
    pool = try translatingErrors {
      let pool = try DatabasePool(path: path, configuration: configuration)
      // A committed order or payment must survive a power cut, not only a crash. (The pool
      // sets NORMAL while it enables WAL, so this comes after; only the writer writes.)
      try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
      return pool
    }
    try translatingErrors { try Self.migrator.migrate(pool) }
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

  /// The writer's `synchronous` setting (2 = FULL).
  package func writerSynchronous() throws -> Int {
    try pool.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") ?? -1 }
  }
}
