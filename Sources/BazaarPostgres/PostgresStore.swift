package import BazaarCore
package import BazaarSQL

#if canImport(Glibc)
  internal import Glibc
#endif

/// The unit of work over a PostgreSQL database (`BAZAAR_DATABASE_URL=postgres://…`).
///
/// `write` runs its body in a SERIALIZABLE transaction: every outcome is one that running the
/// writers one at a time could give, as SQLite's single writer guarantees. When the server
/// aborts one for a serialization failure or a deadlock, the store rolls back and runs the body
/// again after a short random pause, until the busy timeout passes (then `StoreBusy`: 503, exit
/// 75). Products an order reserves are locked with `SELECT … FOR UPDATE` in product-id order
/// (the core reads them in that order), so two orders never wait on each other in a cycle.
/// `read` runs each statement on its own (autocommit); `snapshot` opens one REPEATABLE READ,
/// READ ONLY transaction for every read inside it.
package final class PostgresStore: ServerStore {
  /// How many connections a process keeps: one for a process that serves one request, a pool
  /// for `serve` and the scheduler.
  package enum Connections: Sendable {
    case single
    case pool(Int)
  }

  private let pool: ConnectionPool
  private let busyTimeout: Double
  private let url: String
  private let interceptor: (any SQLInterceptor)?

  /// Connects lazily to `url`; the first connection checks the schema and migrates it when
  /// it is behind (under an advisory lock, so hosts starting together migrate once).
  /// `busyTimeout` bounds a wait for a lock, for a free connection and for retries.
  /// `interceptor` sees every statement and commit (tests' faults); nil in production.
  package init(
    url: String, connections: Connections = .single, busyTimeout: Double = 5,
    interceptor: (any SQLInterceptor)? = nil
  ) throws {
    guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
      throw PostgresURLError()
    }
    self.busyTimeout = busyTimeout
    self.url = url
    self.interceptor = interceptor
    let limit: Int
    switch connections {
    case .single: limit = 1
    case .pool(let count): limit = count
    }
    pool = .migrated(
      url: url, limit: limit, busyTimeout: busyTimeout, name: "bazaar", migrations: PostgresMigrations.shop)
  }

  /// Closes the idle connections.
  package func close() { pool.close() }

  /// Calls `changed` after each commit that adds outbox events (LISTEN on `bazaar_outbox`,
  /// which the outbox's trigger notifies), on a connection of its own.
  package func watchOutbox(_ changed: @escaping @Sendable () -> Void) throws -> any OutboxWatch {
    do {
      return try PostgresListener(url: url, channel: "bazaar_outbox", notified: changed)
    } catch let error as PostgresError where error.isUnreachable {
      throw StoreBusy.unreachable
    }
  }

  /// Empty when the server answers a query; else why not, without the URL (it may hold a password).
  package func readinessProblems() -> [String] {
    do {
      _ = try pool.with { try $0.query("SELECT 1") }
      return []
    } catch let error as PostgresError {
      return ["the PostgreSQL server does not answer: \(error.message)"]
    } catch {
      return ["the PostgreSQL server does not answer"]
    }
  }

  package func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    guard !StoreAccess.readsOnly else { throw WriteInReadOnlyFunction() }
    // Inside a joined write: its transaction, whose own loop sees (and retries) what fails.
    if let joined = ConnectionScope.connection(of: ObjectIdentifier(pool), .joinedWrite) {
      return try body(SQLTransaction(joined))
    }
    return try writeTransaction { try body(SQLTransaction($0)) }
  }

  package func writeJoined<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    guard !StoreAccess.readsOnly else { throw WriteInReadOnlyFunction() }
    return try writeTransaction { connection in
      try ConnectionScope.with(connection, of: ObjectIdentifier(pool), .joinedWrite) {
        try body(SQLTransaction(connection))
      }
    }
  }

  /// One SERIALIZABLE transaction for `body`, run again after a serialization failure or a
  /// deadlock until the busy timeout passes.
  private func writeTransaction<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
    try translatingErrors {
      try pool.with { connection in
        let start = Self.now()
        var attempt = 0
        while true {
          do {
            try connection.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
            let result = try body(
              intercepted(LibPQConnection(connection: connection, locksReads: true), by: interceptor))
            try interceptor?.willCommit()
            try connection.execute("COMMIT")
            return result
          } catch let error as PostgresError where error.isRetryable {
            try? connection.execute("ROLLBACK")
            attempt += 1
            guard Self.now() - start < busyTimeout else { throw StoreBusyCause() }
            Self.pause(attempt: attempt)
          } catch {
            if !connection.isIdle { try? connection.execute("ROLLBACK") }
            throw error
          }
        }
      }
    }
  }

  package func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    if let joined = ConnectionScope.connection(of: ObjectIdentifier(pool), .joinedWrite) {
      return try body(SQLTransaction(joined))
    }
    if let connection = ConnectionScope.connection(of: ObjectIdentifier(pool), .snapshot) {
      return try translatingErrors { try body(SQLTransaction(connection)) }
    }
    return try translatingErrors {
      try pool.with {
        try body(SQLTransaction(intercepted(LibPQConnection(connection: $0, locksReads: false), by: interceptor)))
      }
    }
  }

  package func snapshot<T>(_ body: () throws -> T) throws -> T {
    if ConnectionScope.connection(of: ObjectIdentifier(pool)) != nil { return try body() }
    return try translatingErrors {
      try pool.with { connection in
        try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        let result = try ConnectionScope.with(
          intercepted(LibPQConnection(connection: connection, locksReads: false), by: interceptor),
          of: ObjectIdentifier(pool), .snapshot
        ) { try body() }
        try connection.execute("COMMIT")
        return result
      }
    }
  }

  /// Runs `body`, turning the server's busy answers into `StoreBusy` and any other database
  /// error into `PostgresFailure` (SQLSTATE and message, without the statement).
  private func translatingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as PostgresError where error.isUnreachable {
      throw StoreBusy.unreachable
    } catch let error as PostgresError where error.isBusy || error.isRetryable {
      throw StoreBusy()
    } catch is StoreBusyCause {
      throw StoreBusy()
    } catch let error as PostgresError {
      throw PostgresFailure(sqlState: error.sqlState, message: error.message)
    }
  }

  /// Seconds on the monotonic clock.
  private static func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }

  /// A random pause before retry `attempt`: up to 1 ms, doubling to at most 32 ms, so the
  /// transactions that collided do not collide again in step.
  private static func pause(attempt: Int) {
    let ceiling = UInt32(1000 << min(attempt - 1, 5))
    usleep(UInt32.random(in: ceiling / 4...ceiling))
  }

  /// Retries ran past the busy timeout.
  private struct StoreBusyCause: Error {}
}

extension PostgresStore: @unchecked Sendable {}

extension PostgresStore {
  /// `url` without its password (and query), for messages and answers: `postgres://user@host:port/db`.
  package static func redacted(_ url: String) -> String {
    let parts = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
    guard parts.count >= 3 else { return "postgres://" }
    var authority = parts[2]
    if let at = authority.lastIndex(of: "@") {
      let user = authority[..<at].split(separator: ":", maxSplits: 1).first ?? ""
      authority = user + "@" + authority[authority.index(after: at)...]
    }
    let database = parts.count > 3 ? "/" + (parts[3].split(separator: "?", maxSplits: 1).first ?? "") : ""
    return parts[0] + "//" + authority + database
  }
}

/// `BAZAAR_DATABASE_URL` is not a `postgres://` URL.
package struct PostgresURLError: Error, CustomStringConvertible {
  package var description: String { "must be a postgres:// or postgresql:// URL" }
}

/// A database error other than a busy server, without the statement that raised it.
package struct PostgresFailure: Error, CustomStringConvertible {
  package var sqlState: String
  package var message: String
  package var description: String { "PostgreSQL error \(sqlState): \(message)" }
}
