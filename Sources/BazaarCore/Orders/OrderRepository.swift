/// Where a listing page starts: after this order in newest-first order.
package struct OrderPosition: Equatable, Sendable {
  package var createdAt: Timestamp
  package var id: OrderID

  package init(createdAt: Timestamp, id: OrderID) {
    self.createdAt = createdAt
    self.id = id
  }

  package init(of order: Order) {
    self.init(createdAt: order.createdAt, id: order.id)
  }
}

/// Orders and their lines, inside a store transaction (see `Store`).
package protocol OrderRepository {
  /// Adds a new order with its lines.
  func insert(_ order: Order) throws
  /// The order with this id, whoever owns it.
  func order(id: OrderID) throws -> Order?
  /// Saves the status and its timestamps; lines, total and shipping never change.
  func update(_ order: Order) throws
  /// `user`'s orders, newest first (creation time, then id), strictly after `after`.
  func orders(of user: UserID, status: OrderStatus?, after: OrderPosition?, limit: Int) throws -> [Order]
  /// Orders holding at least one line of `seller`, newest first, strictly after `after`.
  func orders(holding seller: SellerID, status: OrderStatus?, after: OrderPosition?, limit: Int) throws -> [Order]
  /// Unpaid orders whose `expiresAt` is at or before `now`, soonest first, at most `limit`;
  /// an order whose payment is being approved (`approving`) is left out until that settles.
  func dueForExpiry(at now: Timestamp, limit: Int) throws -> [OrderID]
  /// How many orders are in each status (statuses with none left out).
  func countByStatus() throws -> [OrderStatus: Int]
}
