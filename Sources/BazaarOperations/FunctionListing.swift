package import BazaarFunctions
internal import Foundation

/// `bazaar functions`: the catalog as a table or as JSON.
package enum FunctionListing {
  /// One line per function: name, route, auth policy, summary, in aligned columns.
  package static func table() -> String {
    let width = FunctionCatalog.all.map(\.name.count).max() ?? 0
    let routeWidth = FunctionCatalog.all.map { $0.route.method.count + 1 + $0.route.path.count }.max() ?? 0
    return FunctionCatalog.all.map { function in
      let route = function.route.method + " " + function.route.path
      return function.name.padding(toLength: width + 2, withPad: " ", startingAt: 0)
        + route.padding(toLength: routeWidth + 2, withPad: " ", startingAt: 0)
        + function.auth.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0) + function.summary
    }.joined(separator: "\n")
  }

  /// A JSON array: name, method, path, auth, summary, success status and query parameters.
  package static func json() throws -> String {
    let entries: [[String: Any]] = FunctionCatalog.all.map {
      [
        "name": $0.name, "method": $0.route.method, "path": $0.route.path, "auth": $0.auth.rawValue,
        "summary": $0.summary, "successStatus": $0.successStatus,
        "query": $0.route.query.map { ["name": $0.name, "type": $0.kind.rawValue] },
      ]
    }
    let data = try JSONSerialization.data(withJSONObject: entries, options: [.sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
  }
}

/// The `functions/NAME` entries: symbolic links to `bazaar-fn` (or `bazaar`), which runs the
/// function its `argv[0]` names (a multi-call binary). A link costs nothing at run time; a
/// `sh` script that execs the binary cost about 1 ms per request (docs/benchmarks.md).
package enum Shims {
  /// `functions/NAME` → `../bin/bazaar-fn`, which `make build` and `make release` create.
  package static let defaultTarget = "../bin/bazaar-fn"

  /// The links could not be written; the description says where and why, in words.
  package struct WriteError: Error, CustomStringConvertible {
    package var description: String
  }

  /// Creates or replaces `directory/NAME` → `target` for every function in the catalog.
  package static func write(into directory: String, target: String) throws(WriteError) {
    let files = FileManager.default
    var isDirectory: ObjCBool = false
    guard files.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw WriteError(description: "cannot write the links into \(directory): there is no such directory")
    }
    for function in FunctionCatalog.all {
      let path = directory + "/" + function.name
      do {
        if (try? files.destinationOfSymbolicLink(atPath: path)) != nil || files.fileExists(atPath: path) {
          try files.removeItem(atPath: path)
        }
        try files.createSymbolicLink(atPath: path, withDestinationPath: target)
      } catch {
        throw WriteError(description: "cannot write the link \(path): permission denied or the path is in the way")
      }
    }
  }
}
