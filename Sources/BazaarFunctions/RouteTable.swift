/// The gateway's route table: which function answers a method and path. Built from the
/// catalog, so `bazaar functions`, the runners and the OpenAPI document share one source.
///
/// Templates are split once, when the table is built; a request's path is split and
/// percent-decoded once per match and compared segment by segment with the templates of its
/// length only.
package struct RouteTable: Sendable {
  /// What a request's method and path lead to.
  package enum Match: Sendable {
    /// The function and the path parameters taken from the path.
    case function(FunctionDefinition, pathParameters: [String: String])
    /// The path exists, but not for this method; `allowed` is the `Allow` header's list.
    case methodNotAllowed(allowed: [String])
    /// No route has this path.
    case notFound
  }

  /// One segment of a route's template: text that must match, or a `{name}` parameter.
  private enum Segment: Sendable {
    case literal(String)
    case parameter(String)
  }

  private struct Entry: Sendable {
    let function: FunctionDefinition
    let segments: [Segment]
    let parameterCount: Int
  }

  package let functions: [FunctionDefinition]
  /// Entries by segment count, literal-richer templates first (`/users/me` before `/users/{id}`).
  private let entriesByLength: [Int: [Entry]]

  package init(_ functions: [FunctionDefinition] = FunctionCatalog.all) {
    self.functions = functions
    var byLength: [Int: [Entry]] = [:]
    for function in functions {
      let segments: [Segment] = function.route.segments.map { segment in
        segment.hasPrefix("{") && segment.hasSuffix("}")
          ? .parameter(String(segment.dropFirst().dropLast())) : .literal(String(segment))
      }
      let parameterCount = segments.count { if case .parameter = $0 { true } else { false } }
      byLength[segments.count, default: []].append(
        Entry(function: function, segments: segments, parameterCount: parameterCount))
    }
    // A stable order: fewer parameters first, then the catalog's order.
    entriesByLength = byLength.mapValues { entries in
      entries.enumerated().sorted { ($0.element.parameterCount, $0.offset) < ($1.element.parameterCount, $1.offset) }
        .map(\.element)
    }
  }

  /// The function for `method` and `path`. `HEAD` is answered by the `GET` route; a literal
  /// segment beats a parameter (`/users/me` is never `/users/{id}`). Segments are matched after
  /// percent-decoding; a parameter never spans a `/` and is never empty.
  package func match(method: String, path: String) -> Match {
    guard path.hasPrefix("/") else { return .notFound }
    var parts: [String] = []
    for part in path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst() {
      guard let decoded = PercentDecoding.decode(Substring(part), plusIsSpace: false), !decoded.isEmpty else {
        return .notFound
      }
      parts.append(decoded)
    }
    guard let entries = entriesByLength[parts.count] else { return .notFound }
    let wanted = method == "HEAD" ? "GET" : method
    var allowed: Set<String> = []
    for entry in entries where Self.fits(parts, entry.segments) {
      if entry.function.route.method == wanted {
        return .function(entry.function, pathParameters: Self.parameters(parts, entry.segments))
      }
      allowed.insert(entry.function.route.method)
    }
    guard !allowed.isEmpty else { return .notFound }
    if allowed.contains("GET") { allowed.insert("HEAD") }
    return .methodNotAllowed(allowed: allowed.sorted())
  }

  private static func fits(_ parts: [String], _ segments: [Segment]) -> Bool {
    for (part, segment) in zip(parts, segments) {
      if case .literal(let text) = segment, text != part { return false }
    }
    return true
  }

  private static func parameters(_ parts: [String], _ segments: [Segment]) -> [String: String] {
    var parameters: [String: String] = [:]
    for (part, segment) in zip(parts, segments) {
      if case .parameter(let name) = segment { parameters[name] = part }
    }
    return parameters
  }
}
