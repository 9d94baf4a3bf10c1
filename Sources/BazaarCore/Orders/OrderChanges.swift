/// The one place an order changes status inside a transaction, for every desk (orders,
/// payments, shipments): the new status, the reserved stock released when the order stops
/// holding it (exactly once, since the status changes in the same transaction), its events, and
/// a `ready` payment attempt ended when the order is cancelled or expires.
extension StoreTransaction {
  /// Applies `transition` to `order`; the order as it now is.
  package func apply(
    _ transition: OrderTransition, to order: Order, at now: Timestamp, ids: any IDGenerator
  ) throws -> Order {
    let (changed, events) = try OrderStateMachine.apply(transition, to: order, at: now)
    if order.status.holdsReservation && !changed.status.holdsReservation && changed.status != .shipped {
      for line in order.lines {
        guard try products.adjustReserved(of: line.variantID, by: -line.quantity) else {
          throw StoreInvariantBroken("variant \(line.variantID) holds fewer reserved units than order \(order.id)")
        }
      }
    }
    try orders.update(changed)
    for type in events { try outbox.append(OrderEvents.event(type, changed, ids: ids, at: now)) }
    if transition == .cancel || transition == .expire, let payment = try payments.latest(for: order.id),
      payment.status == .ready
    {
      let (reason, message) =
        transition == .cancel
        ? ("order_canceled", "the order was canceled") : ("order_expired", "the order expired unpaid")
      try payments.update(payment.ended(.canceled, reason: reason, message: message, at: now))
    }
    return changed
  }

  /// Cancels `order` before it is paid (its buyer's `cancelOrder`, whichever desk serves it);
  /// refused while the gateway is approving its payment.
  package func cancelUnpaid(_ order: Order, at now: Timestamp, ids: any IDGenerator) throws -> Order {
    if order.status == .pendingPayment, try payments.latest(for: order.id)?.status == .approving {
      throw PaymentError.inProgress
    }
    return try apply(.cancel, to: order, at: now, ids: ids)
  }
}
