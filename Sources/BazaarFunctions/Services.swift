package import BazaarCore

/// The use cases a handler can reach, built by the executable from live adapters.
///
/// A class: every request hands the services along (to the invoker, into the handler's
/// context), and a copy of a struct of some forty references would retain and release each of
/// them, on counters every thread shares.
package final class Services: Sendable {
  package let accounts: UserAccounts
  package let sellers: SellerAccounts
  package let catalog: ProductCatalog
  package let orders: OrderDesk
  package let payments: PaymentDesk
  package let shipments: ShipmentDesk
  /// Requests made with an idempotency key (functions declared `idempotent`).
  package let idempotency: IdempotentCalls
  /// Who books shipments the shop sends itself (the built-in carrier).
  package let carrier: any Carrier
  package let authenticator: Authenticator
  /// The store every use case runs on: the invoker opens one snapshot on it for a function
  /// that only reads (`FunctionDefinition.readsOnly`).
  package let store: any Store

  package init(
    accounts: UserAccounts, sellers: SellerAccounts, catalog: ProductCatalog, orders: OrderDesk,
    payments: PaymentDesk, shipments: ShipmentDesk, idempotency: IdempotentCalls, carrier: any Carrier,
    authenticator: Authenticator, store: any Store
  ) {
    self.store = store
    self.shipments = shipments
    self.idempotency = idempotency
    self.carrier = carrier
    self.accounts = accounts
    self.sellers = sellers
    self.catalog = catalog
    self.orders = orders
    self.payments = payments
    self.authenticator = authenticator
  }
}

extension Services {
  /// How payments are taken: the gateway (nil: none configured, and why), the settings, the
  /// source of callback secrets, and who hears payment alerts.
  package struct PaymentWiring: Sendable {
    package var gateway: (any PaymentGateway)?
    package var unconfigured: String
    package var settings: PaymentSettings
    package var secrets: any SecretGenerator
    package var alert: @Sendable (PaymentAlert) -> Void

    package init(
      gateway: (any PaymentGateway)?, unconfigured: String, settings: PaymentSettings, secrets: any SecretGenerator,
      alert: @escaping @Sendable (PaymentAlert) -> Void
    ) {
      self.gateway = gateway
      self.unconfigured = unconfigured
      self.settings = settings
      self.secrets = secrets
      self.alert = alert
    }
  }

  /// Every use case over one store and one set of password, token, id, clock and payment ports.
  package convenience init(
    store: any Store, passwords: any PasswordHasher, signer: any TokenSigner, ids: any IDGenerator, clock: any Clock,
    tokenLifetime: Int64, orderLifetime: Int64 = 900, payments: PaymentWiring, loginPolicy: LoginThrottle.Policy? = nil,
    images: (any ImageProcessor)? = nil
  ) {
    let issuer = TokenIssuer(signer: signer, ids: ids, clock: clock, lifetime: tokenLifetime)
    let throttle = loginPolicy.map { LoginThrottle(store: store, clock: clock, policy: $0) }
    self.init(
      accounts: UserAccounts(
        store: store, passwords: passwords, issuer: issuer, ids: ids, clock: clock, throttle: throttle),
      sellers: SellerAccounts(
        store: store, passwords: passwords, issuer: issuer, ids: ids, clock: clock, throttle: throttle),
      catalog: ProductCatalog(store: store, ids: ids, clock: clock, images: images),
      orders: OrderDesk(store: store, ids: ids, clock: clock, orderLifetime: orderLifetime),
      payments: PaymentDesk(
        store: store, gateway: payments.gateway, unconfigured: payments.unconfigured, settings: payments.settings,
        ids: ids, secrets: payments.secrets, clock: clock, alert: payments.alert),
      shipments: ShipmentDesk(store: store, ids: ids, clock: clock),
      idempotency: IdempotentCalls(store: store, clock: clock), carrier: BuiltInCarrier(ids: ids),
      authenticator: Authenticator(signer: signer, store: store, clock: clock), store: store)
  }
}
