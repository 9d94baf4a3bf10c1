internal import BazaarRunners
package import Logging

/// Process-wide logging: JSON lines on standard error, at `BAZAAR_LOG_LEVEL` and above
/// (`trace` … `critical`; default `info`). The first logger asked for bootstraps swift-log.
package enum Logs {
  private static let bootstrapped: Void = {
    let level = Environment.process["BAZAAR_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
    LoggingSystem.bootstrap { label in
      var handler = JSONLogHandler(label: label)
      handler.logLevel = level
      return handler
    }
  }()

  /// A logger writing JSON lines to stderr.
  package static func logger(label: String) -> Logger {
    _ = bootstrapped
    return Logger(label: label)
  }
}
