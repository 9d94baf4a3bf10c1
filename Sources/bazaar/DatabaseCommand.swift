internal import ArgumentParser
internal import BazaarLive
internal import BazaarPostgres
internal import BazaarRunners
internal import BazaarStore
internal import Foundation

/// `bazaar db migrate|check`.
struct DatabaseCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "db",
    abstract: "Create, migrate and check the database (SQLite, or PostgreSQL with BAZAAR_DATABASE_URL).",
    subcommands: [Migrate.self, Check.self])

  struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Apply pending migrations; print those applied now (\"applied\") and the schema's (\"migrations\").")

    func run() throws {
      let configuration = try Configuration()
      if let url = configuration.databaseURL {
        let applied = try inWords("migrate") { try PostgresMigrations.migrate(url: url) }
        try printJSON([
          "database": PostgresStore.redacted(url), "applied": applied,
          "migrations": PostgresMigrations.names.count,
        ])
        return
      }
      try configuration.prepareStateDirectory()
      let database = try BazaarDatabase(path: configuration.databasePath)
      try printJSON([
        "database": configuration.databasePath, "journalMode": try database.journalMode(),
        "applied": database.appliedMigrations, "migrations": BazaarDatabase.migrationNames.count,
      ])
    }
  }

  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Run SQLite's integrity and foreign-key checks (on PostgreSQL: that every migration is applied); exit 70 on a problem."
    )

    func run() throws {
      let configuration = try Configuration()
      if let url = configuration.databaseURL {
        // PostgreSQL checks its own pages and constraints; what can drift is the schema.
        let missing = try inWords("check") { try PostgresMigrations.missing(url: url) }
        let problems = missing.map { "migration \($0) is not applied (run bazaar db migrate)" }
        try printJSON(["database": PostgresStore.redacted(url), "ok": problems.isEmpty, "problems": problems])
        if !problems.isEmpty { throw ExitCode(70) }
        return
      }
      try configuration.prepareStateDirectory()
      let database = try BazaarDatabase(path: configuration.databasePath)
      let problems = try database.check()
      try printJSON([
        "database": configuration.databasePath, "journalMode": try database.journalMode(), "ok": problems.isEmpty,
        "problems": problems,
      ])
      if !problems.isEmpty { throw ExitCode(70) }
    }
  }
}

/// Runs `body`, saying a PostgreSQL failure in words on stderr, never with the URL: exit 75
/// when the server is unreachable or busy, 78 for a wrong password or database, else 70.
func inWords<T>(_ action: String, _ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let failure as PostgresFailure {
    let unreachable = ["08", "53", "57"].contains(String(failure.sqlState.prefix(2)))
    let misconfigured = failure.sqlState.hasPrefix("28") || failure.sqlState == "3D000"
    let what = unreachable ? "cannot be reached" : misconfigured ? "refused the connection" : "refused"
    writeLine("bazaar db \(action): PostgreSQL \(what) (\(failure.sqlState)): \(failure.message)", to: 2)
    throw ExitCode(unreachable ? 75 : misconfigured ? 78 : 70)
  }
}

/// Prints one JSON object on stdout.
func printJSON(_ object: [String: Any]) throws {
  let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
  print(String(decoding: data, as: UTF8.self))
}
