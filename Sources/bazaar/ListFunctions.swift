internal import ArgumentParser
internal import BazaarOperations
internal import BazaarRunners

/// `bazaar functions`: the catalog, as a table or JSON; also writes the `functions/` shims.
struct ListFunctions: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "functions", abstract: "List every function: name, route, auth policy, summary.")

  @Flag(help: "Print a JSON array instead of a table.")
  var json = false

  @Option(help: "Link every function's name to the bazaar binary in this directory, then exit.")
  var writeShims: String?

  @Option(help: "What the links point to (relative to their directory, or absolute).")
  var shimTarget = Shims.defaultTarget

  func run() throws {
    if let directory = writeShims {
      do {
        return try Shims.write(into: directory, target: shimTarget)
      } catch {
        writeLine("bazaar functions: \(error.description)", to: 2)
        throw ExitCode(73)  // EX_CANTCREAT
      }
    }
    print(json ? try FunctionListing.json() : FunctionListing.table())
  }
}
