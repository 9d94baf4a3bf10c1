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
