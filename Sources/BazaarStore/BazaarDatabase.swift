package import GRDB

#if canImport(Glibc)
  internal import Glibc
#endif

/// The shop's SQLite database: one file in WAL mode, `synchronous = FULL`, writers waiting
/// up to `busyTimeout` seconds for the lock before the store reports `StoreBusy`.
///
/// Opening runs any migration not yet applied, so a new `BAZAAR_HOME` works on first use.
/// Creation and migration happen under an exclusive `flock` on `<path>.lock`, so processes
/// that start together on a new database do not race; an up-to-date database costs one read.
package struct BazaarDatabase: Sendable {
  /// How the process connects.
  package enum Connections: Sendable {
    /// A GRDB `DatabasePool`: one writer and concurrent readers, for long-running processes
    /// (the HTTP runner, the scheduler).
    case pool
    /// One WAL connection (a GRDB `DatabaseQueue`), for one-shot handler processes. A pool
    /// would open a second connection and, at every start, re-create the WAL file it needs
    /// for its readers with a throw-away write and fsync: a process that serves one request
    /// has no concurrent readers to pay that for.
    case single
  }

  /// The connection(s); every adapter in this target shares them.
  package let writer: any DatabaseWriter
  /// The migrations this opening applied, in order (empty when the file was up to date).
  package let appliedMigrations: [String]

  /// Opens (creating if needed) and migrates the database at `path`.
  package init(path: String, connections: Connections = .pool, busyTimeout: Double = 5) throws {
    var configuration = Configuration()
    configuration.busyMode = .timeout(busyTimeout)
    configuration.foreignKeysEnabled = true
    configuration.prepareDatabase { db in
      // A committed order or payment must survive a power cut, not only a crash.
      try db.execute(sql: "PRAGMA synchronous = FULL")
    }
    let writer: any DatabaseWriter = try translatingErrors {
      switch connections {
      case .pool:
        let pool = try DatabasePool(path: path, configuration: configuration)
        // The pool sets NORMAL while it enables WAL, after prepareDatabase; only the writer writes.
        try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        return pool
      case .single:
        // WAL is a property of the file; a new file is switched to it under the lock below.
        return try DatabaseQueue(path: path, configuration: configuration)
      }
    }
    self.writer = writer
    appliedMigrations = try translatingErrors {
      guard (try? Self.isReady(writer)) != true else { return [] }
      return try Self.withExclusiveLock(path + ".lock") {
        let before = try writer.writeWithoutTransaction { db in
          if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
            try db.execute(sql: "PRAGMA journal_mode = WAL")
          }
          return try Self.migrator.appliedIdentifiers(db)
        }
        try Self.migrator.migrate(writer)
        return Self.migrator.migrations.filter { !before.contains($0) }
      }
    }
  }

  /// Whether the file is in WAL mode with every migration applied (an error, such as a schema
  /// changing under a concurrent creator, counts as "not yet": the locked path re-checks).
  private static func isReady(_ writer: any DatabaseWriter) throws -> Bool {
    // Autocommit reads (see `singleStatementRead`): a stale answer only sends us to the lock.
    try writer.singleStatementRead { db in
      try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal"
        && Self.migrator.hasCompletedMigrations(db)
    }
  }

  /// Runs `body` holding an exclusive `flock` on `lockPath`, across processes.
  private static func withExclusiveLock<T>(_ lockPath: String, _ body: () throws -> T) throws -> T {
    let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw DatabaseError(message: "cannot open \(lockPath) (errno \(errno))") }
    defer { _ = Glibc.close(fd) }
    while flock(fd, LOCK_EX) != 0 {
      guard errno == EINTR else { throw DatabaseError(message: "cannot lock \(lockPath) (errno \(errno))") }
    }
    return try body()
  }

  /// Closes the connections now (checkpointing the WAL when this is the last one), instead
  /// of when the last reference goes away.
  package func close() throws {
    try translatingErrors {
      if let queue = writer as? DatabaseQueue {
        try queue.close()
      } else if let pool = writer as? DatabasePool {
        try pool.close()
      }
    }
  }

  /// The names of every migration this build knows, in order.
  package static var migrationNames: [String] { migrator.migrations }

  /// Runs SQLite's `integrity_check` and `foreign_key_check`; returns the problems (empty when sound).
  package func check() throws -> [String] {
    try translatingErrors {
      try writer.read { db in
        var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
        let orphans = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
        problems += orphans.map {
          "foreign key violation in \($0[0] as String? ?? "?") rowid \($0[1] as Int64? ?? 0)"
        }
        return problems
      }
    }
  }

  /// The journal mode SQLite reports (`wal` once opened).
  package func journalMode() throws -> String {
    try writer.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") ?? "" }
  }

  /// The writer's `synchronous` setting (2 = FULL).
  package func writerSynchronous() throws -> Int {
    try writer.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") ?? -1 }
  }
}
