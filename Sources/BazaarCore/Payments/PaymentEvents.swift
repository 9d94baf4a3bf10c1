internal import BazaarJSON

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
