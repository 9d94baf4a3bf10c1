internal import BazaarCore
internal import GRDB

/// `ShipmentRepository` over `shipments` and `shipment_lines`.
struct SQLiteShipmentRepository: ShipmentRepository {
  let db: Database

  func insert(_ shipment: Shipment) throws {
    try db.cachedStatement(
      sql: """
        INSERT INTO shipments (id, order_id, seller_id, user_id, status, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(arguments: [
      shipment.id.rawValue, shipment.orderID.rawValue, shipment.sellerID.rawValue, shipment.userID.rawValue,
      shipment.status.rawValue, shipment.createdAt.milliseconds, shipment.updatedAt.milliseconds,
    ])
    let statement = try db.cachedStatement(
      sql: "INSERT INTO shipment_lines (shipment_id, line, product_id, quantity) VALUES (?, ?, ?, ?)")
    for (index, line) in shipment.lines.enumerated() {
      try statement.execute(arguments: [shipment.id.rawValue, index, line.productID.rawValue, line.quantity])
    }
    if shipment.status != .ready { try update(shipment) }
  }

  func shipment(id: ShipmentID) throws -> Shipment? {
    try withLines(
      Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM shipments WHERE id = ?"), arguments: [id.rawValue])
    ).first
  }

  func shipments(of order: OrderID) throws -> [Shipment] {
    try withLines(
      Row.fetchAll(
        db.cachedStatement(sql: "SELECT * FROM shipments WHERE order_id = ? ORDER BY seq"), arguments: [order.rawValue])
    )
  }

  func shipments(
    sentBy seller: SellerID, status: ShipmentStatus?, after: ShipmentPosition?, limit: Int
  ) throws
    -> [Shipment]
  {
    var sql = "SELECT * FROM shipments WHERE seller_id = ?"
    var arguments: [any DatabaseValueConvertible] = [seller.rawValue]
    if let status {
      sql += " AND status = ?"
      arguments.append(status.rawValue)
    }
    if let after {
      sql += " AND (created_at, id) < (?, ?)"
      arguments += [after.createdAt.milliseconds, after.id.rawValue]
    }
    sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
    arguments.append(limit)
    return try withLines(Row.fetchAll(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments)))
  }

  func update(_ shipment: Shipment) throws {
    try db.cachedStatement(
      sql: """
        UPDATE shipments SET status = ?, carrier = ?, tracking_number = ?, updated_at = ?, started_at = ?,
          arrived_at = ?, canceled_at = ?
        WHERE id = ?
        """
    ).execute(arguments: [
      shipment.status.rawValue, shipment.carrier, shipment.trackingNumber, shipment.updatedAt.milliseconds,
      shipment.startedAt?.milliseconds, shipment.arrivedAt?.milliseconds, shipment.canceledAt?.milliseconds,
      shipment.id.rawValue,
    ])
  }

  func countByStatus() throws -> [ShipmentStatus: Int] {
    try countsByStatus(db, table: "shipments")
  }

  private func withLines(_ rows: [Row]) throws -> [Shipment] {
    try rows.map { row in
      guard let status = ShipmentStatus(rawValue: row["status"]) else {
        throw StoreInvariantBroken("shipment \(row["id"] as String) has an unknown status")
      }
      let id: String = row["id"]
      let lines = try Row.fetchAll(
        db.cachedStatement(sql: "SELECT product_id, quantity FROM shipment_lines WHERE shipment_id = ? ORDER BY line"),
        arguments: [id]
      ).map { ShipmentLine(productID: ProductID(rawValue: $0["product_id"]), quantity: $0["quantity"]) }
      var shipment = Shipment(
        id: ShipmentID(rawValue: id), orderID: OrderID(rawValue: row["order_id"]),
        sellerID: SellerID(rawValue: row["seller_id"]), userID: UserID(rawValue: row["user_id"]), lines: lines,
        createdAt: Timestamp(milliseconds: row["created_at"]))
      shipment.status = status
      shipment.carrier = row["carrier"]
      shipment.trackingNumber = row["tracking_number"]
      shipment.updatedAt = Timestamp(milliseconds: row["updated_at"])
      shipment.startedAt = (row["started_at"] as Int64?).map(Timestamp.init(milliseconds:))
      shipment.arrivedAt = (row["arrived_at"] as Int64?).map(Timestamp.init(milliseconds:))
      shipment.canceledAt = (row["canceled_at"] as Int64?).map(Timestamp.init(milliseconds:))
      return shipment
    }
  }
}

/// `ProcessedEventRepository` over `processed_events`.
struct SQLiteProcessedEventRepository: ProcessedEventRepository {
  let db: Database

  func record(consumer: String, source: String, id: String, at now: Timestamp) throws -> Bool {
    try db.cachedStatement(
      sql: "INSERT OR IGNORE INTO processed_events (consumer, source, event_id, processed_at) VALUES (?, ?, ?, ?)"
    ).execute(arguments: [consumer, source, id, now.milliseconds])
    return db.changesCount == 1
  }
}
