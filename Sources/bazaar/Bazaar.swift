internal import ArgumentParser
internal import BazaarLive

/// The `bazaar` command: invoke functions, list them, manage the database.
struct Bazaar: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bazaar",
    abstract: "An e-commerce backend as small function handlers over SQLite.",
    version: BazaarVersion.current,
    subcommands: [
      Invoke.self, CGI.self, Serve.self, Up.self, FastCGICommand.self, ListFunctions.self, DatabaseCommand.self,
      QueueCommand.self,
      OrdersCommand.self, OutboxCommand.self, PaymentsCommand.self, SchedulerCommand.self, StatusCommand.self,
      ShipmentsCommand.self, OperatorCommand.self, AccountsCommand.self, SandboxCommand.self,
    ]
  )
}

extension AsyncParsableCommand {
  /// Parses `arguments` and runs the command, awaiting async subcommands (`serve`, `up`).
  /// Top-level code calling `main(_:)` directly would pick `ParsableCommand`'s synchronous
  /// overload, which cannot run them.
  static func mainAsync(_ arguments: [String]) async {
    do {
      var command = try parseAsRoot(arguments)
      if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      exit(withError: error)
    }
  }
}
