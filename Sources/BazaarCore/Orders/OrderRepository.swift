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

/// The first successful answer to a request made with an idempotency key.
package struct IdempotencyRecord: Equatable, Sendable {
  package var userID: UserID
  package var key: String
  /// The request it answered (function and canonical input), to refuse the key's reuse for another.
  package var request: String
  package var status: Int
  /// The response body, replayed as it was.
  package var response: String
  package var createdAt: Timestamp
  /// Kept at least until then.
  package var expiresAt: Timestamp

  package init(
    userID: UserID, key: String, request: String, status: Int, response: String, createdAt: Timestamp,
    expiresAt: Timestamp
  ) {
    self.userID = userID
    self.key = key
    self.request = request
    self.status = status
    self.response = response
    self.createdAt = createdAt
    self.expiresAt = expiresAt
  }
}

/// Idempotency records, inside a store transaction: written in the transaction of the change
/// they answer, so only a change that committed is ever replayed.
package protocol IdempotencyRepository {
  /// The record of `user`'s `key`, if any (expired or not).
  func record(of user: UserID, key: String) throws -> IdempotencyRecord?
  /// Saves `record`, replacing an expired record of the same key.
  func save(_ record: IdempotencyRecord) throws
  /// Forgets up to `limit` records that expired before `now`.
  func prune(before now: Timestamp, limit: Int) throws
}
