package import BazaarCore
internal import BazaarCrypto
package import BazaarFunctions
package import BazaarStore
internal import Logging

/// The live shop: the use cases over SQLite (or PostgreSQL), OpenSSL and the system clock, and
/// the database behind them. `wire` is the one place that builds them, from the configuration
/// and the executable's `Adapters`; the CLI, the CGI runner, `bazaar serve`, the benchmarks and
/// the tests all call it, so a new capability is wired once.
package struct LiveServices: Sendable {
  /// The use cases, ready for the function registry.
  package var services: Services
  /// The unit of work the use cases share.
  package var store: any Store { backend.store }
  /// Which database holds the shop.
  package var backend: Backend

  /// The shop's database: the SQLite file under `BAZAAR_HOME` (the default), or a server
  /// (`BAZAAR_DATABASE_URL`).
  package enum Backend: Sendable {
    case sqlite(SQLiteStore)
    case server(any ServerStore)

    var store: any Store {
      switch self {
      case .sqlite(let store): store
      case .server(let store): store
      }
    }
  }

  /// The SQLite store, when the shop is on SQLite (benchmarks seed it directly).
  package var sqlite: SQLiteStore? {
    if case .sqlite(let store) = backend { return store }
    return nil
  }

  /// Closes the database (SQLite's last connection checkpoints the WAL).
  package func close() {
    switch backend {
    case .sqlite(let store): try? store.database.close()
    case .server(let store): store.close()
    }
  }

  /// What keeps the database from serving, in words; empty when it is ready.
  package func readinessProblems() -> [String] {
    switch backend {
    case .sqlite(let store): store.database.readinessProblems()
    case .server(let store): store.readinessProblems()
    }
  }

  /// Builds the live services from `configuration`: one connection for a process that serves
  /// one request, a pool (concurrent readers, one writer) for long-running processes. Creates
  /// `var/`, the JWT secret and the database (migrated) when they are missing. `clock` is the
  /// system clock except in tests.
  /// `bazaar up`'s KakaoPay sandbox, used when no `KAKAOPAY_SECRET_KEY` is set: where its API
  /// answers, the key it accepts, and the shop's address for the callbacks.
  package struct Sandbox: Sendable {
    package var baseURL: String
    package var secretKey: String
    package var publicURL: String

    package init(baseURL: String, secretKey: String, publicURL: String) {
      self.baseURL = baseURL
      self.secretKey = secretKey
      self.publicURL = publicURL
    }
  }

  package static func wire(
    _ configuration: Configuration, connections: BazaarDatabase.Connections = .single,
    clock: any Clock = SystemClock(), sandbox: Sandbox? = nil, adapters: Adapters = .none
  ) throws -> LiveServices {
    let signer: HS256TokenSigner
    do {
      signer = try HS256TokenSigner(secret: try configuration.jwtSecret(), maxLifetime: configuration.tokenLifetime)
    } catch let weak as HS256TokenSigner.WeakSecret {
      throw ConfigurationError(variable: "BAZAAR_JWT_SECRET", reason: weak.description)
    }
    try configuration.prepareStateDirectory()
    let busyTimeout = Double(configuration.busyTimeoutMilliseconds) / 1000
    let backend: Backend
    if let url = configuration.databaseURL {
      guard let servers = adapters.servers else {
        throw ConfigurationError(
          variable: "BAZAAR_DATABASE_URL",
          reason: "this program does not link the PostgreSQL client (bazaar-fn hands such requests to bazaar)")
      }
      let pool = connections == .single ? 1 : configuration.databasePoolSize
      backend = .server(try servers(url, pool, busyTimeout))
    } else {
      backend = .sqlite(
        SQLiteStore(
          try BazaarDatabase(path: configuration.databasePath, connections: connections, busyTimeout: busyTimeout)))
    }
    let store = backend.store
    let services = Services(
      store: store, passwords: ScryptPasswordHasher(logN: configuration.scryptLogN), signer: signer,
      ids: RandomIDGenerator(clock: clock), clock: clock, tokenLifetime: configuration.tokenLifetime,
      orderLifetime: configuration.orderLifetime,
      payments: paymentWiring(configuration, sandbox: sandbox, gateways: adapters.gateways),
      loginPolicy: configuration.loginPolicy, images: adapters.images)
    return LiveServices(services: services, backend: backend)
  }

  /// Which gateway takes payments: KakaoPay with the configured key; else `bazaar up`'s
  /// sandbox; else none, and `pay` says why (a deployment that forgot its key never takes
  /// fake payments). `gateways` builds the adapter; a program without one takes no payments.
  static func paymentWiring(
    _ configuration: Configuration, sandbox: Sandbox?, gateways: PaymentGatewayFactory?
  ) -> Services.PaymentWiring {
    let timeout = configuration.kakaoPayTimeout
    var gateway: (any PaymentGateway)?
    var publicURL = configuration.publicURL
    var unconfigured = ""
    if gateways == nil {
      unconfigured = "this program does not link the KakaoPay adapter (bazaar-fn hands payment functions to bazaar)"
    } else if let gateways, let key = configuration.kakaoPaySecretKey {
      if publicURL == nil {
        unconfigured = "BAZAAR_PUBLIC_URL is not set, so KakaoPay could not send buyers back to the shop"
      } else {
        gateway = gateways(
          .init(
            baseURL: configuration.kakaoPayBaseURL, secretKey: key, cid: configuration.kakaoPayCID,
            timeout: Double(timeout), isSandbox: configuration.kakaoPayIsSandbox))
      }
    } else if let gateways, let sandbox {
      publicURL = configuration.publicURL ?? sandbox.publicURL
      gateway = gateways(
        .init(
          baseURL: sandbox.baseURL, secretKey: sandbox.secretKey, cid: configuration.kakaoPayCID,
          timeout: Double(timeout), isSandbox: true))
    } else {
      unconfigured = "KAKAOPAY_SECRET_KEY is not set (only `bazaar up` falls back to its KakaoPay sandbox)"
    }
    let logger = Logs.logger(label: "bazaar.payments")
    return Services.PaymentWiring(
      gateway: gateway, unconfigured: unconfigured,
      settings: PaymentSettings(
        publicURL: publicURL ?? "http://127.0.0.1", readyLifetime: configuration.kakaoPayReadyLifetime,
        returnURL: configuration.paymentReturnURL, uncertainAfter: timeout + 2),
      secrets: RandomSecrets(),
      alert: { alert in
        logger.error(
          "\(alert.message)",
          metadata: [
            "paymentId": "\(alert.paymentID)", "orderId": "\(alert.orderID)", "detail": "\(alert.detail)",
          ])
      })
  }
}
