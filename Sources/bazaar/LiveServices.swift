internal import BazaarCore
internal import BazaarCrypto
internal import BazaarFunctions
internal import BazaarStore
internal import Foundation

/// The real clock.
struct SystemClock: Clock {
  func now() -> Timestamp {
    Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
  }
}

/// Wires the live adapters (SQLite, OpenSSL, the system clock) into the use cases.
struct LiveServices {
  /// The use cases, ready for the function registry.
  var services: Services
  /// The database behind them, to close when the process is done with it.
  var database: BazaarDatabase

  /// One connection for a process that serves one request; a pool (concurrent readers, one
  /// writer) for the HTTP runner.
  init(_ configuration: Configuration, connections: BazaarDatabase.Connections = .single) throws {
    let clock = SystemClock()
    let ids = RandomIDGenerator(clock: clock)
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
    let registry = SQLiteTokenRegistry(database)
    let issuer = TokenIssuer(
      signer: signer, registry: registry, ids: ids, clock: clock, lifetime: configuration.tokenLifetime)
    let passwords = ScryptPasswordHasher(logN: configuration.scryptLogN)
    let sellers = SQLiteSellerRepository(database)
    services = Services(
      accounts: UserAccounts(
        users: SQLiteUserRepository(database), passwords: passwords, issuer: issuer, ids: ids, clock: clock),
      sellers: SellerAccounts(sellers: sellers, passwords: passwords, issuer: issuer, ids: ids, clock: clock),
      catalog: ProductCatalog(products: SQLiteProductRepository(database), sellers: sellers, ids: ids, clock: clock),
      authenticator: Authenticator(signer: signer, registry: registry, clock: clock))
    self.database = database
  }
}
