internal import BazaarCore

/// `PaymentRepository` over `payments`.
struct SQLPaymentRepository: PaymentRepository {
  let sql: any SQLConnection

  func insert(_ payment: Payment) throws {
    try sql.execute(
      """
      INSERT INTO payments (id, order_id, user_id, status, amount, tid, state_secret, redirect_pc, redirect_mobile,
        redirect_app, sandbox, created_at, updated_at, ready_expires_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """,
      [
        payment.id.rawValue, payment.orderID.rawValue, payment.userID.rawValue, payment.status.rawValue,
        payment.amount.won, payment.tid, payment.stateSecret, payment.redirects.pc, payment.redirects.mobile,
        payment.redirects.app, payment.sandbox, payment.createdAt.milliseconds, payment.updatedAt.milliseconds,
        payment.readyExpiresAt.milliseconds,
      ])
    if payment.status != .ready { try update(payment) }
  }

  func payment(id: PaymentID) throws -> Payment? {
    try sql.query(Self.byID, [id.rawValue], Self.payment).first
  }

  func latest(for order: OrderID) throws -> Payment? {
    try sql.query(Self.latestOfOrder, [order.rawValue], Self.payment).first
  }

  func update(_ payment: Payment) throws {
    try sql.execute(
      """
      UPDATE payments SET status = ?, updated_at = ?, attempted_at = ?, aid = ?, method = ?, approved_at = ?,
        canceled_amount = ?, canceled_at = ?, failure_reason = ?, failure_message = ?
      WHERE id = ?
      """,
      [
        payment.status.rawValue, payment.updatedAt.milliseconds, payment.attemptedAt?.milliseconds, payment.aid,
        payment.method, payment.approvedAt?.milliseconds, payment.canceledAmount.won,
        payment.canceledAt?.milliseconds, payment.failureReason, payment.failureMessage, payment.id.rawValue,
      ])
  }

  func uncertain(attemptedBefore before: Timestamp, limit: Int) throws -> [PaymentID] {
    try sql.query(
      """
      SELECT id FROM payments WHERE status IN ('approving', 'refunding') AND attempted_at <= ?
      ORDER BY attempted_at, id LIMIT ?
      """, [before.milliseconds, limit]
    ) { PaymentID(rawValue: $0.text(0)) }
  }

  func count(failureReason reason: String) throws -> Int {
    Int(try sql.integer("SELECT count(*) FROM payments WHERE failure_reason = ?", [reason]))
  }

  func countByStatus() throws -> [PaymentStatus: Int] {
    try sql.countsByStatus(table: "payments")
  }

  private static let select = """
    SELECT id, order_id, user_id, status, amount, tid, state_secret, redirect_pc, redirect_mobile, redirect_app, \
    sandbox, created_at, updated_at, ready_expires_at, attempted_at, aid, method, approved_at, canceled_amount, \
    canceled_at, failure_reason, failure_message FROM payments
    """
  private static let byID = select + " WHERE id = ?"
  private static let latestOfOrder = select + " WHERE order_id = ? ORDER BY seq DESC LIMIT 1"

  /// A payment from a row of `select`.
  private static func payment(_ row: any SQLRow) throws -> Payment {
    guard let status = PaymentStatus(rawValue: row.text(3)) else {
      throw StoreInvariantBroken("payment \(row.text(0)) has an unknown status")
    }
    var payment = Payment(
      id: PaymentID(rawValue: row.text(0)), orderID: OrderID(rawValue: row.text(1)),
      userID: UserID(rawValue: row.text(2)), status: status, amount: row.money(4), tid: row.text(5),
      stateSecret: row.text(6), redirects: PaymentRedirects(pc: row.text(7), mobile: row.text(8), app: row.text(9)),
      sandbox: row.boolean(10), createdAt: row.timestamp(11), readyExpiresAt: row.timestamp(13))
    payment.updatedAt = row.timestamp(12)
    payment.attemptedAt = row.optionalTimestamp(14)
    payment.aid = row.optionalText(15)
    payment.method = row.optionalText(16)
    payment.approvedAt = row.optionalTimestamp(17)
    payment.canceledAmount = row.money(18)
    payment.canceledAt = row.optionalTimestamp(19)
    payment.failureReason = row.optionalText(20)
    payment.failureMessage = row.optionalText(21)
    return payment
  }
}
