package import BazaarCore
internal import BazaarRunners
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
  /// `BAZAAR_DATABASE_URL`: a `postgres://` URL puts the shop on that PostgreSQL database
  /// instead of `var/bazaar.sqlite` (docs/scaling.md). Never logged: it may hold a password.
  package var databaseURL: String?
  /// `BAZAAR_DATABASE_POOL`: connections `serve` and the scheduler keep to PostgreSQL (1 to
  /// 100; default 8). A one-shot process opens one.
  package var databasePoolSize: Int
  /// `BAZAAR_QUEUE_URL`: a `postgres://` URL puts the event queues in that PostgreSQL database
  /// instead of the spool under `queues/` (docs/scaling.md). Never logged.
  package var queueURL: String?
  /// `KAKAOPAY_SECRET_KEY`: the merchant's secret key. Without it only `bazaar up` takes
  /// payments (through its sandbox); never logged, answered or put in an error.
  package var kakaoPaySecretKey: String?
  /// `KAKAOPAY_CID`: the merchant id (10 characters; default `TC0ONETIME`, KakaoPay's test CID).
  package var kakaoPayCID: String
  /// `KAKAOPAY_BASE_URL`: the API's address (default `https://open-api.kakaopay.com`).
  package var kakaoPayBaseURL: String
  /// `KAKAOPAY_TIMEOUT`: seconds a gateway call may take (1 to 120; default 10).
  package var kakaoPayTimeout: Int64
  /// `KAKAOPAY_READY_TTL`: seconds a payment can be approved after ready (1 to 86 400; default 900).
  package var kakaoPayReadyLifetime: Int64
  /// `BAZAAR_PUBLIC_URL`: the shop's address as buyers' browsers reach it (KakaoPay sends them
  /// back to it), without a trailing `/`.
  package var publicURL: String?
  /// `BAZAAR_PAYMENT_RETURN_URL`: where a browser goes after a payment callback (a 303 with
  /// `orderId` and `payment`); without it the callback shows a small page of its own.
  package var paymentReturnURL: String?
  /// `BAZAAR_KAKAOPAY_SANDBOX=1`: the KakaoPay at `KAKAOPAY_BASE_URL` is Bazaar's sandbox (set by
  /// `bazaar up` for its function processes), so `pay` answers say `"sandbox": true`.
  package var kakaoPayIsSandbox: Bool
  /// `BAZAAR_TRUSTED_PROXIES`: comma-separated addresses of proxies whose `X-Forwarded-For`
  /// (its last hop) names the client; from any other peer the header is ignored.
  package var trustedProxies: Set<String>
  /// Sign-in throttling: `BAZAAR_LOGIN_FAILURES` failures from one address within a minute
  /// (default 10) hold it off for `BAZAAR_LOGIN_BACKOFF` seconds (default 60, doubling each
  /// time); `BAZAAR_LOGIN_ACCOUNT_FAILURES` from every address within an hour (default 100)
  /// hold the account off for 15 minutes.
  package var loginPolicy: LoginThrottle.Policy
  /// `BAZAAR_HASHING_THREADS`: threads hashing passwords in `bazaar serve` (default: one fewer
  /// than the cores, at least 1), so sign-ins never take every core from reads. The default is
  /// worked out when asked for: counting the cores (cgroup limits included) costs a one-shot
  /// process a third of a millisecond it has no use for.
  package var hashingThreads: Int {
    hashingThreadsSetting ?? max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
  }
  private var hashingThreadsSetting: Int?
  /// `BAZAAR_HASHING_QUEUE`: sign-ins waiting for a hashing thread, past which `bazaar serve`
  /// answers 429 (default 64).
  package var hashingQueue: Int
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
    databaseURL = environment["BAZAAR_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    if let url = databaseURL, !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
      throw ConfigurationError(variable: "BAZAAR_DATABASE_URL", reason: "must be a postgres:// or postgresql:// URL")
    }
    queueURL = environment["BAZAAR_QUEUE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    if let url = queueURL, !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
      throw ConfigurationError(variable: "BAZAAR_QUEUE_URL", reason: "must be a postgres:// or postgresql:// URL")
    }
    databasePoolSize = Int(try Self.integer(environment, "BAZAAR_DATABASE_POOL", default: 8, range: 1...100))
    kakaoPaySecretKey = environment["KAKAOPAY_SECRET_KEY"].flatMap { $0.isEmpty ? nil : $0 }
    if let key = kakaoPaySecretKey, key.utf8.contains(where: { $0 < 0x21 || $0 > 0x7E }) {
      throw ConfigurationError(variable: "KAKAOPAY_SECRET_KEY", reason: "must be printable ASCII without spaces")
    }
    kakaoPayCID = environment["KAKAOPAY_CID"].flatMap { $0.isEmpty ? nil : $0 } ?? "TC0ONETIME"
    guard kakaoPayCID.utf8.count == 10, kakaoPayCID.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
      throw ConfigurationError(variable: "KAKAOPAY_CID", reason: "must be 10 printable characters")
    }
    kakaoPayBaseURL = try Self.url(environment, "KAKAOPAY_BASE_URL") ?? "https://open-api.kakaopay.com"
    kakaoPayTimeout = try Self.integer(environment, "KAKAOPAY_TIMEOUT", default: 10, range: 1...120)
    kakaoPayReadyLifetime = try Self.integer(environment, "KAKAOPAY_READY_TTL", default: 900, range: 1...86_400)
    publicURL = try Self.url(environment, "BAZAAR_PUBLIC_URL", maxLength: 120)
    paymentReturnURL = try Self.url(environment, "BAZAAR_PAYMENT_RETURN_URL", isBase: false)
    kakaoPayIsSandbox = environment["BAZAAR_KAKAOPAY_SANDBOX"] == "1"
    var proxies: Set<String> = []
    for entry in (environment["BAZAAR_TRUSTED_PROXIES"] ?? "").split(separator: ",") {
      let address = entry.filter { $0 != " " }
      guard ClientAddress.isAddress(address) else {
        throw ConfigurationError(variable: "BAZAAR_TRUSTED_PROXIES", reason: "must list IP addresses, comma-separated")
      }
      proxies.insert(address)
    }
    trustedProxies = proxies
    loginPolicy = LoginThrottle.Policy()
    loginPolicy.perClient = Int(try Self.integer(environment, "BAZAAR_LOGIN_FAILURES", default: 10, range: 1...1000))
    loginPolicy.backoff = try Self.integer(environment, "BAZAAR_LOGIN_BACKOFF", default: 60, range: 1...3600)
    loginPolicy.perAccount = Int(
      try Self.integer(environment, "BAZAAR_LOGIN_ACCOUNT_FAILURES", default: 100, range: 1...100_000))
    hashingThreadsSetting = try Self.optionalInteger(environment, "BAZAAR_HASHING_THREADS", range: 1...64).map(Int.init)
    hashingQueue = Int(try Self.integer(environment, "BAZAAR_HASHING_QUEUE", default: 64, range: 1...10_000))
  }

  /// An http(s) URL without a trailing `/`, at most `maxLength` bytes; nil when unset.
  /// An http(s) URL setting; a base URL (`isBase`, paths are appended to it) loses its trailing slashes.
  private static func url(
    _ environment: Environment, _ name: String, maxLength: Int = 1000, isBase: Bool = true
  ) throws -> String? {
    guard var text = environment[name], !text.isEmpty else { return nil }
    while isBase && text.hasSuffix("/") { text.removeLast() }
    guard text.hasPrefix("http://") || text.hasPrefix("https://"), text.utf8.count <= maxLength,
      !text.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F || $0 == UInt8(ascii: "\"") })
    else {
      throw ConfigurationError(
        variable: name, reason: "must be an http:// or https:// URL of at most \(maxLength) characters")
    }
    return text
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
    try optionalInteger(environment, name, range: range) ?? value
  }

  /// A whole-number setting in `range`; nil when unset or empty.
  private static func optionalInteger(
    _ environment: Environment, _ name: String, range: ClosedRange<Int64>
  ) throws -> Int64? {
    guard let text = environment[name], !text.isEmpty else { return nil }
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
