internal import ArgumentParser
internal import BazaarLive
internal import BazaarStore
internal import Foundation

/// `bazaar db migrate|check`.
struct DatabaseCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "db", abstract: "Create, migrate and check the SQLite database.",
    subcommands: [Migrate.self, Check.self])

  struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Apply pending migrations; print those applied now (\"applied\") and the schema's (\"migrations\").")

    func run() throws {
      let configuration = try Configuration()
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
      abstract: "Run SQLite's integrity and foreign-key checks; exit 70 when the database is damaged.")

    func run() throws {
      let configuration = try Configuration()
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

/// Prints one JSON object on stdout.
func printJSON(_ object: [String: Any]) throws {
  let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
  print(String(decoding: data, as: UTF8.self))
}
