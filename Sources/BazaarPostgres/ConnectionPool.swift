internal import Synchronization

#if canImport(Glibc)
  internal import Glibc
#endif

/// At most `limit` connections to one server, lent one at a time. A borrower waits when all
/// are lent, up to `wait` seconds, then gets `StoreBusy`'s cause (a `PostgresError` 53300).
/// A broken connection, or one left inside a transaction, is closed instead of kept.
final class ConnectionPool: @unchecked Sendable {
  // Every field is read and written with `mutex` held.
  private var idle: [PostgresConnection] = []
  private var open = 0
  private var closed = false
  private var mutex = pthread_mutex_t()
  private var available = pthread_cond_t()

  let limit: Int
  private let wait: Double
  private let connect: () throws -> PostgresConnection

  init(limit: Int, wait: Double, connect: @escaping () throws -> PostgresConnection) {
    self.limit = max(1, limit)
    self.wait = wait
    self.connect = connect
    pthread_mutex_init(&mutex, nil)
    var attributes = pthread_condattr_t()
    pthread_condattr_init(&attributes)
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
    pthread_cond_init(&available, &attributes)
    pthread_condattr_destroy(&attributes)
  }

  deinit {
    pthread_cond_destroy(&available)
    pthread_mutex_destroy(&mutex)
  }

  /// Runs `body` on a lent connection and takes it back.
  func with<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
    let connection = try borrow()
    defer { giveBack(connection) }
    return try body(connection)
  }

  /// Closes the idle connections; lent ones close when they come back.
  func close() {
    pthread_mutex_lock(&mutex)
    closed = true
    let connections = idle
    idle.removeAll()
    open -= connections.count
    pthread_cond_broadcast(&available)
    pthread_mutex_unlock(&mutex)
    withExtendedLifetime(connections) {}
  }

  private func borrow() throws -> PostgresConnection {
    var deadline = timespec()
    clock_gettime(CLOCK_MONOTONIC, &deadline)
    let nanoseconds = Int(deadline.tv_nsec) + Int(wait.truncatingRemainder(dividingBy: 1) * 1e9)
    deadline.tv_sec += Int(wait) + nanoseconds / 1_000_000_000
    deadline.tv_nsec = nanoseconds % 1_000_000_000
    pthread_mutex_lock(&mutex)
    while true {
      if closed {
        pthread_mutex_unlock(&mutex)
        throw PostgresError(sqlState: "57P01", message: "the connection pool is closed")
      }
      if let connection = idle.popLast() {
        pthread_mutex_unlock(&mutex)
        return connection
      }
      if open < limit {
        open += 1
        pthread_mutex_unlock(&mutex)
        do {
          return try connect()
        } catch {
          pthread_mutex_lock(&mutex)
          open -= 1
          pthread_cond_signal(&available)
          pthread_mutex_unlock(&mutex)
          throw error
        }
      }
      if pthread_cond_timedwait(&available, &mutex, &deadline) == ETIMEDOUT {
        pthread_mutex_unlock(&mutex)
        throw PostgresError(
          sqlState: "53300", message: "all \(limit) database connections stayed busy for \(wait) seconds")
      }
    }
  }

  private func giveBack(_ connection: PostgresConnection) {
    var keep = !connection.isBroken
    if keep && !connection.isIdle { keep = (try? connection.execute("ROLLBACK")) != nil && connection.isIdle }
    pthread_mutex_lock(&mutex)
    if keep && !closed {
      idle.append(connection)
    } else {
      open -= 1
    }
    pthread_cond_signal(&available)
    pthread_mutex_unlock(&mutex)
  }
}

extension ConnectionPool {
  /// At most `limit` connections to `url`, each waiting `busyTimeout` for a lock and named
  /// `name` in `pg_stat_activity`. The first applies the `migrations` the database lacks (two
  /// queries when it has them all); later ones skip the check, and a race only repeats it.
  static func migrated(
    url: String, limit: Int, busyTimeout: Double, name: String, migrations: PostgresMigrations.MigrationSet
  ) -> ConnectionPool {
    let checked = Atomic(false)
    let settings = "SET lock_timeout = \(Int(busyTimeout * 1000)); SET application_name = '\(name)'"
    return ConnectionPool(limit: limit, wait: busyTimeout) {
      let connection = try PostgresConnection(url: url)
      try connection.execute(settings)
      if !checked.load(ordering: .acquiring) {
        try PostgresMigrations.migrate(connection, migrations)
        checked.store(true, ordering: .releasing)
      }
      return connection
    }
  }
}
