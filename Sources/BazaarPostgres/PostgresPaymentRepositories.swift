internal import BazaarCore

/// `PaymentRepository` over `payments`.
struct PostgresPaymentRepository: PaymentRepository {
  let connection: PostgresConnection

  func insert(_ payment: Payment) throws {
    try connection.query(
      """
      INSERT INTO payments (id, order_id, user_id, status, amount, tid, state_secret, redirect_pc, redirect_mobile,
        redirect_app, sandbox, created_at, updated_at, ready_expires_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
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
    try Self.payment(connection.query("SELECT \(Self.columns) FROM payments WHERE id = $1", [id.rawValue]))
  }

  func latest(for order: OrderID) throws -> Payment? {
    try Self.payment(
      connection.query(
        "SELECT \(Self.columns) FROM payments WHERE order_id = $1 ORDER BY seq DESC LIMIT 1", [order.rawValue]))
  }

  func update(_ payment: Payment) throws {
    try connection.query(
      """
      UPDATE payments SET status = $1, updated_at = $2, attempted_at = $3, aid = $4, method = $5, approved_at = $6,
        canceled_amount = $7, canceled_at = $8, failure_reason = $9, failure_message = $10
      WHERE id = $11
      """,
      [
        payment.status.rawValue, payment.updatedAt.milliseconds, payment.attemptedAt?.milliseconds, payment.aid,
        payment.method, payment.approvedAt?.milliseconds, payment.canceledAmount.won,
        payment.canceledAt?.milliseconds, payment.failureReason, payment.failureMessage, payment.id.rawValue,
      ])
  }

  func uncertain(attemptedBefore before: Timestamp, limit: Int) throws -> [PaymentID] {
    try connection.query(
      """
      SELECT id FROM payments WHERE status IN ('approving', 'refunding') AND attempted_at <= $1
      ORDER BY attempted_at, id LIMIT $2
      """, [before.milliseconds, limit]
    ).all.map { PaymentID(rawValue: $0.string(0)) }
  }

  func count(failureReason reason: String) throws -> Int {
    try connection.query("SELECT count(*) FROM payments WHERE failure_reason = $1", [reason])[0].int(0)
  }

  func countByStatus() throws -> [PaymentStatus: Int] {
    try countsByStatus(connection, table: "payments")
  }

  /// The columns `payment(_:)` reads, in its order.
  private static let columns = """
    id, order_id, user_id, status, amount, tid, state_secret, redirect_pc, redirect_mobile, redirect_app, sandbox, \
    created_at, ready_expires_at, updated_at, attempted_at, aid, method, approved_at, canceled_amount, canceled_at, \
    failure_reason, failure_message
    """

  private static func payment(_ rows: PostgresRows) throws -> Payment? {
    guard rows.count == 1 else { return nil }
    let row = rows[0]
    guard let status = PaymentStatus(rawValue: row.string(3)) else {
      throw StoreInvariantBroken("payment \(row.string(0)) has an unknown status")
    }
    let time = { (column: Int) in row.optionalInt64(column).map(Timestamp.init(milliseconds:)) }
    var payment = Payment(
      id: PaymentID(rawValue: row.string(0)), orderID: OrderID(rawValue: row.string(1)),
      userID: UserID(rawValue: row.string(2)), status: status, amount: Money(won: row.int64(4)), tid: row.string(5),
      stateSecret: row.string(6),
      redirects: PaymentRedirects(pc: row.string(7), mobile: row.string(8), app: row.string(9)),
      sandbox: row.bool(10), createdAt: Timestamp(milliseconds: row.int64(11)),
      readyExpiresAt: Timestamp(milliseconds: row.int64(12)))
    payment.updatedAt = Timestamp(milliseconds: row.int64(13))
    payment.attemptedAt = time(14)
    payment.aid = row.optionalString(15)
    payment.method = row.optionalString(16)
    payment.approvedAt = time(17)
    payment.canceledAmount = Money(won: row.int64(18))
    payment.canceledAt = time(19)
    payment.failureReason = row.optionalString(20)
    payment.failureMessage = row.optionalString(21)
    return payment
  }
}

/// `ShipmentRepository` over `shipments` and `shipment_lines`.
struct PostgresShipmentRepository: ShipmentRepository {
  let connection: PostgresConnection

  func insert(_ shipment: Shipment) throws {
    try connection.query(
      """
      INSERT INTO shipments (id, order_id, seller_id, user_id, status, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      """,
      [
        shipment.id.rawValue, shipment.orderID.rawValue, shipment.sellerID.rawValue, shipment.userID.rawValue,
        shipment.status.rawValue, shipment.createdAt.milliseconds, shipment.updatedAt.milliseconds,
      ])
    try connection.query(
      """
      INSERT INTO shipment_lines (shipment_id, line, product_id, quantity)
      SELECT $1, l.n - 1, l.product_id, l.quantity
      FROM unnest($2::text[], $3::bigint[]) WITH ORDINALITY AS l (product_id, quantity, n)
      """,
      [
        shipment.id.rawValue, PostgresArray(shipment.lines.map(\.productID.rawValue)),
        PostgresArray(shipment.lines.map(\.quantity)),
      ])
    if shipment.status != .ready { try update(shipment) }
  }

  func shipment(id: ShipmentID) throws -> Shipment? {
    try withLines(connection.query("SELECT \(Self.columns) FROM shipments WHERE id = $1", [id.rawValue])).first
  }

  func shipments(of order: OrderID) throws -> [Shipment] {
    try withLines(
      connection.query("SELECT \(Self.columns) FROM shipments WHERE order_id = $1 ORDER BY seq", [order.rawValue]))
  }

  func shipments(
    sentBy seller: SellerID, status: ShipmentStatus?, after: ShipmentPosition?, limit: Int
  ) throws -> [Shipment] {
    let (sql, values) = newestFirst(
      "SELECT \(Self.columns) FROM shipments WHERE seller_id = $1", key: seller.rawValue, status: status?.rawValue,
      after: after.map { ($0.createdAt.milliseconds, $0.id.rawValue) }, limit: limit)
    return try withLines(connection.query(sql, values))
  }

  func update(_ shipment: Shipment) throws {
    try connection.query(
      """
      UPDATE shipments SET status = $1, carrier = $2, tracking_number = $3, updated_at = $4, started_at = $5,
        arrived_at = $6, canceled_at = $7
      WHERE id = $8
      """,
      [
        shipment.status.rawValue, shipment.carrier, shipment.trackingNumber, shipment.updatedAt.milliseconds,
        shipment.startedAt?.milliseconds, shipment.arrivedAt?.milliseconds, shipment.canceledAt?.milliseconds,
        shipment.id.rawValue,
      ])
  }

  func countByStatus() throws -> [ShipmentStatus: Int] {
    try countsByStatus(connection, table: "shipments")
  }

  /// The columns `withLines` reads, in its order.
  private static let columns = """
    id, order_id, seller_id, user_id, status, carrier, tracking_number, created_at, updated_at, started_at, \
    arrived_at, canceled_at
    """

  /// The shipments of `rows` (of `columns`) with their lines, read in one more query.
  private func withLines(_ rows: PostgresRows) throws -> [Shipment] {
    guard rows.count > 0 else { return [] }
    var lines: [String: [ShipmentLine]] = [:]
    for row in try connection.query(
      """
      SELECT shipment_id, product_id, quantity FROM shipment_lines
      WHERE shipment_id = ANY($1::text[]) ORDER BY shipment_id, line
      """, [PostgresArray(rows.all.map { $0.string(0) })]
    ).all {
      lines[row.string(0), default: []].append(
        ShipmentLine(productID: ProductID(rawValue: row.string(1)), quantity: row.int64(2)))
    }
    return try rows.all.map { row in
      guard let status = ShipmentStatus(rawValue: row.string(4)) else {
        throw StoreInvariantBroken("shipment \(row.string(0)) has an unknown status")
      }
      let time = { (column: Int) in row.optionalInt64(column).map(Timestamp.init(milliseconds:)) }
      let id = row.string(0)
      var shipment = Shipment(
        id: ShipmentID(rawValue: id), orderID: OrderID(rawValue: row.string(1)),
        sellerID: SellerID(rawValue: row.string(2)), userID: UserID(rawValue: row.string(3)), lines: lines[id] ?? [],
        createdAt: Timestamp(milliseconds: row.int64(7)))
      shipment.status = status
      shipment.carrier = row.optionalString(5)
      shipment.trackingNumber = row.optionalString(6)
      shipment.updatedAt = Timestamp(milliseconds: row.int64(8))
      shipment.startedAt = time(9)
      shipment.arrivedAt = time(10)
      shipment.canceledAt = time(11)
      return shipment
    }
  }
}

/// `ProcessedEventRepository` over `processed_events`.
struct PostgresProcessedEventRepository: ProcessedEventRepository {
  let connection: PostgresConnection

  func record(consumer: String, source: String, id: String, at now: Timestamp) throws -> Bool {
    try connection.query(
      """
      INSERT INTO processed_events (consumer, source, event_id, processed_at) VALUES ($1, $2, $3, $4)
      ON CONFLICT DO NOTHING
      """, [consumer, source, id, now.milliseconds]
    ).affected == 1
  }
}
