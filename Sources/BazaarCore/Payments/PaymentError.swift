/// Why a payment use case refused.
package enum PaymentError: Error, Equatable, Sendable {
  /// No gateway is configured for this runner (`KAKAOPAY_SECRET_KEY` unset, say): payments are
  /// refused rather than taken by a fake.
  case notConfigured(String)
  /// The order cannot be paid now (it is not waiting for payment, or it expired).
  case orderNotPayable(OrderStatus, expired: Bool)
  /// A gateway call for this order's payment is in flight; its outcome decides.
  case inProgress
  /// The order has no payment attempt.
  case paymentNotFound
  /// The callback's `state` names no payment, or not this one.
  case invalidState
  /// The gateway did not answer (timeout, connection, 5xx): safe to retry later.
  case gatewayUnavailable(String)
  /// The gateway refused the call (its code and words).
  case gatewayRejected(code: Int, message: String)
  /// The gateway refused the refund; the order stays paid.
  case refundRefused(String)
}

/// Something an operator must hear about: logged at error level by the live wiring.
package struct PaymentAlert: Sendable, Equatable {
  package var message: String
  package var paymentID: PaymentID
  package var orderID: OrderID
  package var detail: String

  package init(_ message: String, _ payment: Payment, detail: String) {
    self.message = message
    paymentID = payment.id
    orderID = payment.orderID
    self.detail = detail
  }
}
