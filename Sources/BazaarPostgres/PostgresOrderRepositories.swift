internal import BazaarCore
internal import BazaarJSON

/// `OrderRepository` over `orders` and `order_lines`.
struct PostgresOrderRepository: OrderRepository {
  let connection: PostgresConnection

  func insert(_ order: Order) throws {
    try connection.query(
      """
      INSERT INTO orders (id, user_id, status, total, ship_recipient, ship_phone, ship_postal_code, ship_line1,
        ship_line2, created_at, updated_at, expires_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
      """,
      [
        order.id.rawValue, order.userID.rawValue, order.status.rawValue, order.total.won, order.shipping.recipient,
        order.shipping.phone, order.shipping.postalCode, order.shipping.line1, order.shipping.line2,
        order.createdAt.milliseconds, order.updatedAt.milliseconds, order.expiresAt.milliseconds,
      ])
    // One statement for every line: arrays of the columns, unnested in line order.
    let lines = order.lines
    try connection.query(
      """
      INSERT INTO order_lines (order_id, line, product_id, seller_id, name, unit_price, quantity, line_total)
      SELECT $1, l.n - 1, l.product_id, l.seller_id, l.name, l.unit_price, l.quantity, l.unit_price * l.quantity
      FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[])
        WITH ORDINALITY AS l (product_id, seller_id, name, unit_price, quantity, n)
      """,
      [
        order.id.rawValue, PostgresArray(lines.map(\.productID.rawValue)),
        PostgresArray(lines.map(\.sellerID.rawValue)),
        PostgresArray(lines.map(\.name)), PostgresArray(lines.map(\.unitPrice.won)),
        PostgresArray(lines.map(\.quantity)),
      ])
  }

  func order(id: OrderID) throws -> Order? {
    try withLines(try connection.query("SELECT \(Self.columns) FROM orders WHERE id = $1", [id.rawValue])).first
  }

  func update(_ order: Order) throws {
    try connection.query(
      """
      UPDATE orders SET status = $1, updated_at = $2, paid_at = $3, shipped_at = $4, delivered_at = $5,
        canceled_at = $6, expired_at = $7
      WHERE id = $8
      """,
      [
        order.status.rawValue, order.updatedAt.milliseconds, order.paidAt?.milliseconds,
        order.shippedAt?.milliseconds, order.deliveredAt?.milliseconds, order.canceledAt?.milliseconds,
        order.expiredAt?.milliseconds, order.id.rawValue,
      ])
  }

  func orders(of user: UserID, status: OrderStatus?, after: OrderPosition?, limit: Int) throws -> [Order] {
    try page(where: "user_id = $1", user.rawValue, status: status, after: after, limit: limit)
  }

  func orders(holding seller: SellerID, status: OrderStatus?, after: OrderPosition?, limit: Int) throws -> [Order] {
    try page(
      where: "id IN (SELECT order_id FROM order_lines WHERE seller_id = $1)", seller.rawValue, status: status,
      after: after, limit: limit)
  }

  func dueForExpiry(at now: Timestamp, limit: Int) throws -> [OrderID] {
    try connection.query(
      """
      SELECT id FROM orders
      WHERE status = 'pending_payment' AND expires_at <= $1
        AND NOT EXISTS (SELECT 1 FROM payments WHERE payments.order_id = orders.id AND payments.status = 'approving')
      ORDER BY expires_at, id LIMIT $2
      """, [now.milliseconds, limit]
    ).all.map { OrderID(rawValue: $0.string(0)) }
  }

  func countByStatus() throws -> [OrderStatus: Int] {
    try countsByStatus(connection, table: "orders")
  }

  /// Newest first (creation time, then id), strictly after `after`. `condition` is fixed SQL
  /// with `$1` for `key`.
  private func page(
    where condition: String, _ key: String, status: OrderStatus?, after: OrderPosition?, limit: Int
  ) throws -> [Order] {
    let (sql, values) = newestFirst(
      "SELECT \(Self.columns) FROM orders WHERE " + condition, key: key, status: status?.rawValue,
      after: after.map { ($0.createdAt.milliseconds, $0.id.rawValue) }, limit: limit)
    return try withLines(try connection.query(sql, values))
  }

  /// The columns `withLines` reads, in its order.
  static let columns = """
    id, user_id, status, total, ship_recipient, ship_phone, ship_postal_code, ship_line1, ship_line2, created_at, \
    updated_at, expires_at, paid_at, shipped_at, delivered_at, canceled_at, expired_at
    """

  /// The orders of `rows` (of `columns`) with their lines, read in one more query.
  private func withLines(_ rows: PostgresRows) throws -> [Order] {
    guard rows.count > 0 else { return [] }
    let ids = rows.all.map { $0.string(0) }
    var lines: [String: [OrderLine]] = [:]
    for row in try connection.query(
      """
      SELECT order_id, product_id, seller_id, name, unit_price, quantity FROM order_lines
      WHERE order_id = ANY($1::text[]) ORDER BY order_id, line
      """, [PostgresArray(ids)]
    ).all {
      lines[row.string(0), default: []].append(
        OrderLine(
          productID: ProductID(rawValue: row.string(1)), sellerID: SellerID(rawValue: row.string(2)),
          name: row.string(3), unitPrice: Money(won: row.int64(4)), quantity: row.int64(5)))
    }
    return rows.all.map { row in
      let time = { (column: Int) in row.optionalInt64(column).map(Timestamp.init(milliseconds:)) }
      let id = row.string(0)
      return Order(
        id: OrderID(rawValue: id), userID: UserID(rawValue: row.string(1)),
        status: OrderStatus(rawValue: row.string(2)) ?? .canceled, lines: lines[id] ?? [],
        total: Money(won: row.int64(3)),
        shipping: OrderShipping(
          recipient: row.string(4), phone: row.string(5), postalCode: row.string(6), line1: row.string(7),
          line2: row.optionalString(8)),
        createdAt: Timestamp(milliseconds: row.int64(9)), updatedAt: Timestamp(milliseconds: row.int64(10)),
        expiresAt: Timestamp(milliseconds: row.int64(11)), paidAt: time(12), shippedAt: time(13),
        deliveredAt: time(14), canceledAt: time(15), expiredAt: time(16))
    }
  }
}

/// `OutboxRepository` over `outbox`. Relays on several hosts claim with SKIP LOCKED, so they
/// take different events instead of waiting on each other.
struct PostgresOutboxRepository: OutboxRepository {
  let connection: PostgresConnection

  func append(_ event: OutboxEvent) throws {
    try connection.query(
      "INSERT INTO outbox (id, type, subject, event, created_at) VALUES ($1, $2, $3, $4, $5)",
      [event.id, event.type, event.subject, event.cloudEvent.serialized, event.time.milliseconds])
  }

  func claim(limit: Int, now: Timestamp, leaseUntil: Timestamp) throws -> [PendingEvent] {
    try connection.query(
      """
      WITH claimed AS (
        UPDATE outbox SET claimed_until = $1
        WHERE seq IN (
          SELECT seq FROM outbox WHERE relayed_at IS NULL AND (claimed_until IS NULL OR claimed_until <= $2)
          ORDER BY seq LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING seq, id, type, event)
      SELECT id, type, event FROM claimed ORDER BY seq
      """, [leaseUntil.milliseconds, now.milliseconds, limit]
    ).all.map { PendingEvent(id: $0.string(0), type: $0.string(1), json: $0.string(2)) }
  }

  func markRelayed(_ ids: [String], at now: Timestamp) throws {
    try connection.query(
      "UPDATE outbox SET relayed_at = $1 WHERE id = ANY($2::text[]) AND relayed_at IS NULL",
      [now.milliseconds, PostgresArray(ids)])
  }

  func stats() throws -> OutboxStats {
    let row = try connection.query(
      """
      SELECT (SELECT count(*) FROM outbox WHERE relayed_at IS NULL),
        (SELECT min(created_at) FROM outbox WHERE relayed_at IS NULL),
        (SELECT count(*) FROM outbox WHERE relayed_at IS NOT NULL)
      """)[0]
    return OutboxStats(
      pending: row.int(0), oldestPending: row.optionalInt64(1).map(Timestamp.init(milliseconds:)),
      relayed: row.int(2))
  }
}

/// `IdempotencyRepository` over `idempotency_keys`.
struct PostgresIdempotencyRepository: IdempotencyRepository {
  let connection: PostgresConnection

  func record(of user: UserID, key: String) throws -> IdempotencyRecord? {
    let rows = try connection.query(
      """
      SELECT user_id, key, request, status, response, created_at, expires_at FROM idempotency_keys
      WHERE user_id = $1 AND key = $2
      """, [user.rawValue, key])
    guard rows.count == 1 else { return nil }
    let row = rows[0]
    return IdempotencyRecord(
      userID: UserID(rawValue: row.string(0)), key: row.string(1), request: row.string(2), status: row.int(3),
      response: row.string(4), createdAt: Timestamp(milliseconds: row.int64(5)),
      expiresAt: Timestamp(milliseconds: row.int64(6)))
  }

  func save(_ record: IdempotencyRecord) throws {
    try connection.query(
      """
      INSERT INTO idempotency_keys (user_id, key, request, status, response, created_at, expires_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (user_id, key) DO UPDATE SET request = excluded.request, status = excluded.status,
        response = excluded.response, created_at = excluded.created_at, expires_at = excluded.expires_at
      """,
      [
        record.userID.rawValue, record.key, record.request, record.status, record.response,
        record.createdAt.milliseconds, record.expiresAt.milliseconds,
      ])
  }

  func prune(before now: Timestamp, limit: Int) throws {
    try connection.query(
      """
      DELETE FROM idempotency_keys WHERE (user_id, key) IN
        (SELECT user_id, key FROM idempotency_keys WHERE expires_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
      """, [now.milliseconds, limit])
  }
}

/// `select` (fixed SQL whose WHERE condition binds `key` as `$1`) narrowed to `status`, strictly
/// after the position `after` (creation time, id), newest first, at most `limit`: the SQL and
/// its parameters, for the orders and shipments pages.
func newestFirst(
  _ select: String, key: String, status: String?, after: (createdAt: Int64, id: String)?, limit: Int
) -> (sql: String, values: [(any PostgresBindable)?]) {
  var sql = select
  var values: [(any PostgresBindable)?] = [key]
  if let status {
    values.append(status)
    sql += " AND status = $\(values.count)"
  }
  if let after {
    values += [after.createdAt, after.id]
    sql += " AND (created_at, id) < ($\(values.count - 1)::bigint, $\(values.count)::text)"
  }
  values.append(limit)
  sql += " ORDER BY created_at DESC, id DESC LIMIT $\(values.count)"
  return (sql, values)
}

/// `SELECT status, count(*) … GROUP BY status` of `table` (a fixed name), as counts by status.
func countsByStatus<Status: RawRepresentable & Hashable>(
  _ connection: PostgresConnection, table: StaticString
) throws -> [Status: Int] where Status.RawValue == String {
  var counts: [Status: Int] = [:]
  for row in try connection.query("SELECT status, count(*) FROM \(table) GROUP BY status").all {
    if let status = Status(rawValue: row.string(0)) { counts[status] = row.int(1) }
  }
  return counts
}

/// A one-dimensional array parameter (`text[]` or `bigint[]`), in PostgreSQL's array literal
/// syntax with every element quoted and escaped.
struct PostgresArray: PostgresBindable {
  var elements: [String]

  init(_ strings: [String]) { elements = strings }
  init(_ numbers: [Int64]) { elements = numbers.map { String($0) } }

  var postgresText: String {
    "{"
      + elements.map { element in
        var quoted = "\""
        for character in element.unicodeScalars {
          if character == "\"" || character == "\\" { quoted.unicodeScalars.append("\\") }
          quoted.unicodeScalars.append(character)
        }
        return quoted + "\""
      }.joined(separator: ",") + "}"
  }
}
