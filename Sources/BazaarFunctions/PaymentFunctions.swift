internal import BazaarCore
internal import BazaarJSON

/// The payment functions: a buyer pays an order through KakaoPay and reads its payment; the
/// buyer's browser returns through one of three callbacks bound by the payment's `state`.
enum PaymentFunctions {
  static let all: [FunctionDefinition] = [pay, approvePayment, paymentCanceled, paymentFailed, getPayment]

  static let pay = FunctionDefinition(
    name: "pay",
    summary: "Start paying one of your orders through KakaoPay: the redirect URLs of its checkout page.",
    route: Route("POST", "/orders/{id}/payment"), auth: .user, waitsOnNetwork: true
  ) { input, context in
    let id = input.string("id")
    try input.finish()
    let payment = try context.services.payments.pay(id, by: try context.requireCaller)
    return ReadyPaymentView(payment: payment)
  }

  static let approvePayment = FunctionDefinition(
    name: "approvePayment",
    summary: "KakaoPay's approval callback (the buyer's browser, with pg_token): approve, check the amount, pay.",
    route: Route(
      "GET", "/payments/kakaopay/approve",
      query: [QueryParameter("state", .string), QueryParameter("pg_token", .string)]),
    auth: .public, waitsOnNetwork: true
  ) { input, context in
    let state = input.string("state")
    let token = input.string("pg_token")
    try input.finish()
    let outcome = try context.services.payments.approve(state: state, pgToken: token)
    return PaymentCallbackView(outcome: outcome, returnURL: context.services.payments.settings.returnURL)
  }

  static let paymentCanceled = FunctionDefinition(
    name: "paymentCanceled",
    summary: "KakaoPay's cancel callback: the buyer backed out; the order still waits for payment.",
    route: Route("GET", "/payments/kakaopay/cancel", query: [QueryParameter("state", .string)]), auth: .public
  ) { input, context in
    let state = input.string("state")
    try input.finish()
    let outcome = try context.services.payments.abandon(state: state, as: .canceled)
    return PaymentCallbackView(outcome: outcome, returnURL: context.services.payments.settings.returnURL)
  }

  static let paymentFailed = FunctionDefinition(
    name: "paymentFailed",
    summary: "KakaoPay's fail callback: the payment failed; the order still waits for payment.",
    route: Route("GET", "/payments/kakaopay/fail", query: [QueryParameter("state", .string)]), auth: .public
  ) { input, context in
    let state = input.string("state")
    try input.finish()
    let outcome = try context.services.payments.abandon(state: state, as: .failed)
    return PaymentCallbackView(outcome: outcome, returnURL: context.services.payments.settings.returnURL)
  }

  static let getPayment = FunctionDefinition(
    name: "getPayment",
    summary: "The latest payment of one of your orders; an uncertain one is first settled with KakaoPay.",
    route: Route("GET", "/orders/{id}/payment"), auth: .user, waitsOnNetwork: true
  ) { input, context in
    let id = input.string("id")
    try input.finish()
    let outcome = try context.services.payments.payment(of: id, by: try context.requireCaller)
    return PaymentView(payment: outcome.payment, orderStatus: outcome.orderStatus)
  }
}

/// A payment as its buyer sees it (never the `tid`'s callback state).
struct PaymentView: JSONRepresentable {
  var payment: Payment
  var orderStatus: OrderStatus?

  var json: JSONValue {
    var members: [String: JSONValue] = [
      "id": .string(payment.id.rawValue), "orderId": .string(payment.orderID.rawValue),
      "status": .string(payment.status.rawValue), "provider": .string("kakaopay"),
      "amount": .integer(payment.amount.won), "canceledAmount": .integer(payment.canceledAmount.won),
      "currency": .string(Money.currency), "sandbox": .bool(payment.sandbox),
      "createdAt": .string(payment.createdAt.rfc3339), "updatedAt": .string(payment.updatedAt.rfc3339),
      "expiresAt": .string(payment.readyExpiresAt.rfc3339), "method": payment.method.json,
      "approvedAt": payment.approvedAt.rfc3339,
      "canceledAt": payment.canceledAt.rfc3339,
      "failure": payment.failureReason.map { ["reason": .string($0), "message": payment.failureMessage.json] } ?? .null,
    ]
    if payment.status == .ready { members["redirectUrls"] = payment.redirects.json }
    if let orderStatus { members["orderStatus"] = .string(orderStatus.rawValue) }
    return .object(members)
  }
}

/// `pay`'s answer: the attempt, ready, with the checkout pages to send the buyer to.
struct ReadyPaymentView: JSONRepresentable {
  var payment: Payment

  var json: JSONValue {
    guard case .object(var members) = PaymentView(payment: payment).json else { return .null }
    members["redirectUrls"] = payment.redirects.json
    return .object(members)
  }
}

/// A callback's answer: the payment and its order, and where the buyer's browser goes next.
struct PaymentCallbackView: JSONRepresentable, BrowserNavigation {
  var outcome: PaymentOutcome
  var returnURL: String?

  var json: JSONValue {
    guard case .object(var members) = PaymentView(payment: outcome.payment, orderStatus: outcome.orderStatus).json
    else { return .null }
    members["result"] = .string(outcome.result)
    return .object(members)
  }

  var navigation: Navigation {
    let orderID = outcome.payment.orderID.rawValue
    let message =
      switch outcome.result {
      case "completed": "Payment completed. Order \(orderID) is paid."
      case "canceled": "Payment canceled. Order \(orderID) still waits for payment; you may pay again."
      case "failed":
        "Payment failed (\(outcome.payment.failureMessage ?? "the gateway refused it")). "
          + "Order \(orderID) still waits for payment unless it expired."
      default: "Payment of order \(orderID) is being confirmed; check the order again in a moment."
      }
    return Navigation(
      returnURL: returnURL, parameters: [("orderId", orderID), ("payment", outcome.result)],
      title: "Payment \(outcome.result)", message: message)
  }
}

extension PaymentRedirects {
  /// `{pc, mobile, app}`.
  var json: JSONValue { ["pc": .string(pc), "mobile": .string(mobile), "app": .string(app)] }
}
