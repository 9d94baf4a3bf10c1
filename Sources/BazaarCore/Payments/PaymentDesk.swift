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

  private func requireGateway() throws -> any PaymentGateway {
    guard let gateway else { throw PaymentError.notConfigured(unconfigured) }
    return gateway
  }

  // MARK: - Pay

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
  private static func reusable(_ payment: Payment?, order: Order, at now: Timestamp) throws -> Payment? {
    guard let payment else { return nil }
    switch payment.status {
    case .ready where now < payment.readyExpiresAt && order.status == .pendingPayment && now < order.expiresAt:
      return payment
    case .approving: throw PaymentError.inProgress
    default: return nil
    }
  }

  private static func requirePayable(_ order: Order, at now: Timestamp) throws {
    guard order.status == .pendingPayment, now < order.expiresAt else {
      throw PaymentError.orderNotPayable(order.status, expired: order.status == .pendingPayment)
    }
  }

  /// The ready call for `order`: the server's total, the order and buyer as partner ids, and
  /// the callback URLs carrying `state`.
  private func readyRequest(for order: Order, state: String) -> PaymentReadyRequest {
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

  // MARK: - Callbacks

  /// The buyer approved on the gateway's page: approve with `pgToken`, check the amount, and
  /// pay the order. The `state` is consumed by its first use: the same callback again answers
  /// the outcome recorded then, without calling the gateway.
  package func approve(state: String, pgToken: String) throws -> PaymentOutcome {
    try Self.checkToken(pgToken)
    let now = clock.now()
    enum Step {
      case done(PaymentOutcome)
      case settle(Payment)
      case call(Payment)
    }
    let step = try store.write { tx -> Step in
      let payment = try Self.payment(bound: state, in: tx)
      guard let order = try tx.orders.order(id: payment.orderID) else { throw StoreInvariantBroken("no order") }
      switch payment.status {
      case .ready:
        break
      case .approving:
        return .settle(payment)
      default:
        return .done(PaymentOutcome(payment: payment, orderStatus: order.status))
      }
      guard gateway != nil else { throw PaymentError.notConfigured(unconfigured) }
      if order.status != .pendingPayment {
        let ended = payment.ended(
          .failed, reason: "order_not_payable", message: "the order was \(order.status.rawValue) before the approval",
          at: now)
        try tx.payments.update(ended)
        return .done(PaymentOutcome(payment: ended, orderStatus: order.status))
      }
      if payment.readyExpiresAt <= now {
        let ended = payment.ended(
          .failed, reason: "payment_expired", message: "the payment's time at the gateway ran out", at: now)
        try tx.payments.update(ended)
        return .done(PaymentOutcome(payment: ended, orderStatus: order.status))
      }
      var approving = payment
      approving.status = .approving
      approving.attemptedAt = now
      approving.updatedAt = max(payment.updatedAt, now)
      try tx.payments.update(approving)
      return .call(approving)
    }
    switch step {
    case .done(let outcome):
      return outcome
    case .settle(let payment):
      return try settleIfLost(payment)
    case .call(let payment):
      let gateway = try requireGateway()
      let approval: GatewayApproval
      do throws(PaymentGatewayError) {
        approval = try gateway.approve(
          PaymentApproveRequest(
            tid: payment.tid, partnerOrderID: payment.orderID.rawValue, partnerUserID: payment.userID.rawValue,
            pgToken: pgToken))
      } catch .alreadyApproved {
        return try reconcile(payment, gateway: gateway)
      } catch .unavailable(let reason) {
        // The approval may or may not have happened: the payment stays `approving` for reconciliation.
        throw PaymentError.gatewayUnavailable(reason)
      } catch .notConfigured(let reason) {
        try revertToReady(payment)
        throw PaymentError.notConfigured(reason)
      } catch {
        let (reason, message) = Self.failure(error)
        return try end(payment, as: .failed, reason: reason, message: message)
      }
      return try approved(payment, aid: approval.aid, total: approval.total, method: approval.method, gateway: gateway)
    }
  }

  /// The buyer backed out (`canceled`) or the gateway reported a failure (`failed`): the
  /// attempt ends and the order stays waiting for payment, so the buyer may pay again.
  package func abandon(state: String, as status: PaymentStatus) throws -> PaymentOutcome {
    precondition(status == .canceled || status == .failed)
    let now = clock.now()
    return try store.write { tx in
      let payment = try Self.payment(bound: state, in: tx)
      guard let order = try tx.orders.order(id: payment.orderID) else { throw StoreInvariantBroken("no order") }
      guard payment.status == .ready else { return PaymentOutcome(payment: payment, orderStatus: order.status) }
      let ended =
        status == .canceled
        ? payment.ended(.canceled, reason: "buyer_canceled", message: "the buyer canceled on the payment page", at: now)
        : payment.ended(.failed, reason: "payment_failed", message: "the gateway reported the payment failed", at: now)
      try tx.payments.update(ended)
      return PaymentOutcome(payment: ended, orderStatus: order.status)
    }
  }

  /// The payment a callback's `state` is bound to: `<payment id>.<secret>`, the secret
  /// compared in constant time. Anything else is `invalidState` and changes nothing.
  private static func payment(bound state: String, in tx: any StoreTransaction) throws -> Payment {
    let parts = state.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    guard parts.count == 2, let id = PaymentID(checking: String(parts[0])),
      let payment = try tx.payments.payment(id: id), constantTimeEquals(payment.stateSecret, String(parts[1]))
    else { throw PaymentError.invalidState }
    return payment
  }

  private static func checkToken(_ token: String) throws {
    guard !token.isEmpty, token.utf8.count <= maxTokenLength,
      token.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
    else {
      throw FieldError(
        field: "pg_token", code: "invalid",
        message: "pg_token must be 1 to \(maxTokenLength) printable ASCII characters")
    }
  }

  // MARK: - Reading

  /// The latest payment attempt of one of the caller's orders; an attempt whose outcome is
  /// uncertain (and old enough to count as lost) is reconciled through the gateway first.
  package func payment(of rawID: String, by caller: AccessClaims) throws -> PaymentOutcome {
    guard let orderID = OrderID(checking: rawID) else { throw OrderError.orderNotFound }
    let (order, payment) = try store.read { tx -> (Order, Payment?) in
      guard let order = try tx.orders.order(id: orderID), order.userID.rawValue == caller.subject else {
        throw OrderError.orderNotFound
      }
      return (order, try tx.payments.latest(for: orderID))
    }
    guard let payment else { throw PaymentError.paymentNotFound }
    guard payment.status.isUncertain, gateway != nil else {
      return PaymentOutcome(payment: payment, orderStatus: order.status)
    }
    return try settleIfLost(payment)
  }

  /// The latest payment attempt of each of `orders` that has one (for order views).
  package func latest(for orders: [OrderID]) throws -> [OrderID: Payment] {
    guard !orders.isEmpty else { return [:] }
    return try store.read { tx in
      var found: [OrderID: Payment] = [:]
      for id in orders { found[id] = try tx.payments.latest(for: id) }
      return found
    }
  }

  /// Reconciles `payment` when its call is old enough to count as lost; otherwise (a call in
  /// flight) answers it as it stands.
  private func settleIfLost(_ payment: Payment) throws -> PaymentOutcome {
    if let gateway, let attempted = payment.attemptedAt,
      attempted.adding(seconds: settings.uncertainAfter) <= clock.now()
    {
      return try reconcile(payment, gateway: gateway)
    }
    return try outcome(of: payment.id)
  }

  private func outcome(of id: PaymentID) throws -> PaymentOutcome {
    try store.read { tx in
      guard let payment = try tx.payments.payment(id: id), let order = try tx.orders.order(id: payment.orderID)
      else { throw StoreInvariantBroken("payment \(id) or its order vanished") }
      return PaymentOutcome(payment: payment, orderStatus: order.status)
    }
  }

  // MARK: - Refund

  /// Cancels one of the caller's orders: an unpaid one at once (`OrderDesk.cancel`), a paid
  /// one by a full refund. The refund's intent (`canceling`, `refunding`) commits before the
  /// gateway's cancel call, so nothing can ship the order meanwhile and a lost answer is
  /// settled by reconciliation, never by a second refund.
  package func cancelOrder(_ rawID: String, by caller: AccessClaims, orders: OrderDesk) throws -> Order {
    guard let orderID = OrderID(checking: rawID) else { throw OrderError.orderNotFound }
    let now = clock.now()
    enum Step {
      case unpaid
      case refund(Payment)
      case settle(Payment)
    }
    let step = try store.write { tx -> Step in
      guard let order = try tx.orders.order(id: orderID), order.userID.rawValue == caller.subject else {
        throw OrderError.orderNotFound
      }
      switch order.status {
      case .pendingPayment:
        return .unpaid
      case .paid:
        if try tx.shipments.shipments(of: orderID).contains(where: { $0.status == .started || $0.status == .arrived }) {
          throw ShipmentError.alreadyShipped
        }
        guard gateway != nil else { throw PaymentError.notConfigured(unconfigured) }
        guard let payment = try tx.payments.latest(for: orderID), payment.status == .completed else {
          throw StoreInvariantBroken("paid order \(orderID) has no completed payment")
        }
        let (canceling, events) = try OrderStateMachine.apply(.beginRefund, to: order, at: now)
        try tx.orders.update(canceling)
        for type in events { try tx.outbox.append(OrderEvents.event(type, canceling, ids: ids, at: now)) }
        var refunding = payment
        refunding.status = .refunding
        refunding.attemptedAt = now
        refunding.updatedAt = max(payment.updatedAt, now)
        try tx.payments.update(refunding)
        return .refund(refunding)
      case .canceling:
        guard let payment = try tx.payments.latest(for: orderID), payment.status == .refunding else {
          throw StoreInvariantBroken("canceling order \(orderID) has no refunding payment")
        }
        return .settle(payment)
      case .shipped, .delivered:
        throw ShipmentError.alreadyShipped
      default:
        throw OrderError.notCancelable(order.status)
      }
    }
    switch step {
    case .unpaid:
      return try orders.cancel(rawID, by: caller)
    case .settle(let payment):
      _ = try settleIfLost(payment)
    case .refund(let payment):
      let gateway = try requireGateway()
      try refund(payment, gateway: gateway)
    }
    return try store.read { tx in
      guard let order = try tx.orders.order(id: orderID) else { throw StoreInvariantBroken("order vanished") }
      return order
    }
  }

  /// The gateway's cancel for a `refunding` payment, and its outcome recorded.
  private func refund(_ payment: Payment, gateway: any PaymentGateway) throws {
    let state: GatewayPaymentState
    do throws(PaymentGatewayError) {
      state = try gateway.cancel(tid: payment.tid, amount: Money(won: payment.amount.won - payment.canceledAmount.won))
    } catch .unavailable(let reason) {
      throw PaymentError.gatewayUnavailable(reason)
    } catch {
      // Refused: the gateway's lookup says whether the money is back after all.
      let outcome = try reconcile(payment, gateway: gateway, refundRefused: true)
      if outcome.payment.status == .completed { throw PaymentError.refundRefused(Self.failure(error).1) }
      return
    }
    _ = try settleRefund(payment, with: state, gateway: gateway)
  }

  // MARK: - Reconciliation

  /// What a reconciliation pass did.
  package struct ReconcileReport: Sendable, Equatable {
    /// Payments looked at, and how each ended up.
    package var checked = 0
    package var completed = 0
    package var failed = 0
    package var canceled = 0
    package var reverted = 0
    /// Still unknown (the gateway did not answer): left for the next pass.
    package var unresolved = 0

    package init() {}
  }

  /// Settles every payment whose call's outcome is unknown and old enough to count as lost,
  /// through the gateway's lookup; at most `limit` per pass. With nothing to settle it needs
  /// no gateway (so it is safe from cron on any runner).
  package func reconcileUncertain(limit: Int = 100) throws -> ReconcileReport {
    let cutoff = clock.now().adding(seconds: -settings.uncertainAfter)
    let due = try store.read { try $0.payments.uncertain(attemptedBefore: cutoff, limit: limit) }
    var report = ReconcileReport()
    guard !due.isEmpty else { return report }
    let gateway = try requireGateway()
    for id in due {
      guard let payment = try store.read({ try $0.payments.payment(id: id) }), payment.status.isUncertain else {
        continue
      }
      report.checked += 1
      do {
        let outcome = try reconcile(payment, gateway: gateway)
        switch outcome.payment.status {
        case .completed where payment.status == .approving: report.completed += 1
        case .completed, .ready: report.reverted += 1
        case .failed: report.failed += 1
        case .canceled, .partCanceled: report.canceled += 1
        case .approving, .refunding: report.unresolved += 1
        }
      } catch PaymentError.gatewayUnavailable {
        report.unresolved += 1
      }
    }
    return report
  }

  /// Settles `payment` (`approving` or `refunding`) by what the gateway's lookup reports.
  private func reconcile(
    _ payment: Payment, gateway: any PaymentGateway, refundRefused: Bool = false
  ) throws -> PaymentOutcome {
    let state: GatewayPaymentState
    do throws(PaymentGatewayError) {
      state = try gateway.lookup(tid: payment.tid)
    } catch .unknownTransaction {
      return try end(payment, as: .failed, reason: "unknown_transaction", message: "the gateway has no such payment")
    } catch {
      throw Self.problem(error)
    }
    switch payment.status {
    case .approving:
      switch state.status {
      case .approved:
        return try approved(
          payment, aid: state.aid ?? "", total: state.total, method: state.method ?? "", gateway: gateway)
      case .pending:
        try revertToReady(payment)
        return try outcome(of: payment.id)
      case .failed:
        return try end(
          payment, as: .failed, reason: "payment_failed", message: "the gateway reports \(state.statusText)")
      case .canceled, .partCanceled:
        return try end(
          payment, as: .failed, reason: "canceled_at_gateway",
          message: "the gateway reports \(state.statusText) before the shop recorded the approval")
      }
    case .refunding:
      switch state.status {
      case .approved where !refundRefused:
        // The cancel never reached the gateway: this is the first refund, not a second. If the
        // gateway refuses it now, the order is paid again (an operator hears of it).
        do {
          try refund(payment, gateway: gateway)
        } catch PaymentError.refundRefused(let reason) {
          alert(PaymentAlert("refund refused by the gateway: the order is paid again", payment, detail: reason))
        }
        return try outcome(of: payment.id)
      case .approved, .pending, .failed:
        try abortRefund(payment)
        return try outcome(of: payment.id)
      case .canceled, .partCanceled:
        return try settleRefund(payment, with: state, gateway: gateway)
      }
    default:
      return try outcome(of: payment.id)
    }
  }

  // MARK: - Recording outcomes

  /// The gateway approved `total`: pays the order when it matches and the order still waits
  /// for it; otherwise gives the money back at once and records why.
  private func approved(
    _ payment: Payment, aid: String, total: Money, method: String, gateway: any PaymentGateway
  ) throws -> PaymentOutcome {
    guard total == payment.amount else {
      let detail = "approved \(total.won) for an order of \(payment.amount.won)"
      alert(PaymentAlert("payment amount mismatch: refunded at once", payment, detail: detail))
      giveBack(payment, amount: total, gateway: gateway)
      return try end(payment, as: .failed, reason: "amount_mismatch", message: detail)
    }
    let now = clock.now()
    let recorded = try store.write { tx -> PaymentOutcome? in
      guard let current = try tx.payments.payment(id: payment.id), let order = try tx.orders.order(id: payment.orderID)
      else { throw StoreInvariantBroken("payment \(payment.id) or its order vanished") }
      // Settled by another caller (a reconciler) meanwhile: its record stands.
      guard current.status == .approving else { return PaymentOutcome(payment: current, orderStatus: order.status) }
      guard order.status == .pendingPayment else { return nil }
      var completed = current
      completed.status = .completed
      completed.aid = aid
      completed.method = method
      completed.approvedAt = now
      completed.attemptedAt = nil
      completed.updatedAt = max(current.updatedAt, now)
      try tx.payments.update(completed)
      let (paid, events) = try OrderStateMachine.apply(.pay, to: order, at: now)
      try tx.orders.update(paid)
      try tx.outbox.append(PaymentEvents.event("payment.completed", completed, ids: ids, at: now))
      for type in events { try tx.outbox.append(OrderEvents.event(type, paid, ids: ids, at: now)) }
      return PaymentOutcome(payment: completed, orderStatus: paid.status)
    }
    if let recorded { return recorded }
    // The order stopped being payable while the gateway approved: never charge for it.
    giveBack(payment, amount: total, gateway: gateway)
    return try end(
      payment, as: .failed, reason: "order_not_payable",
      message: "the order stopped waiting for payment during the approval; the money was given back")
  }

  /// Refunds money the shop must not keep; when even that fails, an operator hears of it.
  private func giveBack(_ payment: Payment, amount: Money, gateway: any PaymentGateway) {
    do {
      _ = try gateway.cancel(tid: payment.tid, amount: amount)
    } catch {
      alert(PaymentAlert("refund failed: give the money back by hand", payment, detail: "\(error)"))
    }
  }

  /// Ends an `approving` attempt (or leaves whatever another caller recorded first).
  private func end(
    _ payment: Payment, as status: PaymentStatus, reason: String, message: String
  ) throws
    -> PaymentOutcome
  {
    let now = clock.now()
    return try store.write { tx in
      guard let current = try tx.payments.payment(id: payment.id), let order = try tx.orders.order(id: payment.orderID)
      else { throw StoreInvariantBroken("payment \(payment.id) or its order vanished") }
      guard current.status == payment.status else { return PaymentOutcome(payment: current, orderStatus: order.status) }
      let ended = current.ended(status, reason: reason, message: message, at: now)
      try tx.payments.update(ended)
      return PaymentOutcome(payment: ended, orderStatus: order.status)
    }
  }

  /// The approve call never took effect: the attempt is `ready` again, so the buyer's browser
  /// may repeat the callback.
  private func revertToReady(_ payment: Payment) throws {
    let now = clock.now()
    try store.write { tx in
      guard var current = try tx.payments.payment(id: payment.id), current.status == .approving else { return }
      current.status = .ready
      current.attemptedAt = nil
      current.updatedAt = max(current.updatedAt, now)
      try tx.payments.update(current)
    }
  }

  /// The refund is recorded: payment canceled, order canceled (its stock released), and both
  /// events, in one transaction. A partial refund found by reconciliation is recorded as
  /// `part_canceled` with the order left as it was, for an operator.
  private func settleRefund(
    _ payment: Payment, with state: GatewayPaymentState, gateway: any PaymentGateway
  ) throws -> PaymentOutcome {
    let now = clock.now()
    return try store.write { tx in
      guard let current = try tx.payments.payment(id: payment.id), let order = try tx.orders.order(id: payment.orderID)
      else { throw StoreInvariantBroken("payment \(payment.id) or its order vanished") }
      guard current.status == .refunding else { return PaymentOutcome(payment: current, orderStatus: order.status) }
      var ended = current.ended(
        state.status == .canceled ? .canceled : .partCanceled, reason: nil, message: nil, at: now)
      ended.canceledAmount = state.canceled
      ended.canceledAt = now
      try tx.payments.update(ended)
      guard ended.status == .canceled else {
        alert(PaymentAlert("partial refund found: settle the order by hand", ended, detail: state.statusText))
        return PaymentOutcome(payment: ended, orderStatus: order.status)
      }
      try tx.outbox.append(PaymentEvents.event("payment.canceled", ended, ids: ids, at: now))
      let canceled = try OrderDesk.transition(.refund, order, at: now, in: tx, ids: ids)
      return PaymentOutcome(payment: ended, orderStatus: canceled.status)
    }
  }

  /// The gateway refused the refund and still holds the money: the payment is `completed`
  /// and the order `paid` again.
  private func abortRefund(_ payment: Payment) throws {
    let now = clock.now()
    try store.write { tx in
      guard var current = try tx.payments.payment(id: payment.id), current.status == .refunding,
        let order = try tx.orders.order(id: payment.orderID)
      else { return }
      current.status = .completed
      current.attemptedAt = nil
      current.updatedAt = max(current.updatedAt, now)
      try tx.payments.update(current)
      _ = try OrderDesk.transition(.abortRefund, order, at: now, in: tx, ids: ids)
    }
  }

  // MARK: - Errors

  /// The failure reason and words recorded on an attempt the gateway refused.
  private static func failure(_ error: PaymentGatewayError) -> (String, String) {
    switch error {
    case .notAuthenticated(let message): ("not_authenticated", message)
    case .expired: ("payment_expired", "the payment's time at the gateway ran out")
    case .unknownTransaction: ("unknown_transaction", "the gateway has no such payment")
    case .alreadyApproved: ("already_approved", "the gateway approved this payment before")
    case .exceedsCancelable: ("exceeds_cancelable", "the refund exceeds what can still be refunded")
    case .limitExceeded: ("limit_exceeded", "the shop's payment limit at the gateway was reached")
    case .notConfigured(let message): ("not_configured", message)
    case .rejected(let code, let message): ("gateway_rejected", "the gateway refused (\(code)): \(message)")
    case .unavailable(let message): ("gateway_unavailable", message)
    }
  }

  /// A gateway failure as the caller's problem.
  private static func problem(_ error: PaymentGatewayError) -> PaymentError {
    switch error {
    case .unavailable(let reason): .gatewayUnavailable(reason)
    case .notConfigured(let reason): .notConfigured(reason)
    case .rejected(let code, let message): .gatewayRejected(code: code, message: message)
    default:
      .gatewayRejected(code: 0, message: failure(error).1)
    }
  }
}

/// The events payments emit, as CloudEvents: `source` `/bazaar/payments`, `subject` the
/// payment id, `data` the payment, its order and buyer, and the amounts.
package enum PaymentEvents {
  /// Where payment events come from.
  package static let source = "/bazaar/payments"

  /// The event `type` reports about `payment`, with a new id from `ids`.
  package static func event(
    _ type: String, _ payment: Payment, ids: any IDGenerator, at now: Timestamp
  )
    -> OutboxEvent
  {
    var data: [String: JSONValue] = [
      "paymentId": .string(payment.id.rawValue), "orderId": .string(payment.orderID.rawValue),
      "userId": .string(payment.userID.rawValue), "status": .string(payment.status.rawValue),
      "amount": .integer(payment.amount.won), "canceledAmount": .integer(payment.canceledAmount.won),
      "currency": .string(Money.currency), "provider": .string("kakaopay"), "sandbox": .bool(payment.sandbox),
    ]
    if let method = payment.method { data["method"] = .string(method) }
    return OutboxEvent(
      id: "evt_" + ids.next(), source: source, type: type, subject: payment.id.rawValue, time: now, data: .object(data))
  }
}
