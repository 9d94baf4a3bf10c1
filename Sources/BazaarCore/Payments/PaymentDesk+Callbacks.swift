/// The gateway's callbacks: the buyer approved, backed out, or the payment failed.
extension PaymentDesk {
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
  static func payment(bound state: String, in tx: any StoreTransaction) throws -> Payment {
    let parts = state.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    guard parts.count == 2, let id = PaymentID(checking: String(parts[0])),
      let payment = try tx.payments.payment(id: id), constantTimeEquals(payment.stateSecret, String(parts[1]))
    else { throw PaymentError.invalidState }
    return payment
  }

  static func checkToken(_ token: String) throws {
    guard !token.isEmpty, token.utf8.count <= maxTokenLength,
      token.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
    else {
      throw FieldError(
        field: "pg_token", code: "invalid",
        message: "pg_token must be 1 to \(maxTokenLength) printable ASCII characters")
    }
  }
}
