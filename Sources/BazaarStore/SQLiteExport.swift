internal import BazaarSQL
internal import GRDB

#if canImport(Glibc)
  internal import Glibc
#endif

/// The shop's tables as text, for `bazaar db copy`: read under SQLite's write lock, so nothing
/// changes between the first table and the last, and no writer can slip in until the copy ends.
package struct SQLiteExport {
  fileprivate let db: Database

  /// Every row of `table`'s `columns`, in `order`, each value as SQLite's text (integers in
  /// decimal; NULL as nil). `table`, `columns` and `order` are fixed names, never caller text.
  package func rows(_ table: String, expressions: [String], order: String) throws -> [[String?]] {
    try translatingErrors { try GRDBConnection(db: db).textRows(table, expressions: expressions, order: order) }
  }

  /// One integer a fixed query answers (a count, a sum).
  package func integer(_ sql: String) throws -> Int64 {
    try translatingErrors { try GRDBConnection(db: db).integer(sql) }
  }
}

/// Another process has the database open (a running `bazaar serve` or scheduler), so a copy
/// would miss what it writes afterwards.
package struct DatabaseInUse: Error, CustomStringConvertible {
  package var pid: Int32
  package var description: String {
    "another process (pid \(pid)) has the database open: stop bazaar serve, bazaar up, the scheduler and cron jobs, "
      + "then copy"
  }
}

extension BazaarDatabase {
  /// Runs `body` holding the write lock, after checking no other process has the file open
  /// (SQLite's WAL connections hold a read lock on the shared-memory file's DMS byte while they
  /// are open). A writer that is mid-transaction makes this fail at once with `StoreBusy`.
  package func exportLocked<T>(_ body: (SQLiteExport) throws -> T) throws -> T {
    if let pid = Self.otherHolder(of: path + "-shm") { throw DatabaseInUse(pid: pid) }
    return try translatingErrors {
      try writer.writeWithoutTransaction { db in
        try db.execute(sql: "PRAGMA busy_timeout = 0")
        try db.execute(sql: "BEGIN IMMEDIATE")
        defer { try? db.execute(sql: "ROLLBACK") }
        return try body(SQLiteExport(db: db))
      }
    }
  }

  /// The pid of another process holding a lock on `shm`'s DMS byte (offset 128), if any.
  private static func otherHolder(of shm: String) -> Int32? {
    let fd = open(shm, O_RDWR | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { Glibc.close(fd) }
    var lock = flock()
    lock.l_type = Int16(F_WRLCK)
    lock.l_whence = Int16(SEEK_SET)
    lock.l_start = 128
    lock.l_len = 1
    guard fcntl(fd, F_GETLK, &lock) == 0, lock.l_type != Int16(F_UNLCK) else { return nil }
    return lock.l_pid
  }
}
