/// Recording what the gateway did: the payment, its order and their events in one transaction.
extension PaymentDesk {
  /// The gateway approved `total`: pays the order when it matches and the order still waits
  /// for it; otherwise gives the money back at once and records why.
  func approved(
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
  func giveBack(_ payment: Payment, amount: Money, gateway: any PaymentGateway) {
    do {
      _ = try gateway.cancel(tid: payment.tid, amount: amount)
    } catch {
      alert(PaymentAlert("refund failed: give the money back by hand", payment, detail: "\(error)"))
    }
  }

  /// Ends an `approving` attempt (or leaves whatever another caller recorded first).
  func end(
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
  func revertToReady(_ payment: Payment) throws {
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
  func settleRefund(
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
      let canceled = try tx.apply(.refund, to: order, at: now, ids: ids)
      return PaymentOutcome(payment: ended, orderStatus: canceled.status)
    }
  }

  /// The gateway refused the refund and still holds the money: the payment is `completed`
  /// and the order `paid` again.
  func abortRefund(_ payment: Payment) throws {
    let now = clock.now()
    try store.write { tx in
      guard var current = try tx.payments.payment(id: payment.id), current.status == .refunding,
        let order = try tx.orders.order(id: payment.orderID)
      else { return }
      current.status = .completed
      current.attemptedAt = nil
      current.updatedAt = max(current.updatedAt, now)
      try tx.payments.update(current)
      _ = try tx.apply(.abortRefund, to: order, at: now, ids: ids)
    }
  }

  /// The failure reason and words recorded on an attempt the gateway refused.
  static func failure(_ error: PaymentGatewayError) -> (String, String) {
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
  static func problem(_ error: PaymentGatewayError) -> PaymentError {
    switch error {
    case .unavailable(let reason): .gatewayUnavailable(reason)
    case .notConfigured(let reason): .notConfigured(reason)
    case .rejected(let code, let message): .gatewayRejected(code: code, message: message)
    default:
      .gatewayRejected(code: 0, message: failure(error).1)
    }
  }
}
