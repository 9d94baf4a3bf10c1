internal import BazaarSQL

/// PostgreSQL's migrations: a new database gets the current schema (`ShopSchema`, rendered for
/// PostgreSQL) and is marked as having every change; an existing one applies the changes it
/// lacks. Each runs in one transaction under an advisory lock, so several hosts starting at once
/// migrate once.
package enum PostgresMigrations {
  /// One database's migrations: the schema a new database is created with, recorded as
  /// `baseline`, and the named changes made since, oldest first.
  struct MigrationSet: Sendable {
    var baseline: String
    var create: String
    var changes: [(name: String, sql: String)]

    var names: [String] { [baseline] + changes.map(\.name) }
  }

  /// The shop's tables (the store).
  static let shop = MigrationSet(
    baseline: "2026-11-27-shop", create: ShopSchema.create(in: .postgres),
    changes: ShopSchema.changes.map { ($0.name, $0.sql(in: .postgres)) })

  /// The queue's tables (`BAZAAR_QUEUE_URL`, which may name another database).
  static let queue = MigrationSet(baseline: "2026-11-27-queue", create: PostgresQueues.schema, changes: [])

  /// The shop's migration names, in order.
  package static var names: [String] { shop.names }

  /// The advisory lock's key (any constant; "bazaar" in ASCII).
  private static let lockKey = 0x62_617a_6161_72

  /// Applies the migrations the database at `url` lacks and returns their names (`bazaar db
  /// migrate`). A failure says what went wrong in words, without the URL.
  package static func migrate(url: String) throws -> [String] {
    do {
      return try migrate(PostgresConnection(url: url), shop)
    } catch let error as PostgresError {
      throw PostgresFailure(sqlState: error.sqlState, message: error.message)
    }
  }

  /// The migrations the database at `url` lacks, without applying them (`bazaar db check`).
  package static func missing(url: String) throws -> [String] {
    do {
      let done = Set(try applied(PostgresConnection(url: url)) ?? [])
      return names.filter { !done.contains($0) }
    } catch let error as PostgresError {
      throw PostgresFailure(sqlState: error.sqlState, message: error.message)
    }
  }

  /// Applies the migrations `connection`'s database lacks and returns their names; a database
  /// that is up to date costs two queries.
  @discardableResult
  static func migrate(_ connection: PostgresConnection, _ set: MigrationSet = shop) throws -> [String] {
    if Set(set.names).isSubset(of: try applied(connection) ?? []) { return [] }
    try connection.execute("SELECT pg_advisory_lock(\(lockKey))")
    defer { try? connection.execute("SELECT pg_advisory_unlock(\(lockKey))") }
    try connection.execute(
      """
      CREATE TABLE IF NOT EXISTS bazaar_migrations (
        name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
      """)
    let done = Set(try applied(connection) ?? [])
    // A new database: the current schema at once, recorded as every change.
    let steps =
      done.contains(set.baseline)
      ? set.changes.filter { !done.contains($0.name) }.map { (sql: $0.sql, names: [$0.name]) }
      : [(sql: set.create, names: set.names)]
    for step in steps {
      try connection.execute("BEGIN")
      do {
        try connection.execute(step.sql)
        for name in step.names {
          try connection.query("INSERT INTO bazaar_migrations (name) VALUES ($1)", [name])
        }
        try connection.execute("COMMIT")
      } catch {
        try? connection.execute("ROLLBACK")
        throw error
      }
    }
    return steps.flatMap(\.names)
  }

  /// The names of the applied migrations, in order; nil when the database has none yet.
  static func applied(_ connection: PostgresConnection) throws -> [String]? {
    let exists = try connection.query("SELECT to_regclass('bazaar_migrations') IS NOT NULL")
    guard exists[0].bool(0) else { return nil }
    return try connection.query("SELECT name FROM bazaar_migrations ORDER BY name").all.map { $0.string(0) }
  }
}
