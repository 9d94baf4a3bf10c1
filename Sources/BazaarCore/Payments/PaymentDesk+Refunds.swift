/// Cancelling an order: at once before it is paid, by a full refund after.
extension PaymentDesk {
  /// Cancels one of the caller's orders: an unpaid one at once (`cancelUnpaid`, as
  /// `OrderDesk.cancel` does), a paid one by a full refund. The refund's intent (`canceling`, `refunding`) commits before the
  /// gateway's cancel call, so nothing can ship the order meanwhile and a lost answer is
  /// settled by reconciliation, never by a second refund.
  package func cancelOrder(_ rawID: String, by caller: AccessClaims) throws -> Order {
    guard let orderID = OrderID(checking: rawID) else { throw OrderError.orderNotFound }
    let now = clock.now()
    enum Step {
      case canceled(Order)
      case refund(Payment)
      case settle(Payment)
    }
    let step = try store.write { tx -> Step in
      guard let order = try tx.orders.order(id: orderID), order.userID.rawValue == caller.subject else {
        throw OrderError.orderNotFound
      }
      switch order.status {
      case .pendingPayment:
        return .canceled(try tx.cancelUnpaid(order, at: now, ids: ids))
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
    case .canceled(let order):
      return order
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
  func refund(_ payment: Payment, gateway: any PaymentGateway) throws {
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
}
