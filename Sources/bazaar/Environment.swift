#if canImport(Glibc)
  internal import Glibc
#endif

/// Environment variables, read one at a time with `getenv` (building Foundation's whole
/// `ProcessInfo.environment` dictionary costs a measurable share of a handler's start-up).
struct Environment {
  /// The process's own environment.
  static let process = Environment()

  subscript(name: String) -> String? {
    getenv(name).map { String(cString: $0) }
  }
}
