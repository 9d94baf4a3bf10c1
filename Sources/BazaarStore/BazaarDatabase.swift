internal import BazaarCore
package import GRDB
internal import Synchronization

#if canImport(Glibc)
  internal import Glibc
#endif

/// The shop's SQLite database: one file in WAL mode, `synchronous = FULL`, writers waiting
/// up to `busyTimeout` seconds for the lock before the store reports `StoreBusy`.
///
/// Opening runs any migration not yet applied, so a new `BAZAAR_HOME` works on first use.
/// Creation and migration happen under an exclusive `flock` on `<path>.lock`, so processes
/// that start together on a new database do not race; an up-to-date database costs one read.
///
/// The first creation leaves a marker beside the file (`.<name>.created`, which
/// `rm bazaar.sqlite*` does not match). With the marker there and the file gone, opening
/// refuses (`StoreMissing`) rather than start an empty shop beside a lost one. An open database
/// remembers its file's device and inode: if the file is removed or replaced under the process,
/// every transaction refuses with `StoreMissing` instead of writing into a file nobody else sees.
/// A write refused because the file is read-only (`StoreReadOnly`) reopens the connections once
/// the file is writable again, so the process recovers without a restart.
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
  package var writer: any DatabaseWriter { handle.writer.withLock { $0.writer } }
  /// The migrations this opening applied, in order (empty when the file was up to date).
  package let appliedMigrations: [String]
  /// The database file.
  package let path: String
  /// Its directory (SQLite writes the WAL and the shared memory there).
  private var directory: String { path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "." }
  private let connections: Connections
  private let busyTimeout: Double
  private let handle: Handle
  /// The file's device and inode when it was opened.
  private let identity: FileIdentity

  /// The current connections (and whether they were opened read-only), replaced when a
  /// read-only file becomes writable.
  private final class Handle: Sendable {
    let writer: Mutex<(writer: any DatabaseWriter, readOnly: Bool, readers: Readers?)>
    init(_ opened: (writer: any DatabaseWriter, readOnly: Bool, readers: Readers?)) { writer = Mutex(opened) }
  }

  /// Read-only connections of a long-running process, one per reading thread at a time: a read
  /// takes one from a list under a mutex and puts it back. GRDB's `DatabasePool` checks readers
  /// out through two dispatch barriers, which threads reading at once queue on (futex waits and
  /// wake-ups on every request); this list costs two uncontended lock operations.
  final class Readers: Sendable {
    /// Connections kept for reuse; a burst past this opens more and closes them after.
    static let kept = 16
    private let idle = Mutex<[DatabaseQueue]>([])
    private let path: String
    private let configuration: Configuration

    init(path: String, configuration: Configuration) {
      var readOnly = configuration
      readOnly.readonly = true
      self.path = path
      self.configuration = readOnly
    }

    /// Runs `body` on an idle connection (opening one when none is idle).
    func with<T>(_ body: (DatabaseQueue) throws -> T) throws -> T {
      let queue = try idle.withLock { $0.popLast() } ?? DatabaseQueue(path: path, configuration: configuration)
      defer {
        let extra: DatabaseQueue? = idle.withLock { idle in
          guard idle.count < Self.kept else { return queue }
          idle.append(queue)
          return nil
        }
        try? extra?.close()
      }
      return try body(queue)
    }

    func close() {
      let queues = idle.withLock { idle in
        let all = idle
        idle.removeAll()
        return all
      }
      for queue in queues { try? queue.close() }
    }
  }

  /// Which file a path names: its device and inode.
  private struct FileIdentity: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64

    init?(path: String) {
      var info = stat()
      guard stat(path, &info) == 0 else { return nil }
      device = UInt64(info.st_dev)
      inode = UInt64(info.st_ino)
    }
  }

  /// The marker the first creation leaves: `.<name>.created` in the file's directory.
  package static func creationMarker(for path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return ".\(path).created" }
    return String(path[...slash]) + "." + path[path.index(after: slash)...] + ".created"
  }

  /// Opens (creating if needed) and migrates the database at `path`.
  package init(path: String, connections: Connections = .pool, busyTimeout: Double = 5) throws {
    let marker = Self.creationMarker(for: path)
    if access(path, F_OK) != 0 && access(marker, F_OK) == 0 {
      throw StoreMissing(
        "the database \(path) is missing, but this home had one (\(marker) says so): restore the file from a "
          + "backup, or remove the marker to start an empty shop")
    }
    self.path = path
    self.connections = connections
    self.busyTimeout = busyTimeout
    let opened = try Self.connect(path, connections, busyTimeout)
    handle = Handle(opened)
    let writer = opened.writer
    appliedMigrations = try translatingErrors {
      guard (try? Self.isReady(writer)) != true else { return [] }
      return try Self.withExclusiveLock(path + ".lock") {
        let before = try writer.writeWithoutTransaction { db in
          if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
            try db.execute(sql: "PRAGMA journal_mode = WAL")
          }
          return try Self.migrator.appliedIdentifiers(db)
        }
        try Self.createCurrentSchema(writer)
        try Self.migrator.migrate(writer)
        return Self.migrator.migrations.filter { !before.contains($0) }
      }
    }
    if access(marker, F_OK) != 0 {
      let fd = Glibc.open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
      if fd >= 0 { _ = Glibc.close(fd) }
    }
    guard let identity = FileIdentity(path: path) else {
      throw StoreMissing("the database \(path) disappeared while it was being opened")
    }
    self.identity = identity
  }

  /// The connections for `path`: WAL, `synchronous = FULL`, foreign keys, the busy timeout.
  private static func connect(
    _ path: String, _ connections: Connections, _ busyTimeout: Double
  ) throws -> (writer: any DatabaseWriter, readOnly: Bool, readers: Readers?) {
    var configuration = Configuration()
    configuration.busyMode = .timeout(busyTimeout)
    configuration.foreignKeysEnabled = true
    configuration.prepareDatabase { db in
      // A committed order or payment must survive a power cut, not only a crash.
      try db.execute(sql: "PRAGMA synchronous = FULL")
    }
    return try translatingErrors {
      switch connections {
      case .pool:
        let pool: DatabasePool
        do {
          pool = try DatabasePool(path: path, configuration: configuration)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY {
          // A read-only file still serves reads; writes answer `StoreReadOnly` until it is
          // writable again (`reopenIfWritable`).
          var readOnly = configuration
          readOnly.readonly = true
          return (
            try DatabasePool(path: path, configuration: readOnly), true,
            Readers(path: path, configuration: configuration)
          )
        }
        // The pool sets NORMAL while it enables WAL, after prepareDatabase; only the writer writes.
        try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        return (pool, false, Readers(path: path, configuration: configuration))
      case .single:
        // WAL is a property of the file; a new file is switched to it under the lock below.
        return (try DatabaseQueue(path: path, configuration: configuration), false, nil)
      }
    }
  }

  /// Runs `body` on a connection for reading: one of the read-only connections of a
  /// long-running process, else the process's one connection. In one read transaction (a
  /// snapshot) when `transaction`, else in autocommit mode (see `singleStatementRead`).
  func read<T>(transaction: Bool, _ body: (Database) throws -> T) throws -> T {
    let (writer, readers) = handle.writer.withLock { ($0.writer, $0.readers) }
    guard let readers else {
      return try transaction ? writer.snapshotRead(body) : writer.singleStatementRead(body)
    }
    return try readers.with { queue in try transaction ? queue.snapshotRead(body) : queue.singleStatementRead(body) }
  }

  /// Throws `StoreMissing` when the file at `path` is gone or is another file than the one opened.
  package func checkSameFile() throws {
    guard let now = FileIdentity(path: path) else {
      throw StoreMissing(
        "the database \(path) was removed while the shop was running; nothing is written until it is restored "
          + "and the process restarted")
    }
    guard now == identity else {
      throw StoreMissing(
        "the database \(path) was replaced by another file while the shop was running; restart to use the new one")
    }
  }

  /// After a write refused as read-only: whether the file and its directory are writable now,
  /// in which case the connections are reopened (a connection opened on a read-only file stays
  /// read-only) and the write may be retried.
  package func reopenIfWritable() -> Bool {
    guard access(path, W_OK) == 0, access(directory, W_OK) == 0,
      let fresh = try? Self.connect(path, connections, busyTimeout), !fresh.readOnly
    else { return false }
    let stale = handle.writer.withLock { handle in
      defer { handle = fresh }
      return handle.readers
    }
    stale?.close()
    return true
  }

  /// What keeps this database from serving: a different or missing file, pending migrations,
  /// or a write that cannot begin. Empty when it is ready (`GET /readyz`).
  package func readinessProblems() -> [String] {
    do {
      try checkSameFile()
    } catch let missing as StoreMissing {
      return [missing.detail]
    } catch {
      return ["\(error)"]
    }
    var problems: [String] = []
    if (try? writer.read({ try Self.migrator.hasCompletedMigrations($0) })) != true {
      problems.append("migrations are not current")
    }
    if access(path, W_OK) != 0 || access(directory, W_OK) != 0
      || (handle.writer.withLock { $0.readOnly } && !reopenIfWritable())
    {
      problems.append("the database is read-only")
      return problems
    }
    do {
      try translatingErrors {
        try writer.writeWithoutTransaction { db in
          try db.execute(sql: "BEGIN IMMEDIATE")
          try db.execute(sql: "ROLLBACK")
        }
      }
    } catch is StoreReadOnly {
      problems.append("the database is read-only")
    } catch is StoreBusy {
      problems.append("the database stayed locked past the busy timeout")
    } catch {
      problems.append("a write cannot begin")
    }
    return problems
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
    handle.writer.withLock { $0.readers }?.close()
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
