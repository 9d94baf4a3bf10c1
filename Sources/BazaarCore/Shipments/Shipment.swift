/// The id of a shipment: `shp_` followed by a time-ordered random id.
package struct ShipmentID: PrefixedID {
  package static let prefix = "shp_"
  package let rawValue: String

  package init(rawValue: String) {
    self.rawValue = rawValue
  }
}

/// Where a shipment stands: `ready → started → arrived`, or `canceled` before it started.
package enum ShipmentStatus: String, Sendable, CaseIterable {
  /// Requested: waiting for its seller (or the built-in carrier) to send it.
  case ready
  /// Handed to a carrier, with a tracking number; its stock left the shelf.
  case started
  /// Delivered.
  case arrived
  /// Its order was canceled before it started.
  case canceled
}

/// One line of a shipment: a variant of its seller's product and how many units.
package struct ShipmentLine: Equatable, Sendable {
  package var productID: ProductID
  package var variantID: VariantID
  package var quantity: Int64

  package init(productID: ProductID, variantID: VariantID, quantity: Int64) {
    self.productID = productID
    self.variantID = variantID
    self.quantity = quantity
  }
}

/// What one seller sends for one paid order: an order holding several sellers' products has
/// one shipment per seller.
package struct Shipment: Equatable, Sendable {
  package var id: ShipmentID
  package var orderID: OrderID
  package var sellerID: SellerID
  /// The buyer, who may read it.
  package var userID: UserID
  package var status: ShipmentStatus
  package var lines: [ShipmentLine]
  package var carrier: String?
  package var trackingNumber: String?
  package var createdAt: Timestamp
  package var updatedAt: Timestamp
  package var startedAt: Timestamp?
  package var arrivedAt: Timestamp?
  package var canceledAt: Timestamp?

  package init(
    id: ShipmentID, orderID: OrderID, sellerID: SellerID, userID: UserID, lines: [ShipmentLine], createdAt: Timestamp
  ) {
    self.id = id
    self.orderID = orderID
    self.sellerID = sellerID
    self.userID = userID
    status = .ready
    self.lines = lines
    self.createdAt = createdAt
    updatedAt = createdAt
  }
}

/// Where a listing page starts: after this shipment in newest-first order.
package struct ShipmentPosition: Equatable, Sendable {
  package var createdAt: Timestamp
  package var id: ShipmentID

  package init(createdAt: Timestamp, id: ShipmentID) {
    self.createdAt = createdAt
    self.id = id
  }
}

/// Shipments, inside a store transaction (see `Store`).
package protocol ShipmentRepository {
  /// Adds a new shipment with its lines.
  func insert(_ shipment: Shipment) throws
  /// The shipment with this id.
  func shipment(id: ShipmentID) throws -> Shipment?
  /// The order's shipments, in creation order.
  func shipments(of order: OrderID) throws -> [Shipment]
  /// `seller`'s shipments, newest first (creation time, then id), strictly after `after`.
  func shipments(
    sentBy seller: SellerID, status: ShipmentStatus?, after: ShipmentPosition?, limit: Int
  ) throws
    -> [Shipment]
  /// Saves the status, the carrier and the timestamps; lines never change.
  func update(_ shipment: Shipment) throws
  /// How many shipments are in each status (statuses with none left out).
  func countByStatus() throws -> [ShipmentStatus: Int]
}

/// The events a consumer has processed: recorded in the transaction of the consumer's effect,
/// so a redelivered event changes nothing for it (an idempotent consumer).
package protocol ProcessedEventRepository {
  /// Records that `consumer` processed the event (`source`, `id`); false when it had already.
  func record(consumer: String, source: String, id: String, at now: Timestamp) throws -> Bool
}
