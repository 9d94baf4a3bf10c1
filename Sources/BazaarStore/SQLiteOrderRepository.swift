internal import BazaarCore
internal import BazaarJSON
internal import GRDB

/// `OrderRepository` over `orders` and `order_lines`.
struct SQLiteOrderRepository: OrderRepository {
  let db: Database

  func insert(_ order: Order) throws {
    try db.cachedStatement(
      sql: """
        INSERT INTO orders (id, user_id, status, total, ship_recipient, ship_phone, ship_postal_code, ship_line1,
          ship_line2, created_at, updated_at, expires_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(arguments: [
      order.id.rawValue, order.userID.rawValue, order.status.rawValue, order.total.won, order.shipping.recipient,
      order.shipping.phone, order.shipping.postalCode, order.shipping.line1, order.shipping.line2,
      order.createdAt.milliseconds, order.updatedAt.milliseconds, order.expiresAt.milliseconds,
    ])
    let statement = try db.cachedStatement(
      sql: """
        INSERT INTO order_lines (order_id, line, product_id, seller_id, name, unit_price, quantity, line_total)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """)
    for (index, line) in order.lines.enumerated() {
      try statement.execute(arguments: [
        order.id.rawValue, index, line.productID.rawValue, line.sellerID.rawValue, line.name, line.unitPrice.won,
        line.quantity, line.lineTotal.won,
      ])
    }
  }

  func order(id: OrderID) throws -> Order? {
    guard
      let row = try Row.fetchOne(
        db.cachedStatement(sql: "SELECT \(Self.columns) FROM orders WHERE id = ?"), arguments: [id.rawValue])
    else {
      return nil
    }
    return try withLines([row]).first
  }

  func update(_ order: Order) throws {
    try db.cachedStatement(
      sql: """
        UPDATE orders SET status = ?, updated_at = ?, paid_at = ?, shipped_at = ?, delivered_at = ?, canceled_at = ?,
          expired_at = ?
        WHERE id = ?
        """
    ).execute(arguments: [
      order.status.rawValue, order.updatedAt.milliseconds, order.paidAt?.milliseconds, order.shippedAt?.milliseconds,
      order.deliveredAt?.milliseconds, order.canceledAt?.milliseconds, order.expiredAt?.milliseconds,
      order.id.rawValue,
    ])
  }

  func orders(of user: UserID, status: OrderStatus?, after: OrderPosition?, limit: Int) throws -> [Order] {
    try page(where: "user_id = ?", [user.rawValue], status: status, after: after, limit: limit)
  }

  func orders(holding seller: SellerID, status: OrderStatus?, after: OrderPosition?, limit: Int) throws -> [Order] {
    try page(
      where: "id IN (SELECT order_id FROM order_lines WHERE seller_id = ?)", [seller.rawValue], status: status,
      after: after, limit: limit)
  }

  func dueForExpiry(at now: Timestamp, limit: Int) throws -> [OrderID] {
    try String.fetchAll(
      db.cachedStatement(
        sql: """
          SELECT id FROM orders
          WHERE status = 'pending_payment' AND expires_at <= ?
            AND NOT EXISTS (SELECT 1 FROM payments WHERE payments.order_id = orders.id AND payments.status = 'approving')
          ORDER BY expires_at, id LIMIT ?
          """),
      arguments: [now.milliseconds, limit]
    ).map(OrderID.init(rawValue:))
  }

  func countByStatus() throws -> [OrderStatus: Int] {
    try countsByStatus(db, table: "orders")
  }

  /// Newest first (creation time, then id), strictly after `after`.
  private func page(
    where condition: String, _ arguments: [String], status: OrderStatus?, after: OrderPosition?, limit: Int
  ) throws -> [Order] {
    var sql = "SELECT \(Self.columns) FROM orders WHERE " + condition
    var values: [any DatabaseValueConvertible] = arguments
    if let status {
      sql += " AND status = ?"
      values.append(status.rawValue)
    }
    if let after {
      sql += " AND (created_at < ? OR (created_at = ? AND id < ?))"
      values += [after.createdAt.milliseconds, after.createdAt.milliseconds, after.id.rawValue]
    }
    sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
    values.append(limit)
    return try withLines(try Row.fetchAll(db.cachedStatement(sql: sql), arguments: StatementArguments(values)))
  }

  /// The columns `withLines` reads, in its order (by position: a lookup by name compares
  /// every column's name case-insensitively).
  static let columns = """
    id, user_id, status, total, ship_recipient, ship_phone, ship_postal_code, ship_line1, ship_line2, created_at, \
    updated_at, expires_at, paid_at, shipped_at, delivered_at, canceled_at, expired_at
    """

  /// The orders of `rows` (of `columns`) with their lines, read in one more query.
  private func withLines(_ rows: [Row]) throws -> [Order] {
    guard !rows.isEmpty else { return [] }
    let ids: [String] = rows.map { $0[0] }
    let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ",")
    var lines: [String: [OrderLine]] = [:]
    for row in try Row.fetchAll(
      db.cachedStatement(
        sql: """
          SELECT order_id, product_id, seller_id, name, unit_price, quantity FROM order_lines
          WHERE order_id IN (\(placeholders)) ORDER BY order_id, line
          """),
      arguments: StatementArguments(ids))
    {
      lines[row[0], default: []].append(
        OrderLine(
          productID: ProductID(rawValue: row[1]), sellerID: SellerID(rawValue: row[2]), name: row[3],
          unitPrice: Money(won: row[4]), quantity: row[5]))
    }
    return rows.map { row in
      let time = { (column: Int) in (row[column] as Int64?).map(Timestamp.init(milliseconds:)) }
      let id: String = row[0]
      return Order(
        id: OrderID(rawValue: id), userID: UserID(rawValue: row[1]),
        status: OrderStatus(rawValue: row[2]) ?? .canceled, lines: lines[id] ?? [], total: Money(won: row[3]),
        shipping: OrderShipping(recipient: row[4], phone: row[5], postalCode: row[6], line1: row[7], line2: row[8]),
        createdAt: Timestamp(milliseconds: row[9]), updatedAt: Timestamp(milliseconds: row[10]),
        expiresAt: Timestamp(milliseconds: row[11]), paidAt: time(12), shippedAt: time(13), deliveredAt: time(14),
        canceledAt: time(15), expiredAt: time(16))
    }
  }
}

/// `OutboxRepository` over the `outbox` table.
struct SQLiteOutboxRepository: OutboxRepository {
  let db: Database

  func append(_ event: OutboxEvent) throws {
    try db.cachedStatement(sql: "INSERT INTO outbox (id, type, subject, event, created_at) VALUES (?, ?, ?, ?, ?)")
      .execute(arguments: [event.id, event.type, event.subject, event.cloudEvent.serialized, event.time.milliseconds])
  }

  func claim(limit: Int, now: Timestamp, leaseUntil: Timestamp) throws -> [PendingEvent] {
    let rows = try Row.fetchAll(
      db.cachedStatement(
        sql: """
          UPDATE outbox SET claimed_until = ?
          WHERE seq IN (
            SELECT seq FROM outbox WHERE relayed_at IS NULL AND (claimed_until IS NULL OR claimed_until <= ?)
            ORDER BY seq LIMIT ?)
          RETURNING seq, id, type, event
          """),
      arguments: [leaseUntil.milliseconds, now.milliseconds, limit])
    return rows.sorted { ($0["seq"] as Int64) < ($1["seq"] as Int64) }.map { row in
      PendingEvent(id: row["id"], type: row["type"], json: row["event"])
    }
  }

  func markRelayed(_ ids: [String], at now: Timestamp) throws {
    let statement = try db.cachedStatement(sql: "UPDATE outbox SET relayed_at = ? WHERE id = ? AND relayed_at IS NULL")
    for id in ids { try statement.execute(arguments: [now.milliseconds, id]) }
  }

  func stats() throws -> OutboxStats {
    let row = try Row.fetchOne(
      db.cachedStatement(
        sql: """
          SELECT (SELECT count(*) FROM outbox WHERE relayed_at IS NULL) AS pending,
            (SELECT min(created_at) FROM outbox WHERE relayed_at IS NULL) AS oldest,
            (SELECT count(*) FROM outbox WHERE relayed_at IS NOT NULL) AS relayed
          """))!
    return OutboxStats(
      pending: row["pending"], oldestPending: (row["oldest"] as Int64?).map(Timestamp.init(milliseconds:)),
      relayed: row["relayed"])
  }
}

/// `IdempotencyRepository` over `idempotency_keys`.
struct SQLiteIdempotencyRepository: IdempotencyRepository {
  let db: Database

  func record(of user: UserID, key: String) throws -> IdempotencyRecord? {
    try Row.fetchOne(
      db.cachedStatement(sql: "SELECT * FROM idempotency_keys WHERE user_id = ? AND key = ?"),
      arguments: [user.rawValue, key]
    ).map { row in
      IdempotencyRecord(
        userID: UserID(rawValue: row["user_id"]), key: row["key"], request: row["request"], status: row["status"],
        response: row["response"], createdAt: Timestamp(milliseconds: row["created_at"]),
        expiresAt: Timestamp(milliseconds: row["expires_at"]))
    }
  }

  func save(_ record: IdempotencyRecord) throws {
    try db.cachedStatement(
      sql: """
        INSERT OR REPLACE INTO idempotency_keys (user_id, key, request, status, response, created_at, expires_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(arguments: [
      record.userID.rawValue, record.key, record.request, record.status, record.response,
      record.createdAt.milliseconds, record.expiresAt.milliseconds,
    ])
  }

  func prune(before now: Timestamp, limit: Int) throws {
    try db.cachedStatement(
      sql: """
        DELETE FROM idempotency_keys WHERE (user_id, key) IN
          (SELECT user_id, key FROM idempotency_keys WHERE expires_at < ? LIMIT ?)
        """
    ).execute(arguments: [now.milliseconds, limit])
  }
}
