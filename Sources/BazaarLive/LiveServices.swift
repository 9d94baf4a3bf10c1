package import BazaarCore
internal import BazaarCrypto
package import BazaarFunctions
package import BazaarStore

/// The live shop: the use cases over SQLite, OpenSSL and the system clock, and the database
/// behind them. `wire` is the one place that builds them; the CLI, the CGI runner, `bazaar
/// serve`, the benchmarks and the tests all call it, so a new capability is wired once.
package struct LiveServices: Sendable {
  /// The use cases, ready for the function registry.
  package var services: Services
  /// The unit of work the use cases share.
  package var store: SQLiteStore
  /// The database behind them, to close when the process is done with it.
  package var database: BazaarDatabase { store.database }

  /// Builds the live services from `configuration`: one connection for a process that serves
  /// one request, a pool (concurrent readers, one writer) for long-running processes. Creates
  /// `var/`, the JWT secret and the database (migrated) when they are missing. `clock` is the
  /// system clock except in tests.
  package static func wire(
    _ configuration: Configuration, connections: BazaarDatabase.Connections = .single,
    clock: any Clock = SystemClock()
  ) throws -> LiveServices {
    let signer: HS256TokenSigner
    do {
      signer = try HS256TokenSigner(secret: try configuration.jwtSecret())
    } catch let weak as HS256TokenSigner.WeakSecret {
      throw ConfigurationError(variable: "BAZAAR_JWT_SECRET", reason: weak.description)
    }
    try configuration.prepareStateDirectory()
    let database = try BazaarDatabase(
      path: configuration.databasePath, connections: connections,
      busyTimeout: Double(configuration.busyTimeoutMilliseconds) / 1000)
    let store = SQLiteStore(database)
    let services = Services(
      store: store, passwords: ScryptPasswordHasher(logN: configuration.scryptLogN), signer: signer,
      ids: RandomIDGenerator(clock: clock), clock: clock, tokenLifetime: configuration.tokenLifetime,
      orderLifetime: configuration.orderLifetime)
    return LiveServices(services: services, store: store)
  }
}
