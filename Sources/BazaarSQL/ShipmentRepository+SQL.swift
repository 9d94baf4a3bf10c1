internal import BazaarCore

/// `ShipmentRepository` over `shipments` and `shipment_lines`.
struct SQLShipmentRepository: ShipmentRepository {
  let sql: any SQLConnection

  func insert(_ shipment: Shipment) throws {
    try sql.execute(
      """
      INSERT INTO shipments (id, order_id, seller_id, user_id, status, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      """,
      [
        shipment.id.rawValue, shipment.orderID.rawValue, shipment.sellerID.rawValue, shipment.userID.rawValue,
        shipment.status.rawValue, shipment.createdAt.milliseconds, shipment.updatedAt.milliseconds,
      ])
    if !shipment.lines.isEmpty {
      var values: SQLArguments = []
      for (index, line) in shipment.lines.enumerated() {
        values += [shipment.id.rawValue, index, line.productID.rawValue, line.variantID.rawValue, line.quantity]
      }
      try sql.execute(
        "INSERT INTO shipment_lines (shipment_id, line, product_id, variant_id, quantity) VALUES "
          + placeholderRows(shipment.lines.count, columns: 5), values)
    }
    if shipment.status != .ready { try update(shipment) }
  }

  func shipment(id: ShipmentID) throws -> Shipment? {
    try withLines(sql.query(Self.select + " WHERE id = ?", [id.rawValue], Self.shipment)).first
  }

  func shipments(of order: OrderID) throws -> [Shipment] {
    try withLines(sql.query(Self.select + " WHERE order_id = ? ORDER BY seq", [order.rawValue], Self.shipment))
  }

  func shipments(
    sentBy seller: SellerID, status: ShipmentStatus?, after: ShipmentPosition?, limit: Int
  ) throws -> [Shipment] {
    let (query, values) = newestFirst(
      Self.select + " WHERE seller_id = ?", key: seller.rawValue, status: status?.rawValue,
      after: after.map { ($0.createdAt, $0.id.rawValue) }, limit: limit)
    return try withLines(sql.query(query, values, Self.shipment))
  }

  func update(_ shipment: Shipment) throws {
    try sql.execute(
      """
      UPDATE shipments SET status = ?, carrier = ?, tracking_number = ?, updated_at = ?, started_at = ?,
        arrived_at = ?, canceled_at = ?
      WHERE id = ?
      """,
      [
        shipment.status.rawValue, shipment.carrier, shipment.trackingNumber, shipment.updatedAt.milliseconds,
        shipment.startedAt?.milliseconds, shipment.arrivedAt?.milliseconds, shipment.canceledAt?.milliseconds,
        shipment.id.rawValue,
      ])
  }

  func countByStatus() throws -> [ShipmentStatus: Int] {
    try sql.countsByStatus(table: "shipments")
  }

  private static let select = """
    SELECT id, order_id, seller_id, user_id, status, carrier, tracking_number, created_at, updated_at, started_at, \
    arrived_at, canceled_at FROM shipments
    """

  /// A shipment without its lines, from a row of `select`.
  private static func shipment(_ row: any SQLRow) throws -> Shipment {
    guard let status = ShipmentStatus(rawValue: row.text(4)) else {
      throw StoreInvariantBroken("shipment \(row.text(0)) has an unknown status")
    }
    var shipment = Shipment(
      id: ShipmentID(rawValue: row.text(0)), orderID: OrderID(rawValue: row.text(1)),
      sellerID: SellerID(rawValue: row.text(2)), userID: UserID(rawValue: row.text(3)), lines: [],
      createdAt: row.timestamp(7))
    shipment.status = status
    shipment.carrier = row.optionalText(5)
    shipment.trackingNumber = row.optionalText(6)
    shipment.updatedAt = row.timestamp(8)
    shipment.startedAt = row.optionalTimestamp(9)
    shipment.arrivedAt = row.optionalTimestamp(10)
    shipment.canceledAt = row.optionalTimestamp(11)
    return shipment
  }

  /// `shipments` with their lines, read in one more query.
  private func withLines(_ shipments: [Shipment]) throws -> [Shipment] {
    guard !shipments.isEmpty else { return [] }
    var lines: [String: [ShipmentLine]] = [:]
    for (shipment, line) in try sql.query(
      """
      SELECT shipment_id, product_id, variant_id, quantity FROM shipment_lines
      WHERE shipment_id IN (\(placeholders(shipments.count))) ORDER BY shipment_id, line
      """, shipments.map(\.id.rawValue),
      {
        let line = ShipmentLine(
          productID: ProductID(rawValue: $0.text(1)), variantID: VariantID(rawValue: $0.text(2)),
          quantity: $0.integer(3))
        return ($0.text(0), line)
      })
    {
      lines[shipment, default: []].append(line)
    }
    return shipments.map { shipment in
      var shipment = shipment
      shipment.lines = lines[shipment.id.rawValue] ?? []
      return shipment
    }
  }
}

/// `ProcessedEventRepository` over `processed_events`.
struct SQLProcessedEventRepository: ProcessedEventRepository {
  let sql: any SQLConnection

  func record(consumer: String, source: String, id: String, at now: Timestamp) throws -> Bool {
    try sql.execute(
      """
      INSERT INTO processed_events (consumer, source, event_id, processed_at) VALUES (?, ?, ?, ?)
      ON CONFLICT DO NOTHING
      """, [consumer, source, id, now.milliseconds]) == 1
  }
}
