/// Reading payments, reconciling one whose outcome is lost on the way.
extension PaymentDesk {
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
  func settleIfLost(_ payment: Payment) throws -> PaymentOutcome {
    if let gateway, let attempted = payment.attemptedAt,
      attempted.adding(seconds: settings.uncertainAfter) <= clock.now()
    {
      return try reconcile(payment, gateway: gateway)
    }
    return try outcome(of: payment.id)
  }

  func outcome(of id: PaymentID) throws -> PaymentOutcome {
    try store.read { tx in
      guard let payment = try tx.payments.payment(id: id), let order = try tx.orders.order(id: payment.orderID)
      else { throw StoreInvariantBroken("payment \(id) or its order vanished") }
      return PaymentOutcome(payment: payment, orderStatus: order.status)
    }
  }
}
