internal import ArgumentParser
internal import BazaarFunctions
internal import Foundation

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
    if let directory = writeShims { return try Shims.write(into: directory, target: shimTarget) }
    if json {
      let entries: [[String: Any]] = FunctionCatalog.all.map {
        [
          "name": $0.name, "method": $0.route.method, "path": $0.route.path, "auth": $0.auth.rawValue,
          "summary": $0.summary, "successStatus": $0.successStatus,
          "query": $0.route.query.map { ["name": $0.name, "type": $0.kind.rawValue] },
        ]
      }
      let data = try JSONSerialization.data(withJSONObject: entries, options: [.sortedKeys, .withoutEscapingSlashes])
      print(String(decoding: data, as: UTF8.self))
      return
    }
    let width = FunctionCatalog.all.map(\.name.count).max() ?? 0
    let routeWidth = FunctionCatalog.all.map { $0.route.method.count + 1 + $0.route.path.count }.max() ?? 0
    for function in FunctionCatalog.all {
      let route = function.route.method + " " + function.route.path
      print(
        function.name.padding(toLength: width + 2, withPad: " ", startingAt: 0)
          + route.padding(toLength: routeWidth + 2, withPad: " ", startingAt: 0)
          + function.auth.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0) + function.summary)
    }
  }
}

/// The `functions/NAME` entries: symbolic links to the `bazaar` binary, which runs the
/// function its `argv[0]` names (a multi-call binary). A link costs nothing at run time; a
/// `sh` script that execs the binary cost about 1 ms per request (docs/benchmarks.md).
enum Shims {
  /// `functions/NAME` → `../bin/bazaar`, which `make build` and `make release` create.
  static let defaultTarget = "../bin/bazaar"

  /// Creates or replaces `directory/NAME` → `target` for every function in the catalog.
  static func write(into directory: String, target: String) throws {
    let files = FileManager.default
    for function in FunctionCatalog.all {
      let path = directory + "/" + function.name
      if (try? files.destinationOfSymbolicLink(atPath: path)) != nil || files.fileExists(atPath: path) {
        try files.removeItem(atPath: path)
      }
      try files.createSymbolicLink(atPath: path, withDestinationPath: target)
    }
  }
}
