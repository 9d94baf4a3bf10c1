#if canImport(Glibc)
  internal import Glibc
#endif

/// Environment variables, read one at a time with `getenv` (building Foundation's whole
/// `ProcessInfo.environment` dictionary costs a measurable share of a handler's start-up).
package struct Environment: Sendable {
  /// The process's own environment.
  package static let process = Environment()

  private let values: [String: String]?

  private init() {
    values = nil
  }

  /// A fixed set of variables instead of the process's (for tests and embedding).
  package init(_ values: [String: String]) {
    self.values = values
  }

  /// The variable's value, if set.
  package subscript(name: String) -> String? {
    if let values { return values[name] }
    return getenv(name).map { String(cString: $0) }
  }
}
