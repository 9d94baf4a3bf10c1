internal import BazaarCore
internal import BazaarJSON

/// `OrderRepository` over `orders` and `order_lines`.
struct SQLOrderRepository: OrderRepository {
  let sql: any SQLConnection

  func insert(_ order: Order) throws {
    let shipping = order.shipping
    try sql.execute(
      """
      INSERT INTO orders (id, user_id, status, total, ship_recipient, ship_phone, ship_postal_code, ship_line1,
        ship_line2, created_at, updated_at, expires_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """,
      [
        order.id.rawValue, order.userID.rawValue, order.status.rawValue, order.total.won, shipping.recipient,
        shipping.phone, shipping.postalCode, shipping.line1, shipping.line2, order.createdAt.milliseconds,
        order.updatedAt.milliseconds, order.expiresAt.milliseconds,
      ])
    // Every line in one statement.
    var values: SQLArguments = []
    values.reserveCapacity(order.lines.count * 11)
    for (index, line) in order.lines.enumerated() {
      values += [
        order.id.rawValue, index, line.productID.rawValue, line.sellerID.rawValue, line.name, line.unitPrice.won,
        line.quantity, line.lineTotal.won, line.variantID.rawValue, Self.choicesText(line.choices), line.sku,
      ]
    }
    try sql.execute(
      """
      INSERT INTO order_lines (order_id, line, product_id, seller_id, name, unit_price, quantity, line_total,
        variant_id, option_values, sku)
      VALUES \(placeholderRows(order.lines.count, columns: 11))
      """, values)
  }

  func order(id: OrderID) throws -> Order? {
    try withLines(sql.query(Self.byID, [id.rawValue], Self.order)).first
  }

  func update(_ order: Order) throws {
    try sql.execute(
      """
      UPDATE orders SET status = ?, updated_at = ?, paid_at = ?, shipped_at = ?, delivered_at = ?, canceled_at = ?,
        expired_at = ?
      WHERE id = ?
      """,
      [
        order.status.rawValue, order.updatedAt.milliseconds, order.paidAt?.milliseconds,
        order.shippedAt?.milliseconds, order.deliveredAt?.milliseconds, order.canceledAt?.milliseconds,
        order.expiredAt?.milliseconds, order.id.rawValue,
      ])
  }

  func orders(of user: UserID, status: OrderStatus?, after: OrderPosition?, limit: Int) throws -> [Order] {
    try page(where: "user_id = ?", user.rawValue, status: status, after: after, limit: limit)
  }

  func orders(holding seller: SellerID, status: OrderStatus?, after: OrderPosition?, limit: Int) throws -> [Order] {
    try page(
      where: "id IN (SELECT order_id FROM order_lines WHERE seller_id = ?)", seller.rawValue, status: status,
      after: after, limit: limit)
  }

  func dueForExpiry(at now: Timestamp, limit: Int) throws -> [OrderID] {
    try sql.query(
      """
      SELECT id FROM orders
      WHERE status = 'pending_payment' AND expires_at <= ?
        AND NOT EXISTS (SELECT 1 FROM payments WHERE payments.order_id = orders.id AND payments.status = 'approving')
      ORDER BY expires_at, id LIMIT ?
      """, [now.milliseconds, limit]
    ) { OrderID(rawValue: $0.text(0)) }
  }

  func countByStatus() throws -> [OrderStatus: Int] {
    try sql.countsByStatus(table: "orders")
  }

  /// Newest first (creation time, then id), strictly after `after`. `condition` is fixed SQL
  /// with one `?` for `key`.
  private func page(
    where condition: String, _ key: String, status: OrderStatus?, after: OrderPosition?, limit: Int
  ) throws -> [Order] {
    let (query, values) = newestFirst(
      Self.select + " WHERE " + condition, key: key, status: status?.rawValue,
      after: after.map { ($0.createdAt, $0.id.rawValue) }, limit: limit)
    return try withLines(sql.query(query, values, Self.order))
  }

  private static let select = """
    SELECT id, user_id, status, total, ship_recipient, ship_phone, ship_postal_code, ship_line1, ship_line2, \
    created_at, updated_at, expires_at, paid_at, shipped_at, delivered_at, canceled_at, expired_at FROM orders
    """
  private static let byID = select + " WHERE id = ?"

  /// An order without its lines, from a row of `select`.
  private static func order(_ row: any SQLRow) -> Order {
    Order(
      id: OrderID(rawValue: row.text(0)), userID: UserID(rawValue: row.text(1)),
      status: OrderStatus(rawValue: row.text(2)) ?? .canceled, lines: [], total: row.money(3),
      shipping: OrderShipping(
        recipient: row.text(4), phone: row.text(5), postalCode: row.text(6), line1: row.text(7),
        line2: row.optionalText(8)),
      createdAt: row.timestamp(9), updatedAt: row.timestamp(10), expiresAt: row.timestamp(11),
      paidAt: row.optionalTimestamp(12), shippedAt: row.optionalTimestamp(13), deliveredAt: row.optionalTimestamp(14),
      canceledAt: row.optionalTimestamp(15), expiredAt: row.optionalTimestamp(16))
  }

  /// `orders` with their lines, read in one more query.
  private func withLines(_ orders: [Order]) throws -> [Order] {
    guard !orders.isEmpty else { return [] }
    var lines: [String: [OrderLine]] = [:]
    for (order, line) in try sql.query(
      """
      SELECT order_id, product_id, seller_id, name, unit_price, quantity, variant_id, option_values, sku
      FROM order_lines WHERE order_id IN (\(placeholders(orders.count))) ORDER BY order_id, line
      """, orders.map(\.id.rawValue),
      { row in
        (
          row.text(0),
          OrderLine(
            productID: ProductID(rawValue: row.text(1)), variantID: VariantID(rawValue: row.text(6)),
            sellerID: SellerID(rawValue: row.text(2)), name: row.text(3), choices: Self.choices(row.text(7)),
            sku: row.optionalText(8), unitPrice: row.money(4), quantity: row.integer(5))
        )
      })
    {
      lines[order, default: []].append(line)
    }
    return orders.map { order in
      var order = order
      order.lines = lines[order.id.rawValue] ?? []
      return order
    }
  }
}

extension SQLOrderRepository {
  /// A line's option values as JSON: [{"name": …, "value": …}], in the options' order.
  static func choicesText(_ choices: [OptionChoice]) -> String {
    if choices.isEmpty { return "[]" }
    return JSONValue.array(choices.map { ["name": .string($0.name), "value": .string($0.value)] }).serialized
  }

  /// The option values a row holds as JSON; none when the text is not such JSON (only this file writes it).
  static func choices(_ text: String) -> [OptionChoice] {
    guard text != "[]", case .array(let items)? = try? JSONValue.parse(Array(text.utf8)) else { return [] }
    return items.compactMap { item in
      guard let name = item["name"]?.stringValue, let value = item["value"]?.stringValue else { return nil }
      return OptionChoice(name: name, value: value)
    }
  }
}

/// `select` (fixed SQL whose WHERE condition binds `key` as its one `?`) narrowed to `status`,
/// strictly after the position `after` (creation time, id), newest first, at most `limit`: the
/// SQL and its arguments, for the orders and shipments pages.
func newestFirst(
  _ select: String, key: String, status: String?, after: (createdAt: Timestamp, id: String)?, limit: Int
) -> (sql: String, arguments: SQLArguments) {
  var sql = select
  var arguments: SQLArguments = [key]
  if let status {
    sql += " AND status = ?"
    arguments.append(status)
  }
  if let after {
    sql += " AND (created_at, id) < (?, ?)"
    arguments += [after.createdAt.milliseconds, after.id]
  }
  sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
  arguments.append(limit)
  return (sql, arguments)
}
