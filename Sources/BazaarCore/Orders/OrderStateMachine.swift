package import BazaarJSON

/// What can happen to an order.
package enum OrderTransition: String, Sendable {
  /// The buyer cancels an unpaid order.
  case cancel
  /// An unpaid order passes its `expiresAt`.
  case expire
  /// Its payment is approved.
  case pay
  /// A paid order's refund begins: from now on nothing may ship it.
  case beginRefund = "begin_refund"
  /// The gateway refused the refund: the order is paid again.
  case abortRefund = "abort_refund"
  /// The refund went through: the order is canceled.
  case refund
  /// Its shipment leaves.
  case ship
  /// Its shipment arrives.
  case deliver
}

/// The order status machine, as a pure function: which transitions each status allows, the
/// order after one, and the events it emits. Use cases apply it inside the transaction that
/// saves the order and its outbox rows.
package enum OrderStateMachine {
  /// The status `transition` leads to from `status`; nil when the machine does not allow it.
  package static func next(from status: OrderStatus, _ transition: OrderTransition) -> OrderStatus? {
    switch (status, transition) {
    case (.pendingPayment, .cancel): .canceled
    case (.pendingPayment, .expire): .expired
    case (.pendingPayment, .pay): .paid
    case (.paid, .beginRefund): .canceling
    case (.canceling, .abortRefund): .paid
    case (.canceling, .refund): .canceled
    case (.paid, .ship): .shipped
    case (.shipped, .deliver): .delivered
    default: nil
    }
  }

  /// The event types a transition emits (a refund's start and abort emit none: the order is
  /// not canceled until the money is back).
  package static func eventTypes(of transition: OrderTransition) -> [String] {
    switch transition {
    case .cancel, .refund: ["order.canceled"]
    case .beginRefund, .abortRefund: []
    case .expire: ["order.expired"]
    case .pay: ["order.paid"]
    case .ship: ["order.shipped"]
    case .deliver: ["order.delivered"]
    }
  }

  /// `order` after `transition` at `now`, with the types of the events it emits; throws
  /// `OrderError.notCancelable` (cancel, refund) or `.invalidTransition` when not allowed.
  package static func apply(
    _ transition: OrderTransition, to order: Order, at now: Timestamp
  ) throws(OrderError)
    -> (order: Order, events: [String])
  {
    guard let status = next(from: order.status, transition) else {
      switch transition {
      case .cancel, .beginRefund: throw .notCancelable(order.status)
      default: throw .invalidTransition(from: order.status, transition)
      }
    }
    var changed = order
    changed.status = status
    changed.updatedAt = max(order.updatedAt, now)
    switch transition {
    case .cancel, .refund: changed.canceledAt = now
    case .beginRefund, .abortRefund: break
    case .expire: changed.expiredAt = now
    case .pay: changed.paidAt = now
    case .ship: changed.shippedAt = now
    case .deliver: changed.deliveredAt = now
    }
    return (changed, eventTypes(of: transition))
  }
}

/// The events orders emit, as CloudEvents: `source` `/bazaar/orders`, `subject` the order id,
/// `data` the order's id, buyer, status, total and lines.
package enum OrderEvents {
  /// Where order events come from.
  package static let source = "/bazaar/orders"

  /// The event `type` reports about `order`, with a new id from `ids`.
  package static func event(_ type: String, _ order: Order, ids: any IDGenerator, at now: Timestamp) -> OutboxEvent {
    OutboxEvent(
      id: "evt_" + ids.next(), source: source, type: type, subject: order.id.rawValue, time: now,
      data: [
        "orderId": .string(order.id.rawValue), "userId": .string(order.userID.rawValue),
        "status": .string(order.status.rawValue), "total": .integer(order.total.won),
        "currency": .string(Money.currency),
        "items": .array(
          order.lines.map {
            [
              "productId": .string($0.productID.rawValue), "variantId": .string($0.variantID.rawValue),
              "sellerId": .string($0.sellerID.rawValue), "quantity": .integer($0.quantity),
              "unitPrice": .integer($0.unitPrice.won),
            ]
          }),
      ])
  }
}
