internal import BazaarCore
internal import GRDB

/// `PaymentRepository` over `payments`.
struct SQLitePaymentRepository: PaymentRepository {
  let db: Database

  func insert(_ payment: Payment) throws {
    try db.cachedStatement(
      sql: """
        INSERT INTO payments (id, order_id, user_id, status, amount, tid, state_secret, redirect_pc, redirect_mobile,
          redirect_app, sandbox, created_at, updated_at, ready_expires_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(arguments: [
      payment.id.rawValue, payment.orderID.rawValue, payment.userID.rawValue, payment.status.rawValue,
      payment.amount.won, payment.tid, payment.stateSecret, payment.redirects.pc, payment.redirects.mobile,
      payment.redirects.app, payment.sandbox, payment.createdAt.milliseconds, payment.updatedAt.milliseconds,
      payment.readyExpiresAt.milliseconds,
    ])
    if payment.status != .ready { try update(payment) }
  }

  func payment(id: PaymentID) throws -> Payment? {
    try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM payments WHERE id = ?"), arguments: [id.rawValue]).map(
      Self.payment)
  }

  func latest(for order: OrderID) throws -> Payment? {
    try Row.fetchOne(
      db.cachedStatement(sql: "SELECT * FROM payments WHERE order_id = ? ORDER BY seq DESC LIMIT 1"),
      arguments: [order.rawValue]
    ).map(Self.payment)
  }

  func update(_ payment: Payment) throws {
    try db.cachedStatement(
      sql: """
        UPDATE payments SET status = ?, updated_at = ?, attempted_at = ?, aid = ?, method = ?, approved_at = ?,
          canceled_amount = ?, canceled_at = ?, failure_reason = ?, failure_message = ?
        WHERE id = ?
        """
    ).execute(arguments: [
      payment.status.rawValue, payment.updatedAt.milliseconds, payment.attemptedAt?.milliseconds, payment.aid,
      payment.method, payment.approvedAt?.milliseconds, payment.canceledAmount.won,
      payment.canceledAt?.milliseconds, payment.failureReason, payment.failureMessage, payment.id.rawValue,
    ])
  }

  func uncertain(attemptedBefore before: Timestamp, limit: Int) throws -> [PaymentID] {
    try String.fetchAll(
      db.cachedStatement(
        sql: """
          SELECT id FROM payments WHERE status IN ('approving', 'refunding') AND attempted_at <= ?
          ORDER BY attempted_at, id LIMIT ?
          """),
      arguments: [before.milliseconds, limit]
    ).map(PaymentID.init(rawValue:))
  }

  func count(failureReason reason: String) throws -> Int {
    try Int.fetchOne(
      db.cachedStatement(sql: "SELECT count(*) FROM payments WHERE failure_reason = ?"), arguments: [reason]) ?? 0
  }

  func countByStatus() throws -> [PaymentStatus: Int] {
    try countsByStatus(db, table: "payments")
  }

  private static func payment(_ row: Row) throws -> Payment {
    guard let status = PaymentStatus(rawValue: row["status"]) else {
      throw StoreInvariantBroken("payment \(row["id"] as String) has an unknown status")
    }
    var payment = Payment(
      id: PaymentID(rawValue: row["id"]), orderID: OrderID(rawValue: row["order_id"]),
      userID: UserID(rawValue: row["user_id"]), status: status, amount: Money(won: row["amount"]), tid: row["tid"],
      stateSecret: row["state_secret"],
      redirects: PaymentRedirects(pc: row["redirect_pc"], mobile: row["redirect_mobile"], app: row["redirect_app"]),
      sandbox: row["sandbox"], createdAt: Timestamp(milliseconds: row["created_at"]),
      readyExpiresAt: Timestamp(milliseconds: row["ready_expires_at"]))
    payment.updatedAt = Timestamp(milliseconds: row["updated_at"])
    payment.attemptedAt = (row["attempted_at"] as Int64?).map(Timestamp.init(milliseconds:))
    payment.aid = row["aid"]
    payment.method = row["method"]
    payment.approvedAt = (row["approved_at"] as Int64?).map(Timestamp.init(milliseconds:))
    payment.canceledAmount = Money(won: row["canceled_amount"])
    payment.canceledAt = (row["canceled_at"] as Int64?).map(Timestamp.init(milliseconds:))
    payment.failureReason = row["failure_reason"]
    payment.failureMessage = row["failure_message"]
    return payment
  }
}

/// `SELECT status, count(*) … GROUP BY status` of `table`, as counts by a status enum.
func countsByStatus<Status: RawRepresentable & Hashable>(_ db: Database, table: String) throws -> [Status: Int]
where Status.RawValue == String {
  var counts: [Status: Int] = [:]
  for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT status, count(*) AS n FROM \(table) GROUP BY status")) {
    if let status = Status(rawValue: row["status"]) { counts[status] = row["n"] }
  }
  return counts
}
