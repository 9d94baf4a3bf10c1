internal import ArgumentParser
internal import BazaarCore
internal import BazaarLive
internal import BazaarOperations
internal import BazaarPostgres
internal import BazaarRunners
internal import BazaarStore
internal import Foundation
internal import QueuePort
internal import Spool

/// `bazaar db migrate|check`.
struct DatabaseCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "db",
    abstract: "Create, migrate and check the database (SQLite, or PostgreSQL with BAZAAR_DATABASE_URL).",
    subcommands: [Migrate.self, Check.self, Copy.self])

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

extension DatabaseCommand {
  /// `bazaar db copy --to postgres://…`: the SQLite shop and its spool into PostgreSQL.
  struct Copy: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Copy this SQLite shop and its spool's messages into an empty PostgreSQL database.",
      discussion: """
        Stop every process of the shop first (bazaar serve or up, the scheduler, cron jobs): the copy \
        refuses while another process has the database open, and holds its write lock until done. \
        Every table and every message (waiting, dead or kept) goes over in one transaction, which \
        commits only when each table's row count and the money and stock totals match. Then set \
        BAZAAR_DATABASE_URL and BAZAAR_QUEUE_URL to the same URL (docs/scaling.md).
        """)

    /// The copy's crash points, from `BAZAAR_COPY_FAULT` (debug builds only).
    static let fault: @Sendable (PostgresShopImport.FaultPoint) -> Void = {
      let crash = crashSwitch("BAZAAR_COPY_FAULT")
      return { crash($0.rawValue) }
    }()

    @Option(help: "The empty PostgreSQL database (postgres://user:password@host:port/db).") var to: String
    @Option(help: "Spool root (default: $BAZAAR_HOME/queues).") var spool: String?

    func run() throws {
      guard to.hasPrefix("postgres://") || to.hasPrefix("postgresql://") else {
        throw ValidationError("--to must be a postgres:// or postgresql:// URL")
      }
      var configuration = try Configuration()
      configuration.databaseURL = nil
      guard FileManager.default.fileExists(atPath: configuration.databasePath) else {
        writeLine("bazaar db copy: there is no shop to copy at \(configuration.databasePath)", to: 2)
        throw ExitCode(66)  // EX_NOINPUT
      }
      let database = try BazaarDatabase(path: configuration.databasePath, connections: .single)
      defer { try? database.close() }
      let spoolRoot = spool ?? configuration.spoolRoot
      let queues = FileManager.default.fileExists(atPath: spoolRoot) ? Spool(root: spoolRoot).queues : nil
      let report: ShopCopyReport
      do {
        report = try inWords("copy") {
          try database.exportLocked { export in
            try PostgresShopImport.copy(from: export, queues: queues, to: to, fault: Self.fault)
          }
        }
      } catch let error as DatabaseInUse {
        writeLine("bazaar db copy: \(error)", to: 2)
        throw ExitCode(75)
      } catch is StoreBusy {
        writeLine("bazaar db copy: another process is writing to the database; stop it, then copy", to: 2)
        throw ExitCode(75)
      } catch let error as ShopCopyTargetNotEmpty {
        writeLine("bazaar db copy: \(error)", to: 2)
        throw ExitCode(65)
      } catch let error as ShopCopyMismatch {
        writeLine("bazaar db copy: \(error)", to: 2)
        throw ExitCode(70)
      }
      try printJSON([
        "from": configuration.databasePath, "to": PostgresStore.redacted(to),
        "tables": Dictionary(uniqueKeysWithValues: report.tables.map { ($0.name, $0.rows) }),
        "messages": Dictionary(uniqueKeysWithValues: report.messages.map { ($0.queue, $0.count) }),
        "totals": Dictionary(uniqueKeysWithValues: report.totals.map { ($0.name, $0.value) }), "checked": true,
      ])
    }
  }
}

extension SQLiteExport: ShopSource {}

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
