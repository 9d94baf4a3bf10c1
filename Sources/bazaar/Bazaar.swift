internal import ArgumentParser

/// The `bazaar` command: invoke functions, list them, manage the database.
struct Bazaar: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bazaar",
    abstract: "An e-commerce backend as small function handlers over SQLite.",
    subcommands: [
      Invoke.self, CGI.self, ListFunctions.self, DatabaseCommand.self, QueueCommand.self, BenchCommand.self,
    ]
  )
}
