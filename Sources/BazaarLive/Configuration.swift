internal import Foundation

#if canImport(Glibc)
  internal import Glibc
#endif

/// Bazaar's settings, read from the environment (CGI passes settings the same way).
package struct Configuration: Sendable {
  /// `BAZAAR_HOME`: holds `var/` (database, generated secret) and `queues/`. Default: the current directory.
  package var home: String
  /// `BAZAAR_TOKEN_TTL`: access-token lifetime in seconds (60 to 86 400; default 3 600).
  package var tokenLifetime: Int64
  /// `BAZAAR_MAX_INPUT_BYTES`: the largest request body (default 1 MiB).
  package var maxInputBytes: Int
  /// `BAZAAR_SCRYPT_LOG_N`: log2 of scrypt's N for new password hashes (14 to 20; default 15).
  package var scryptLogN: UInt8
  /// `BAZAAR_ORDER_TTL`: seconds an unpaid order lives before it expires (1 to 604 800; default 900).
  package var orderLifetime: Int64
  /// `BAZAAR_BUSY_TIMEOUT_MS`: how long a writer waits for the SQLite lock before a 503 (default 5 000).
  package var busyTimeoutMilliseconds: Int64
  private var environment: Environment

  /// Where the database, the generated JWT secret and other state live.
  package var stateDirectory: String { home + "/var" }
  /// `$BAZAAR_HOME/var/bazaar.sqlite`.
  package var databasePath: String { stateDirectory + "/bazaar.sqlite" }
  /// `$BAZAAR_HOME/queues`: the spool's root.
  package var spoolRoot: String { home + "/queues" }

  package init(environment: Environment = .process) throws {
    self.environment = environment
    home = environment["BAZAAR_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? FileManager.default.currentDirectoryPath
    tokenLifetime = try Self.integer(environment, "BAZAAR_TOKEN_TTL", default: 3600, range: 60...86_400)
    maxInputBytes = Int(
      try Self.integer(environment, "BAZAAR_MAX_INPUT_BYTES", default: 1 << 20, range: 1024...(64 << 20)))
    scryptLogN = UInt8(try Self.integer(environment, "BAZAAR_SCRYPT_LOG_N", default: 15, range: 14...20))
    orderLifetime = try Self.integer(environment, "BAZAAR_ORDER_TTL", default: 900, range: 1...604_800)
    busyTimeoutMilliseconds = try Self.integer(environment, "BAZAAR_BUSY_TIMEOUT_MS", default: 5000, range: 0...60_000)
  }

  /// Creates `var/` (mode 0700) if it is missing; `BAZAAR_HOME` itself must exist.
  package func prepareStateDirectory() throws {
    if mkdir(stateDirectory, 0o700) != 0 && errno != EEXIST {
      throw ConfigurationError(variable: "BAZAAR_HOME", reason: "\(stateDirectory) cannot be created (errno \(errno))")
    }
  }

  /// The HS256 key: `BAZAAR_JWT_SECRET`, else the contents of `BAZAAR_JWT_SECRET_FILE` (one
  /// trailing newline dropped), else `var/jwt-secret`, created once with 32 random bytes (hex) and mode 0600.
  package func jwtSecret() throws -> [UInt8] {
    if let secret = environment["BAZAAR_JWT_SECRET"], !secret.isEmpty { return Array(secret.utf8) }
    if let path = environment["BAZAAR_JWT_SECRET_FILE"], !path.isEmpty {
      guard var bytes = FileManager.default.contents(atPath: path).map(Array.init) else {
        throw ConfigurationError(variable: "BAZAAR_JWT_SECRET_FILE", reason: "the file cannot be read")
      }
      if bytes.last == 0x0A { bytes.removeLast() }
      if bytes.last == 0x0D { bytes.removeLast() }
      return bytes
    }
    try prepareStateDirectory()
    return try SecretFile.readOrCreate(at: stateDirectory + "/jwt-secret")
  }

  private static func integer(
    _ environment: Environment, _ name: String, default value: Int64, range: ClosedRange<Int64>
  ) throws -> Int64 {
    guard let text = environment[name], !text.isEmpty else { return value }
    guard let number = Int64(text), range.contains(number) else {
      throw ConfigurationError(
        variable: name, reason: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
    }
    return number
  }
}

/// A setting is missing or wrong; the detail names the variable, never its value.
package struct ConfigurationError: Error, CustomStringConvertible {
  /// The environment variable at fault.
  package var variable: String
  /// What is wrong with it, in words.
  package var reason: String

  package init(variable: String, reason: String) {
    self.variable = variable
    self.reason = reason
  }

  package var description: String { "\(variable): \(reason)" }
}
