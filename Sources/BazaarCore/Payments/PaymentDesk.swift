package import BazaarJSON

/// Where the payment use cases send the buyer's browser and how long they trust the gateway.
package struct PaymentSettings: Sendable {
  /// The shop's public address (`BAZAAR_PUBLIC_URL`), without a trailing `/`: the gateway sends
  /// the buyer back to `{publicURL}/payments/kakaopay/approve|cancel|fail?state=…`.
  package var publicURL: String
  /// Seconds the gateway accepts an approval after ready (`KAKAOPAY_READY_TTL`).
  package var readyLifetime: Int64
  /// Where a browser goes after a callback (`BAZAAR_PAYMENT_RETURN_URL`), if anywhere.
  package var returnURL: String?
  /// Seconds after which a call still `approving` or `refunding` counts as lost, so
  /// reconciliation may ask the gateway (longer than the adapter's timeout).
  package var uncertainAfter: Int64

  package init(publicURL: String, readyLifetime: Int64 = 900, returnURL: String? = nil, uncertainAfter: Int64 = 15) {
    self.publicURL = publicURL
    self.readyLifetime = readyLifetime
    self.returnURL = returnURL
    self.uncertainAfter = uncertainAfter
  }
}

/// A payment callback's outcome, for the buyer (and the browser's next page).
package struct PaymentOutcome: Sendable {
  package var payment: Payment
  package var orderStatus: OrderStatus

  package init(payment: Payment, orderStatus: OrderStatus) {
    self.payment = payment
    self.orderStatus = orderStatus
  }

  /// `completed`, `failed`, `canceled`, or `pending` while the outcome is not known yet.
  package var result: String {
    switch payment.status {
    case .completed: "completed"
    case .canceled, .partCanceled: "canceled"
    case .failed: "failed"
    case .ready, .approving, .refunding: "pending"
    }
  }
}

/// The payment use cases: pay an order through the gateway, the buyer's three callbacks, the
/// payment's status, refunds, and reconciliation of calls whose answer was lost.
///
/// Every gateway call happens outside a store transaction (a slow gateway never holds the
/// write lock); what the shop intends is committed before the call (`approving`,
/// `refunding`), and its outcome after, so a crash in between leaves a payment that
/// reconciliation settles through the gateway's lookup, never by a second charge or refund.
package struct PaymentDesk: Sendable {
  package var store: any Store
  /// The gateway; nil when none is configured (then paying is refused, never faked).
  package var gateway: (any PaymentGateway)?
  /// Why there is no gateway, for the problem's detail.
  package var unconfigured: String
  package var settings: PaymentSettings
  package var ids: any IDGenerator
  package var secrets: any SecretGenerator
  package var clock: any Clock
  /// Hears what an operator must know (an amount mismatch, a refund to make by hand).
  package var alert: @Sendable (PaymentAlert) -> Void

  package init(
    store: any Store, gateway: (any PaymentGateway)?, unconfigured: String = "no payment gateway is configured",
    settings: PaymentSettings, ids: any IDGenerator, secrets: any SecretGenerator, clock: any Clock,
    alert: @escaping @Sendable (PaymentAlert) -> Void = { _ in }
  ) {
    self.store = store
    self.gateway = gateway
    self.unconfigured = unconfigured
    self.settings = settings
    self.ids = ids
    self.secrets = secrets
    self.clock = clock
    self.alert = alert
  }

  /// The longest `pg_token` accepted.
  package static let maxTokenLength = 100

  func requireGateway() throws -> any PaymentGateway {
    guard let gateway else { throw PaymentError.notConfigured(unconfigured) }
    return gateway
  }

  /// Starts paying one of the caller's orders: the gateway's ready call with the order's own
  /// total, then the attempt saved with its `tid` and callback state. While that attempt is
  /// still `ready` (and not past its expiry), paying again returns it unchanged.
  package func pay(_ rawID: String, by caller: AccessClaims) throws -> Payment {
    let gateway = try requireGateway()
    guard let orderID = OrderID(checking: rawID) else { throw OrderError.orderNotFound }
    let now = clock.now()
    let (order, current) = try store.read { tx -> (Order, Payment?) in
      guard let order = try tx.orders.order(id: orderID), order.userID.rawValue == caller.subject else {
        throw OrderError.orderNotFound
      }
      return (order, try tx.payments.latest(for: orderID))
    }
    if let reusable = try Self.reusable(current, order: order, at: now) { return reusable }
    try Self.requirePayable(order, at: now)
    let id = PaymentID(from: ids)
    let secret = secrets.secret()
    let state = id.rawValue + "." + secret
    let answer: PaymentReadyAnswer
    do {
      answer = try gateway.ready(readyRequest(for: order, state: state))
    } catch {
      throw Self.problem(error)
    }
    return try store.write { tx in
      guard let order = try tx.orders.order(id: orderID) else { throw OrderError.orderNotFound }
      let latest = try tx.payments.latest(for: orderID)
      // Another pay committed first: its answer wins (this tid is never shown, so never approved).
      if let reusable = try Self.reusable(latest, order: order, at: now) { return reusable }
      try Self.requirePayable(order, at: now)
      if let latest, latest.status == .ready {
        try tx.payments.update(
          latest.ended(.canceled, reason: "superseded", message: "a newer payment attempt replaced it", at: now))
      }
      let payment = Payment(
        id: id, orderID: orderID, userID: order.userID, status: .ready, amount: order.total, tid: answer.tid,
        stateSecret: secret, redirects: answer.redirects, sandbox: gateway.isSandbox, createdAt: now,
        readyExpiresAt: now.adding(seconds: settings.readyLifetime))
      try tx.payments.insert(payment)
      return payment
    }
  }

  /// The attempt a repeated `pay` returns: the latest, while it is `ready` and unexpired; an
  /// attempt being approved, or a paid order, refuses a new one.
  static func reusable(_ payment: Payment?, order: Order, at now: Timestamp) throws -> Payment? {
    guard let payment else { return nil }
    switch payment.status {
    case .ready where now < payment.readyExpiresAt && order.status == .pendingPayment && now < order.expiresAt:
      return payment
    case .approving: throw PaymentError.inProgress
    default: return nil
    }
  }

  static func requirePayable(_ order: Order, at now: Timestamp) throws {
    guard order.status == .pendingPayment, now < order.expiresAt else {
      throw PaymentError.orderNotPayable(order.status, expired: order.status == .pendingPayment)
    }
  }

  /// The ready call for `order`: the server's total, the order and buyer as partner ids, and
  /// the callback URLs carrying `state`.
  func readyRequest(for order: Order, state: String) -> PaymentReadyRequest {
    let base = settings.publicURL + "/payments/kakaopay/"
    return PaymentReadyRequest(
      partnerOrderID: order.id.rawValue, partnerUserID: order.userID.rawValue, itemName: Self.itemName(order.lines),
      quantity: order.lines.reduce(0) { $0 + $1.quantity }, total: order.total, taxFree: Money(won: 0),
      approvalURL: base + "approve?state=" + state, cancelURL: base + "cancel?state=" + state,
      failURL: base + "fail?state=" + state)
  }

  /// The item name KakaoPay shows: the first line's product, `외 N건` for the other lines, at
  /// most 100 characters.
  package static func itemName(_ lines: [OrderLine]) -> String {
    let first = lines.first?.name ?? "order"
    let suffix = lines.count > 1 ? " 외 \(lines.count - 1)건" : ""
    return String(first.prefix(100 - suffix.count)) + suffix
  }
}
