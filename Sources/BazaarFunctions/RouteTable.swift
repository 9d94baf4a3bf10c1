/// The gateway's route table: which function answers a method and path. Built from the
/// catalog, so `bazaar functions`, the runners and the OpenAPI document share one source.
package struct RouteTable: Sendable {
  /// What a request's method and path lead to.
  package enum Match {
    /// The function and the path parameters taken from the path.
    case function(FunctionDefinition, pathParameters: [String: String])
    /// The path exists, but not for this method; `allowed` is the `Allow` header's list.
    case methodNotAllowed(allowed: [String])
    /// No route has this path.
    case notFound
  }

  package let functions: [FunctionDefinition]

  package init(_ functions: [FunctionDefinition] = FunctionCatalog.all) {
    self.functions = functions
  }

  /// The function for `method` and `path`. `HEAD` is answered by the `GET` route; a literal
  /// segment beats a parameter (`/users/me` is never `/users/{id}`).
  package func match(method: String, path: String) -> Match {
    let candidates = functions.compactMap { function in
      function.route.match(path).map { (function, $0) }
    }
    guard !candidates.isEmpty else { return .notFound }
    let wanted = method == "HEAD" ? "GET" : method
    let ranked = candidates.sorted { $0.0.route.pathParameters.count < $1.0.route.pathParameters.count }
    if let (function, parameters) = ranked.first(where: { $0.0.route.method == wanted }) {
      return .function(function, pathParameters: parameters)
    }
    var allowed = Set(candidates.map(\.0.route.method))
    if allowed.contains("GET") { allowed.insert("HEAD") }
    return .methodNotAllowed(allowed: allowed.sorted())
  }
}
