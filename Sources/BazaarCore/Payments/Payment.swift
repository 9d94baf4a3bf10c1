/// The id of a payment attempt: `pay_` followed by a time-ordered random id.
package struct PaymentID: PrefixedID {
  package static let prefix = "pay_"
  package let rawValue: String

  package init(rawValue: String) {
    self.rawValue = rawValue
  }
}

/// Where a payment attempt stands. The gateway's own outcomes (`ready`, `completed`, `failed`,
/// `canceled`, `part_canceled`) plus the two in-flight states whose outcome may be unknown
/// until reconciliation asks the gateway: `approving` and `refunding`.
package enum PaymentStatus: String, Sendable, CaseIterable {
  /// The gateway issued a `tid`; the buyer is on the checkout page.
  case ready
  /// The approve call was sent; its answer is not recorded yet.
  case approving
  /// Approved: the order is paid.
  case completed
  /// A full refund (the gateway's cancel) was sent; its answer is not recorded yet.
  case refunding
  /// The attempt ended without money taken (or with the money given back at once).
  case failed
  /// The buyer backed out, the order stopped being payable, or the payment was refunded.
  case canceled
  /// The gateway reports part of the amount refunded: only reconciliation meets it.
  case partCanceled = "part_canceled"

  /// Whether the outcome of the last gateway call is unknown until reconciliation.
  package var isUncertain: Bool { self == .approving || self == .refunding }
}

/// The gateway's checkout pages for one payment: one per kind of device.
package struct PaymentRedirects: Equatable, Sendable {
  package var pc: String
  package var mobile: String
  package var app: String

  package init(pc: String, mobile: String, app: String) {
    self.pc = pc
    self.mobile = mobile
    self.app = app
  }
}

/// One attempt to pay an order through the gateway. An order has at most one attempt that is
/// `ready`, `approving`, `completed` or `refunding` at a time; earlier ones ended.
package struct Payment: Equatable, Sendable {
  package var id: PaymentID
  package var orderID: OrderID
  package var userID: UserID
  package var status: PaymentStatus
  /// What the order cost when the attempt began: the amount the gateway must approve.
  package var amount: Money
  /// The gateway's transaction id.
  package var tid: String
  /// The secret half of the callback `state` (`<payment id>.<secret>`); compared in constant time.
  package var stateSecret: String
  package var redirects: PaymentRedirects
  /// Whether the gateway is the built-in sandbox (no money moves).
  package var sandbox: Bool
  package var createdAt: Timestamp
  package var updatedAt: Timestamp
  /// When the gateway stops accepting the approval (`KAKAOPAY_READY_TTL` after ready).
  package var readyExpiresAt: Timestamp
  /// When the call whose outcome is uncertain (`approving`, `refunding`) was started.
  package var attemptedAt: Timestamp?
  /// The gateway's approval id, method (`CARD`, `MONEY`) and our time of the approval.
  package var aid: String?
  package var method: String?
  package var approvedAt: Timestamp?
  /// How much was refunded, and when.
  package var canceledAmount: Money
  package var canceledAt: Timestamp?
  /// Why the attempt failed or was canceled (`amount_mismatch`, `buyer_canceled`, …), in words too.
  package var failureReason: String?
  package var failureMessage: String?

  package init(
    id: PaymentID, orderID: OrderID, userID: UserID, status: PaymentStatus, amount: Money, tid: String,
    stateSecret: String, redirects: PaymentRedirects, sandbox: Bool, createdAt: Timestamp, readyExpiresAt: Timestamp
  ) {
    self.id = id
    self.orderID = orderID
    self.userID = userID
    self.status = status
    self.amount = amount
    self.tid = tid
    self.stateSecret = stateSecret
    self.redirects = redirects
    self.sandbox = sandbox
    self.createdAt = createdAt
    updatedAt = createdAt
    self.readyExpiresAt = readyExpiresAt
    canceledAmount = Money(won: 0)
  }

  /// The callback `state` the gateway's redirect URLs carry.
  package var state: String { id.rawValue + "." + stateSecret }

  /// This attempt ended at `now` with `status` for `reason` (and its words).
  package func ended(_ status: PaymentStatus, reason: String?, message: String?, at now: Timestamp) -> Payment {
    var ended = self
    ended.status = status
    ended.failureReason = reason
    ended.failureMessage = message
    ended.attemptedAt = nil
    ended.updatedAt = max(updatedAt, now)
    if status == .canceled && canceledAt == nil && approvedAt == nil { ended.canceledAt = now }
    return ended
  }
}

/// Payment attempts, inside a store transaction (see `Store`).
package protocol PaymentRepository {
  /// Adds a new attempt.
  func insert(_ payment: Payment) throws
  /// The attempt with this id.
  func payment(id: PaymentID) throws -> Payment?
  /// The order's latest attempt (the newest by creation).
  func latest(for order: OrderID) throws -> Payment?
  /// Saves the status and every field that changes after ready.
  func update(_ payment: Payment) throws
  /// Attempts whose last gateway call started before `before` and whose outcome is unknown,
  /// oldest first, at most `limit`.
  func uncertain(attemptedBefore before: Timestamp, limit: Int) throws -> [PaymentID]
  /// How many attempts ended for `reason` (the operator's count of amount mismatches, say).
  func count(failureReason reason: String) throws -> Int
  /// How many attempts are in each status (statuses with none left out).
  func countByStatus() throws -> [PaymentStatus: Int]
}

/// Where the unguessable secrets of callback states come from.
package protocol SecretGenerator: Sendable {
  /// A new secret: at least 128 random bits as URL-safe text.
  func secret() -> String
}

/// Equality of two texts in time that depends on their lengths only, not on where they differ.
package func constantTimeEquals(_ a: String, _ b: String) -> Bool {
  let (x, y) = (Array(a.utf8), Array(b.utf8))
  guard x.count == y.count else { return false }
  var difference: UInt8 = 0
  for index in x.indices { difference |= x[index] ^ y[index] }
  return difference == 0
}
