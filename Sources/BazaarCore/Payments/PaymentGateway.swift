/// The payment gateway port: KakaoPay's single payment (ready → the buyer approves on the
/// gateway's page → approve), full cancel (refund) and lookup. One adapter speaks KakaoPay's
/// wire format; the sandbox speaks it too, so the adapter is what runs end to end.
///
/// Calls block until the gateway answers or the adapter's timeout passes.
package protocol PaymentGateway: Sendable {
  /// Whether this gateway is the built-in sandbox (its payments move no money).
  var isSandbox: Bool { get }
  /// Starts a payment: the gateway's `tid` and its checkout pages.
  func ready(_ request: PaymentReadyRequest) throws(PaymentGatewayError) -> PaymentReadyAnswer
  /// Takes the money the buyer approved with `pgToken`.
  func approve(_ request: PaymentApproveRequest) throws(PaymentGatewayError) -> GatewayApproval
  /// Refunds `amount` of the approved payment `tid` (all of it, in this shop).
  func cancel(tid: String, amount: Money) throws(PaymentGatewayError) -> GatewayPaymentState
  /// What the gateway knows of `tid`: the way to settle a call whose answer was lost.
  func lookup(tid: String) throws(PaymentGatewayError) -> GatewayPaymentState
}

/// Where and as whom a gateway adapter calls the payment provider.
package struct PaymentGatewaySettings: Sendable {
  /// The API's address, without a trailing `/`.
  package var baseURL: String
  /// The merchant's secret key (never logged or shown).
  package var secretKey: String
  /// The merchant id.
  package var cid: String
  /// Seconds a call may take.
  package var timeout: Double
  /// Whether `baseURL` is Bazaar's own sandbox.
  package var isSandbox: Bool

  package init(baseURL: String, secretKey: String, cid: String, timeout: Double, isSandbox: Bool) {
    self.baseURL = baseURL
    self.secretKey = secretKey
    self.cid = cid
    self.timeout = timeout
    self.isSandbox = isSandbox
  }
}

/// Builds the gateway adapter from its settings. Only the executables that take payments
/// link an adapter (KakaoPay over libcurl) and pass one to the wiring.
package typealias PaymentGatewayFactory = @Sendable (PaymentGatewaySettings) -> any PaymentGateway

/// The ready call: who pays what for which order, and where the buyer's browser comes back.
package struct PaymentReadyRequest: Equatable, Sendable {
  package var partnerOrderID: String
  package var partnerUserID: String
  package var itemName: String
  package var quantity: Int64
  package var total: Money
  package var taxFree: Money
  package var approvalURL: String
  package var cancelURL: String
  package var failURL: String

  package init(
    partnerOrderID: String, partnerUserID: String, itemName: String, quantity: Int64, total: Money, taxFree: Money,
    approvalURL: String, cancelURL: String, failURL: String
  ) {
    self.partnerOrderID = partnerOrderID
    self.partnerUserID = partnerUserID
    self.itemName = itemName
    self.quantity = quantity
    self.total = total
    self.taxFree = taxFree
    self.approvalURL = approvalURL
    self.cancelURL = cancelURL
    self.failURL = failURL
  }
}

/// The ready answer: the transaction id and the checkout pages.
package struct PaymentReadyAnswer: Equatable, Sendable {
  package var tid: String
  package var redirects: PaymentRedirects

  package init(tid: String, redirects: PaymentRedirects) {
    self.tid = tid
    self.redirects = redirects
  }
}

/// The approve call: the partner ids must be those of the ready call.
package struct PaymentApproveRequest: Equatable, Sendable {
  package var tid: String
  package var partnerOrderID: String
  package var partnerUserID: String
  package var pgToken: String

  package init(tid: String, partnerOrderID: String, partnerUserID: String, pgToken: String) {
    self.tid = tid
    self.partnerOrderID = partnerOrderID
    self.partnerUserID = partnerUserID
    self.pgToken = pgToken
  }
}

/// What the gateway approved: checked against the order's total before the order is paid.
package struct GatewayApproval: Equatable, Sendable {
  package var aid: String
  package var total: Money
  package var method: String

  package init(aid: String, total: Money, method: String) {
    self.aid = aid
    self.total = total
    self.method = method
  }
}

/// Where a payment stands at the gateway, grouped as reconciliation needs it.
package enum GatewayPaymentStatus: Equatable, Sendable {
  /// Not approved yet (ready, the checkout page open, authenticating).
  case pending
  /// Approved and not refunded.
  case approved
  /// Refunded in full.
  case canceled
  /// Refunded in part.
  case partCanceled
  /// Ended without approval (failed authentication, the buyer quit, failed).
  case failed
}

/// A payment at the gateway: its status (with the gateway's own word for it) and amounts.
package struct GatewayPaymentState: Equatable, Sendable {
  package var status: GatewayPaymentStatus
  /// The gateway's status text (`SUCCESS_PAYMENT`, …), for messages.
  package var statusText: String
  package var total: Money
  package var canceled: Money
  /// The approval's id and method, once approved.
  package var aid: String?
  package var method: String?

  package init(
    status: GatewayPaymentStatus, statusText: String, total: Money, canceled: Money, aid: String? = nil,
    method: String? = nil
  ) {
    self.status = status
    self.statusText = statusText
    self.total = total
    self.canceled = canceled
    self.aid = aid
    self.method = method
  }
}

/// Why a gateway call failed, in the core's terms (the adapter maps the gateway's codes).
package enum PaymentGatewayError: Error, Equatable, Sendable {
  /// The payment was approved before (KakaoPay -702): reconcile, never approve again.
  case alreadyApproved
  /// The buyer has not approved, or the approval token is wrong (-701, -708).
  case notAuthenticated(String)
  /// The gateway's time for this payment ran out (-723).
  case expired
  /// The gateway has no such transaction (-721).
  case unknownTransaction
  /// The refund exceeds what can still be refunded (-710).
  case exceedsCancelable
  /// The shop's payment limit was reached (-797).
  case limitExceeded
  /// The gateway refused the shop's credentials, CID or address (-730…-733, -798, -799, 401):
  /// an operator must fix the configuration. The detail never holds the secret key.
  case notConfigured(String)
  /// Any other refusal, with the gateway's code and words.
  case rejected(code: Int, message: String)
  /// No answer: a timeout, a refused connection, a 5xx, an answer we could not read. The call
  /// may or may not have taken effect; reconciliation finds out.
  case unavailable(String)
}
